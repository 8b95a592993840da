export {
  type Backend,
  type BackendCapabilities,
  type BackendEntry,
  type SyncBackend,
  unsupported,
} from './backend.js'
export { MemoryBackend } from './memory.js'
export { RedisBackend, type RedisBackendOptions } from './redis.js'

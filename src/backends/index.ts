export {
  type Backend,
  type BackendCapabilities,
  type BackendEntry,
  type SyncBackend,
  unsupported,
} from './backend.js'
export { MemoryBackend } from './memory.js'
export {
  type RedisAddressOption,
  RedisBackend,
  type RedisBackendOptions,
  type RedisClusterOptions,
  type RedisSentinelOptions,
  type RedisTopology,
} from './redis.js'

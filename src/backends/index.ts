export type { Backend, BackendEntry, SyncBackend } from './backend.js'
export { MemoryBackend } from './memory.js'
export { RedisBackend, type RedisBackendOptions } from './redis.js'

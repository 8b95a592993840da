/** Public surface of the cache layer; re-exported by src/index.ts. */
export { type CacheDecorator, type CacheFunction, cache } from './api/cache.js'
export {
  type Cache,
  type CreateCacheOptions,
  createCache,
  type SetOptions,
  type WrapOptions,
} from './api/create-cache.js'
export { cacheControl } from './api/decorators.js'
export { closeAll, type DetectedBackend, detectBackend } from './api/env.js'
export type { CacheOptions, L1Options, Ttl } from './api/options.js'
export type { AnyFunction, CacheControl, CachedFunction } from './api/wrap.js'
export type { Backend, BackendEntry, RedisBackendOptions, SyncBackend } from './backends/index.js'
export { MemoryBackend, RedisBackend } from './backends/index.js'
export { L1Cache } from './cache/l1.js'
export {
  type CacheLogger,
  consoleLogger,
  type LogFields,
  type WinstonLike,
  winstonLogger,
} from './cache/logger.js'
export type { CacheInfo } from './cache/stats.js'
export {
  CACHE_DEFAULTS,
  INTENT_DEFAULTS,
  type IntentDefaults,
  type IntentName,
  renderDefaultsMarkdown,
} from './defaults.js'
export { canonicalArgs, keyFromArgs, keyFromUserKey } from './keys/index.js'
export {
  ArrowSerializer,
  AutoSerializer,
  JsonSerializer,
  RawSerializer,
  type Serializer,
  type SerializerName,
  StandardSerializer,
} from './serializers/index.js'

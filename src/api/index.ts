/** Public surface of the cache layer; re-exported by src/index.ts. */

export type { BackendHealth, BackendLocks } from '../backends/backend.js'
export type { BusMessage, InvalidationBus } from '../backends/bus.js'
export type {
  Backend,
  BackendCapabilities,
  BackendEntry,
  RedisAddressOption,
  RedisBackendOptions,
  RedisClusterOptions,
  RedisSentinelOptions,
  RedisTopology,
  SyncBackend,
} from '../backends/index.js'
export { MemoryBackend, RedisBackend, unsupported } from '../backends/index.js'
export type { RedisHealth } from '../backends/redis.js'
export type {
  BackpressureOptions,
  BreakerOptions,
  ReliabilityOptions,
} from '../backends/reliability-options.js'
export type { CacheInstrument, InstrumentedCache } from '../cache/config.js'
export type { CacheEvents, CacheObserver, LockOutcome, Refusal, StaleReason, Tier } from '../cache/events.js'
export { L1Cache } from '../cache/l1.js'
export {
  type CacheLogger,
  consoleLogger,
  type LogFields,
  type WinstonLike,
  winstonLogger,
} from '../cache/logger.js'
export type { CacheInfo } from '../cache/stats.js'
export {
  CACHE_DEFAULTS,
  INTENT_DEFAULTS,
  type IntentDefaults,
  type IntentName,
  renderDefaultsMarkdown,
} from '../defaults.js'
export { canonicalArgs, keyFromArgs, keyFromUserKey } from '../keys/index.js'
export {
  type BreakerMessage,
  type ComputedMessage,
  DIAGNOSTICS_CHANNELS,
  type HitMessage,
  type KeyMessage,
  type L2ErrorMessage,
  type LockMessage,
  METRICS,
  type MetricSpec,
  type ObserveOption,
  OpenTelemetryTracing,
  OTHER_NAMESPACES,
  type OtelSpan,
  type OtelTracer,
  openTelemetryTracing,
  PrometheusMetrics,
  type PrometheusOptions,
  type PromRegistry,
  prometheusMetrics,
  type RefusedMessage,
  type ShedMessage,
  type SpanAttributes,
  type StaleMessage,
  type TracingOptions,
} from '../observability/index.js'
export type { BreakerState } from '../reliability/breaker.js'
export { type BackendLayer, composeBackend, PassThroughBackend } from '../reliability/compose.js'
export type { HealthReport, HealthStatus, StoreHealth } from '../reliability/health.js'
export type { BreakerTransition } from '../reliability/instrument.js'
export {
  ArrowSerializer,
  AutoSerializer,
  JsonSerializer,
  RawSerializer,
  type Serializer,
  type SerializerName,
  StandardSerializer,
} from '../serializers/index.js'
export { type CacheDecorator, type CacheFunction, cache } from './cache.js'
export {
  type Cache,
  type CreateCacheOptions,
  createCache,
  type SetOptions,
  type WrapOptions,
} from './create-cache.js'
export { cacheControl } from './decorators.js'
export { closeAll, type DetectedBackend, detectBackend } from './env.js'
export type { FreshnessOptions } from './freshness-options.js'
export type { InteropOptions } from './interop.js'
export type { CacheOptions, L1Options, Ttl } from './options.js'
export type { AnyFunction, CacheControl, CachedFunction } from './wrap.js'

import type { Backend } from '../backends/backend.js'
import { RedisBackend } from '../backends/redis.js'
import { leaseBus } from '../backends/redis-bus.js'
import type { ReliabilityOptions } from '../backends/reliability-options.js'
import type { EngineConfig } from '../cache/engine.js'
import { L1Cache } from '../cache/l1.js'
import { type CacheLogger, consoleLogger, rateLimited } from '../cache/logger.js'
import { CACHE_DEFAULTS, INTENT_DEFAULTS, type IntentName } from '../defaults.js'
import { type Envelope, PlainEnvelope, SealedEnvelope } from '../envelope/index.js'
import { ConfigurationError } from '../errors.js'
import { instrumentsFor, type ObserveOption } from '../observability/index.js'
import type { HealthReport } from '../reliability/health.js'
import { resolveSerializer, type Serializer, type SerializerName } from '../serializers/index.js'
import { InteropSerializer } from '../serializers/interop.js'
import { resolveMasterKeys } from './env.js'
import { type FreshnessOptions, resolveFreshness, resolveLock } from './freshness-options.js'
import { type InteropKeys, type InteropOptions, interopCodec, interopVersion } from './interop.js'
import { checkL1Options, checkLoggerOption } from './option-shapes.js'
import { resolveBackend } from './store-setup.js'
import { parseTtl } from './ttl.js'

// biome-ignore lint/suspicious/noExplicitAny: argument lists of user functions are arbitrary
export type AnyArgs = any[]

/** A time to live: whole seconds (`300`) or a duration string (`'30s'`, `'5m'`, `'1h'`, `'1d'`). */
export type Ttl = number | `${number}${'s' | 'm' | 'h' | 'd'}`

export interface L1Options {
  /** Byte budget of serialized payloads (default CACHE_DEFAULTS.l1MaxBytes). */
  maxBytes?: number
  /** `copy` (default): every hit decodes a fresh value. `frozen`: one deep-frozen value for every caller. */
  mode?: 'copy' | 'frozen'
}

export interface CacheOptions<Args extends AnyArgs = AnyArgs> extends FreshnessOptions {
  /**
   * Key segment shared by every entry of this function. Required when the cache has a shared L2
   * (any backend given or found in the environment); defaults to the function (or Class.method)
   * name only for L1-only caches and `cache.test`'s private MemoryBackend.
   */
  namespace?: string
  /** Seconds or a duration string (`'5m'`); default from the intent. */
  ttl?: Ttl
  /** L2 store. Omitted: detected from the environment. `null`: L1 only. */
  backend?: Backend | null
  serializer?: Serializer | SerializerName
  /** Your own key for a call; stored as `ck:{namespace}:{key}`. Called with the method's `this`. */
  key?: (...args: Args) => string
  /** `false` disables the in-process tier. */
  l1?: boolean | L1Options
  /** Treat a function not declared `async` that returns a Promise as async (L1 + L2). */
  async?: boolean
  /** Seal values with AES-256-GCM before they leave the process (on by default for cache.secure). */
  encrypt?: boolean
  /** 64 hex characters; default CACHEKIT_MASTER_KEY. */
  masterKey?: string | Uint8Array
  /** Decrypt-only keys during a rotation; default CACHEKIT_PREVIOUS_MASTER_KEYS (comma-separated). */
  previousMasterKeys?: Array<string | Uint8Array>
  /** Tenant of encrypted entries: a fixed id or a function of the arguments (default "default"). */
  tenant?: string | ((...args: Args) => string)
  /** Encrypted caches: 'throw' (default, fail closed) or 'miss' (count, log, recompute). */
  onDecryptError?: 'throw' | 'miss'
  /**
   * Store `undefined` results too (default false: an `undefined` result is returned to the caller,
   * counted in `info().undefinedResults` and not stored). Needs a serializer that represents
   * `undefined` exactly: `'msgpack-js'`.
   */
  cacheUndefined?: boolean
  /** pino-style logger (`warn(fields, message)`); default console. Warnings are rate limited. */
  logger?: CacheLogger
  /**
   * Interop mode: keys and values exactly as Python's `@cache(namespace=..., interop="op")` writes
   * them, so both share entries (docs/interop-python.md). Needs an explicit namespace and a backend.
   */
  interop?: string | InteropOptions
  /**
   * Redis stores: hear other processes' invalidations and writes over pub/sub and drop the L1 copies
   * they make stale (default true; README "One cache across processes"). `false`: L1 copies of other
   * processes' changes live until their TTL.
   */
  invalidationBus?: boolean
  /**
   * How `clear()` empties a namespace (default `'scan'`): `'scan'` deletes its keys in bounded SCAN +
   * UNLINK batches; `'version'` moves the namespace to a new generation kept in the store and folded
   * into every stored key, one write whatever the number of keys (old entries expire by their TTL;
   * other processes follow at once through the bus, else within `generationRefreshMs`).
   */
  clearBy?: 'scan' | 'version'
  /**
   * Deadlines, circuit breaker and backpressure of L2 operations (defaults in CACHE_DEFAULTS; over a
   * RedisBackend's own `reliability`, field by field). Not used by in-process stores, which cannot
   * hang or go down.
   */
  reliability?: ReliabilityOptions
  /**
   * Instruments that watch this cache: `prometheusMetrics()`, `openTelemetryTracing()`, or a list
   * (docs/observability.md). diagnostics_channel events are published without it.
   */
  observe?: ObserveOption
}

/** Options resolved once, shared by every engine built from them (an engine adds its namespace). */
export interface ResolvedOptions extends Omit<EngineConfig, 'namespace'> {
  intent: IntentName
  /**
   * Whether the L2 store can hold other caches' entries: any backend given or found in the
   * environment. Only `cache.test`'s own MemoryBackend is private. Shared stores need explicit
   * namespaces.
   */
  sharedStore: boolean
  /** Checks the store (PING, connection) and adds what its layers know (breaker, backpressure). */
  health(): Promise<HealthReport>
  /** The store itself, under its reliability layers (what `backend` wraps); null: L1 only. */
  store: Backend | null
  /** The master keys and cache-wide tenant of an encrypting cache; null when it does not encrypt. */
  encryption: ResolvedEncryption | null
  /** Closes what this setup opened (the env lease or the given backend). */
  close(): Promise<void>
  /**
   * Gives back what resolving opened when wrapping fails after it (an env lease, a private store);
   * a backend the caller passed in stays open: it is theirs.
   */
  discard(): Promise<void>
}

export interface ResolvedEncryption {
  keys: InteropKeys
  tenant: unknown
}

export function validateTtl(ttl: unknown, path = 'ttl'): number {
  return parseTtl(ttl, path)
}

function resolveL1(
  intent: IntentName,
  option: CacheOptions['l1'],
): { l1: L1Cache | null; mode: 'copy' | 'frozen' } {
  checkL1Options(option)
  const enabled = option === undefined ? INTENT_DEFAULTS[intent].l1 : option !== false
  const settings = typeof option === 'object' ? option : {}
  const mode = settings.mode ?? CACHE_DEFAULTS.l1Mode
  const maxBytes = settings.maxBytes ?? CACHE_DEFAULTS.l1MaxBytes
  return { l1: enabled ? new L1Cache(maxBytes) : null, mode }
}

/** The envelope, and the master keys when the cache encrypts (interop wraps of a cache reuse them). */
function resolveEnvelope(
  intent: IntentName,
  options: CacheOptions,
): { envelope: Envelope; encryption: ResolvedEncryption | null } {
  const encrypt = options.encrypt ?? (INTENT_DEFAULTS[intent].encrypt || options.masterKey !== undefined)
  if (!encrypt) {
    // Encryption options on a plaintext cache are a mistake that would otherwise go unnoticed.
    const stray = (['previousMasterKeys', 'tenant', 'masterKey'] as const).find(
      (k) => options[k] !== undefined,
    )
    if (stray !== undefined) {
      throw new ConfigurationError(
        'ENCRYPTION_OPTION_WITHOUT_ENCRYPTION',
        `${stray} only applies to encrypted caches, but this one is not encrypted: remove ${stray}, or encrypt ` +
          '(remove encrypt: false, or use cache.secure)',
      )
    }
    const envelope =
      options.interop === undefined
        ? new PlainEnvelope()
        : interopCodec(null, undefined, interopVersion(options.interop)).envelope
    return { envelope, encryption: null }
  }
  const keys = resolveMasterKeys(options.masterKey, options.previousMasterKeys)
  const encryption = { keys, tenant: options.tenant }
  if (options.interop !== undefined) {
    return {
      envelope: interopCodec(keys, options.tenant, interopVersion(options.interop)).envelope,
      encryption,
    }
  }
  const envelope = new SealedEnvelope({
    ...keys,
    tenant: options.tenant as string | ((...args: never[]) => string) | undefined,
  })
  return { envelope, encryption }
}

function resolveCacheUndefined(option: boolean | undefined, serializer: Serializer): boolean {
  if (!(option ?? CACHE_DEFAULTS.cacheUndefined)) return false
  if (serializer.format !== 'msgpack-js') {
    throw new ConfigurationError(
      'CACHE_UNDEFINED_UNSUPPORTED',
      `cacheUndefined needs a serializer that stores undefined exactly, but ${serializer.format} cannot: ` +
        "use serializer: 'msgpack-js', or return null from the function for 'no value'",
    )
  }
  return true
}

/**
 * Builds the setup from options already checked against their shape (`checkCacheOptions`):
 * validates values, opens the backend; throws ConfigurationError at wrap time.
 */
export function resolveSetup(intent: IntentName, options: CacheOptions): ResolvedOptions {
  const ttl = validateTtl(options.ttl ?? INTENT_DEFAULTS[intent].ttl)
  const serializer =
    options.interop === undefined ? resolveSerializer(options.serializer) : new InteropSerializer()
  const cacheUndefined = resolveCacheUndefined(options.cacheUndefined, serializer)
  const { l1, mode } = resolveL1(intent, options.l1)
  const onDecryptError = options.onDecryptError ?? CACHE_DEFAULTS.onDecryptError
  const freshness = resolveFreshness(options)
  const { envelope, encryption } = resolveEnvelope(intent, options)
  checkLoggerOption(options.logger)
  const logger = rateLimited(options.logger ?? consoleLogger())
  const { backend, reliability, sharedStore, health, close, discard } = resolveBackend(
    intent,
    options,
    logger,
  )
  let lock: ReturnType<typeof resolveLock>
  try {
    lock = resolveLock(intent, options.lock, reliability?.store ?? backend)
  } catch (err) {
    void discard()
    throw err
  }
  if (backend === null && l1 === null) {
    void discard()
    throw new ConfigurationError(
      'NOTHING_TO_CACHE_IN',
      'This cache has neither L1 nor a backend: enable l1 or give a backend (or set CACHEKIT_REDIS_URL)',
    )
  }
  const store = reliability?.store ?? backend
  // Every cache on a Redis store hears the others' invalidations, unless asked not to.
  const busLease =
    store instanceof RedisBackend && (options.invalidationBus ?? CACHE_DEFAULTS.invalidationBus)
      ? leaseBus(store)
      : null
  logger.debug?.(
    { event: 'setup', intent, backend: backend?.name ?? 'none', ttl },
    `cache setup: intent=${intent} backend=${backend?.name ?? 'none (L1 only)'} ttl=${ttl}s`,
  )
  return {
    intent,
    ttl,
    serializer,
    backend,
    sharedStore,
    l1,
    l1Mode: mode,
    envelope,
    encryption,
    store,
    bus: busLease?.bus ?? null,
    clearBy: options.clearBy ?? CACHE_DEFAULTS.clearBy,
    freshness,
    lock,
    onDecryptError,
    cacheUndefined,
    logger,
    reliability,
    instruments: instrumentsFor(options.observe),
    health,
    close: async () => {
      busLease?.release()
      await close()
    },
    discard: async () => {
      busLease?.release()
      await discard()
    },
  }
}

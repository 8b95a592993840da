import type { Backend } from '../backends/backend.js'
import { MemoryBackend } from '../backends/memory.js'
import { type Codec, PlainCodec, SealingCodec } from '../cache/codec.js'
import type { EngineConfig } from '../cache/engine.js'
import { L1Cache } from '../cache/l1.js'
import { type CacheLogger, defaultLogger } from '../cache/stats.js'
import { ConfigurationError } from '../errors.js'
import { resolveSerializer, type Serializer, type SerializerName } from '../serializers/index.js'
import { CACHE_DEFAULTS, INTENT_DEFAULTS, type IntentName } from './defaults.js'
import { leaseEnvBackend, resolveMasterKeys } from './env.js'

// biome-ignore lint/suspicious/noExplicitAny: argument lists of user functions are arbitrary
export type AnyArgs = any[]

export interface L1Options {
  /** Byte budget of serialized payloads (default CACHE_DEFAULTS.l1MaxBytes). */
  maxBytes?: number
  /** `copy` (default): every hit decodes a fresh value. `frozen`: one deep-frozen value for every caller. */
  mode?: 'copy' | 'frozen'
}

export interface CacheOptions<Args extends AnyArgs = AnyArgs> {
  /** Key segment shared by every entry of this function; defaults to the function (or Class.method) name. */
  namespace?: string
  /** Seconds, a positive integer; default from the intent. */
  ttl?: number
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
  logger?: CacheLogger
}

/** Options resolved once, shared by every engine built from them (an engine adds its namespace). */
export interface Setup extends Omit<EngineConfig, 'namespace'> {
  intent: IntentName
  /** Closes what this setup opened (the env lease or the given backend). */
  close(): Promise<void>
}

export function validateTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < CACHE_DEFAULTS.minTtlSeconds) {
    throw new ConfigurationError(
      'INVALID_TTL',
      `ttl must be a whole number of seconds >= ${CACHE_DEFAULTS.minTtlSeconds}, got ${String(ttl)}: e.g. { ttl: 300 }`,
    )
  }
  return ttl
}

function resolveBackend(
  intent: IntentName,
  options: CacheOptions,
): { backend: Backend | null; close(): Promise<void> } {
  if (options.backend !== undefined) {
    const backend = options.backend
    return { backend, close: async () => backend?.close() }
  }
  const source = INTENT_DEFAULTS[intent].l2
  if (source === 'none') return { backend: null, close: async () => {} }
  if (source === 'memory') {
    const backend = new MemoryBackend()
    return { backend, close: () => backend.close() }
  }
  const lease = leaseEnvBackend()
  return { backend: lease.backend, close: lease.release }
}

function resolveL1(
  intent: IntentName,
  option: CacheOptions['l1'],
): { l1: L1Cache | null; mode: 'copy' | 'frozen' } {
  const enabled = option === undefined ? INTENT_DEFAULTS[intent].l1 : option !== false
  const settings = typeof option === 'object' ? option : {}
  const mode = settings.mode ?? CACHE_DEFAULTS.l1Mode
  if (mode !== 'copy' && mode !== 'frozen') {
    throw new ConfigurationError('INVALID_L1_MODE', `l1.mode must be 'copy' or 'frozen', got ${String(mode)}`)
  }
  const maxBytes = settings.maxBytes ?? CACHE_DEFAULTS.l1MaxBytes
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new ConfigurationError(
      'INVALID_L1_SIZE',
      `l1.maxBytes must be a positive integer, got ${String(maxBytes)}`,
    )
  }
  return { l1: enabled ? new L1Cache(maxBytes) : null, mode }
}

function resolveCodec(intent: IntentName, options: CacheOptions): Codec {
  const encrypt = options.encrypt ?? (INTENT_DEFAULTS[intent].encrypt || options.masterKey !== undefined)
  if (!encrypt) return new PlainCodec()
  const keys = resolveMasterKeys(options.masterKey, options.previousMasterKeys)
  return new SealingCodec({
    ...keys,
    tenant: options.tenant as string | ((...args: never[]) => string) | undefined,
  })
}

/** Validates everything and opens the backend; throws ConfigurationError at wrap time. */
export function resolveSetup(intent: IntentName, options: CacheOptions): Setup {
  const ttl = validateTtl(options.ttl ?? INTENT_DEFAULTS[intent].ttl)
  const serializer = resolveSerializer(options.serializer)
  const { l1, mode } = resolveL1(intent, options.l1)
  const onDecryptError = options.onDecryptError ?? CACHE_DEFAULTS.onDecryptError
  if (onDecryptError !== 'throw' && onDecryptError !== 'miss') {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `onDecryptError must be 'throw' or 'miss', got ${String(onDecryptError)}`,
    )
  }
  const codec = resolveCodec(intent, options)
  const { backend, close } = resolveBackend(intent, options)
  if (backend === null && l1 === null) {
    throw new ConfigurationError(
      'NOTHING_TO_CACHE_IN',
      'This cache has neither L1 nor a backend: enable l1 or give a backend (or set CACHEKIT_REDIS_URL)',
    )
  }
  const logger = options.logger ?? defaultLogger()
  logger.debug(`cache setup: intent=${intent} backend=${backend?.name ?? 'none (L1 only)'} ttl=${ttl}s`)
  return { intent, ttl, serializer, backend, l1, l1Mode: mode, codec, onDecryptError, logger, close }
}

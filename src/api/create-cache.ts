import { KeyedAccess } from '../cache/by-key.js'
import { CacheEngine, MISS } from '../cache/engine.js'
import type { CacheInfo } from '../cache/stats.js'
import type { IntentName } from '../defaults.js'
import { CacheClosedError, ConfigurationError } from '../errors.js'
import { interopPrefix } from '../keys/interop.js'
import {
  keyFromUserKey,
  namespacePrefix,
  validateNamespace,
  wrapNamespace,
  wrapsPrefix,
} from '../keys/keys.js'
import type { HealthReport } from '../reliability/health.js'
import { checkOptions } from '../validate.js'
import { readEntries, readKeyList } from './batch-input.js'
import type { InteropOptions } from './interop.js'
import { claimNamespace } from './namespaces.js'
import { CREATE_CACHE_OPTIONS, SET_OPTIONS, WRAP_OPTIONS } from './option-shapes.js'
import { type CacheOptions, resolveSetup, type Ttl, validateTtl } from './options.js'
import { type AnyFunction, type CacheControl, type CachedFunction, makeCached } from './wrap.js'

export interface CreateCacheOptions extends Omit<CacheOptions, 'key' | 'async' | 'tenant'> {
  /**
   * Key segment of every entry: `ck:{namespace}:{key}`. Required when the backend is shared (given,
   * or found in the environment); "default" for L1-only and `intent: 'test'` caches.
   */
  namespace?: string
  /** Preset to start from (default 'default'); see INTENT_DEFAULTS. */
  intent?: IntentName
  /** Tenant of encrypted entries: a fixed id, or a function of the entry's key. */
  tenant?: string | ((key: string) => string)
}

export interface SetOptions {
  /** Seconds or a duration string; default the cache's ttl. */
  ttl?: Ttl
}

export interface WrapOptions<Args extends unknown[] = unknown[]> {
  /**
   * This function's name inside the cache's namespace: keys `ck:{namespace}/{name}:...`. Required
   * when the backend is shared; the function's name otherwise.
   */
  name?: string
  ttl?: Ttl
  key?: (...args: Args) => string
  async?: boolean
  /**
   * Interop mode: keys `{namespace}:{operation}:...` (the cache's namespace, no name) and values as
   * Python's `@cache(namespace=..., interop=...)` writes them; encrypted when the cache is.
   */
  interop?: string | InteropOptions
}

/**
 * A cache used by key. Values go through the same serializer, envelope, encryption and L1 as cache().
 * Failure policy: reads (`get`, `has`, `ttl`, `getMany`) treat a failing backend as a miss (counted
 * in `info().l2ReadErrors`); writes and deletes (`set`, `setMany`, `delete`, `invalidate`) reject
 * with BackendError and change nothing in this process. After `close()` every method rejects with
 * CacheClosedError (code `CLOSED`). Every method rejects on bad input; none throws synchronously.
 */
export interface Cache {
  readonly namespace: string
  /** The value, or undefined on a miss. */
  get<T = unknown>(key: string): Promise<T | undefined>
  /** Writes L2, then L1; rejects with BackendError when the backend write fails. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void>
  delete(key: string): Promise<boolean>
  has(key: string): Promise<boolean>
  /** Remaining seconds; null when missing. */
  ttl(key: string): Promise<number | null>
  /** One backend round trip for the keys L1 does not hold. */
  getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | undefined>>
  /** All or nothing: every entry is checked and serialized first, then written in one transaction. */
  setMany(entries: Iterable<readonly [string, unknown]>, options?: SetOptions): Promise<void>
  /** A cached function sharing this cache's backend, L1, serializer and encryption. */
  wrap<F extends AnyFunction>(fn: F, options?: WrapOptions<Parameters<F>>): CachedFunction<F>
  /**
   * Deletes every entry whose key starts with `prefix`, in every process; without a prefix, the whole
   * namespace including its wrapped functions' entries.
   */
  invalidate(prefix?: string): Promise<number>
  info(): CacheInfo
  /**
   * Checks the L2 store now (Redis: a PING within the deadline, the connection state) and adds what
   * its layers know (circuit breaker, backpressure): healthy, degraded or unhealthy, with reasons.
   */
  health(): Promise<HealthReport>
  /** Closes the backend (env-detected connections when their last user closes) and the wraps. */
  close(): Promise<void>
}

export function createCache(options: CreateCacheOptions = {}): Cache {
  checkOptions(options, CREATE_CACHE_OPTIONS, 'createCache()')
  const given = options.namespace === undefined ? undefined : validateNamespace(options.namespace)
  const intent = options.intent ?? 'default'
  const setup = resolveSetup(intent, options as CacheOptions)
  const backend = setup.backend
  if (given === undefined && setup.sharedStore && backend !== null) {
    void setup.discard()
    throw new ConfigurationError(
      'NAMESPACE_REQUIRED',
      `createCache() has no namespace, but its ${backend.name} backend is shared: every cache without one would ` +
        "share keys. Pass { namespace: 'sessions' } (unique per cache), or { backend: null } for this process only",
    )
  }
  const namespace = given ?? 'default'
  let release: () => void
  try {
    release = backend === null ? () => {} : claimNamespace(backend, namespace, { kind: 'by-key' })
  } catch (err) {
    void setup.discard()
    throw err
  }
  const engine = new CacheEngine({ ...setup, namespace })
  const keyed = new KeyedAccess(engine)
  const wraps: CacheControl[] = []
  const interopPrefixes: string[] = []
  let closed = false
  const keyOf = (key: unknown) => keyFromUserKey(namespace, key)

  const open = (): Promise<void> => {
    if (closed) {
      return Promise.reject(
        new CacheClosedError(
          'CLOSED',
          `Cache ${namespace} was closed (close() released its backend): create a new cache, or close it only at shutdown`,
        ),
      )
    }
    return engine.ready()
  }
  return {
    namespace,
    get<T>(key: string): Promise<T | undefined> {
      // The L1 hit path is synchronous, like a cached function's: one resolved promise, no awaits.
      try {
        if (!closed && engine.isReady) {
          const hit = engine.peek(keyOf(key))
          if (hit !== MISS) return Promise.resolve(hit as T)
        }
        return open()
          .then(() => keyed.get(keyOf(key), key))
          .then((value) => (value === MISS ? undefined : (value as T)))
      } catch (err) {
        return Promise.reject(err)
      }
    },
    async set(key, value, opts) {
      checkOptions(opts, SET_OPTIONS, 'set()')
      await open()
      await keyed.set([[keyOf(key), key, value]], validateTtl(opts?.ttl ?? setup.ttl))
    },
    async delete(key) {
      await open()
      return engine.invalidate(keyOf(key))
    },
    async has(key) {
      await open()
      return keyed.has(keyOf(key))
    },
    async ttl(key) {
      await open()
      return keyed.ttl(keyOf(key))
    },
    async getMany<T>(keys: readonly string[]) {
      const list = readKeyList(keys)
      await open()
      const values = await keyed.getMany(list.map(keyOf), list)
      return values.map((v) => (v === MISS ? undefined : v)) as Array<T | undefined>
    },
    async setMany(entries, opts) {
      const list = readEntries(entries)
      checkOptions(opts, SET_OPTIONS, 'setMany()')
      await open()
      const ttl = validateTtl(opts?.ttl ?? setup.ttl)
      // Keys and values are all checked (and serialized) before the first byte is written.
      if (list.length > 0)
        await keyed.set(
          list.map(([key, value]) => [keyOf(key), key, value] as const),
          ttl,
        )
    },
    wrap(fn, wrapOptions = {}) {
      checkOptions(wrapOptions, WRAP_OPTIONS, 'wrap()')
      if (closed)
        throw new CacheClosedError('CLOSED', `Cache ${namespace} was closed: wrap functions before close()`)
      if (wrapOptions.interop !== undefined) {
        // Interop keys are {namespace}:{operation}:..., the operation standing in for the wrap's name.
        const operation =
          typeof wrapOptions.interop === 'string' ? wrapOptions.interop : wrapOptions.interop.operation
        const cached = makeCached(
          fn,
          wrapOptions,
          intent,
          { fixed: namespace, explicit: true, composed: true },
          `function ${namespace}:${operation}`,
          setup,
        )
        interopPrefixes.push(interopPrefix(namespace, operation))
        wraps.push(cached)
        return cached
      }
      const name = wrapOptions.name ?? (setup.sharedStore || fn.name === '' ? undefined : fn.name)
      if (name === undefined) {
        throw new ConfigurationError(
          'NAMESPACE_REQUIRED',
          `wrap() needs { name } for ${fn.name === '' ? 'an anonymous function' : `function ${fn.name}`}` +
            (setup.sharedStore
              ? ' because the backend is shared (function names collide across services)'
              : '') +
            `: e.g. ${namespace}.wrap(fn, { name: 'byId' }) stores under ${namespacePrefix(namespace).slice(0, -1)}/byId:...`,
        )
      }
      const full = wrapNamespace(namespace, name)
      const { name: _name, ...rest } = wrapOptions
      // Its keys carry the cache's generation, so invalidate() reaches them on stores without prefix delete.
      const cached = makeCached(
        fn,
        rest,
        intent,
        { fixed: full, explicit: true, composed: true },
        `function ${full}`,
        { ...setup, generationNamespace: namespace },
      )
      wraps.push(cached)
      return cached
    },
    async invalidate(prefix = '') {
      if (typeof prefix !== 'string') {
        throw new ConfigurationError(
          'INVALID_ARGUMENT',
          `invalidate(prefix) takes a string, got ${typeof prefix}: e.g. invalidate('user:')`,
        )
      }
      await open()
      const own = namespacePrefix(namespace)
      return prefix === ''
        ? engine.clear([own, wrapsPrefix(namespace), ...interopPrefixes], true)
        : engine.clear([own + prefix])
    },
    info() {
      return engine.info()
    },
    health() {
      return setup.health()
    },
    async close() {
      if (closed) return
      closed = true
      release()
      engine.close()
      await Promise.all(wraps.map((w) => w.close()))
      await setup.close()
    },
  }
}

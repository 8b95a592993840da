import { CacheEngine } from '../cache/engine.js'
import type { CacheInfo } from '../cache/stats.js'
import { keyFromUserKey, namespacePrefix, validateNamespace } from '../keys/keys.js'
import type { IntentName } from './defaults.js'
import { type CacheOptions, resolveSetup, validateTtl } from './options.js'
import { type AnyFunction, type CachedFunction, makeCached } from './wrap.js'

export interface CreateCacheOptions extends Omit<CacheOptions, 'key' | 'async' | 'tenant'> {
  /** Key segment of every entry: `ck:{namespace}:{key}`. Default "default". */
  namespace?: string
  /** Preset to start from (default 'default'); see INTENT_DEFAULTS. */
  intent?: IntentName
  /** Tenant of encrypted entries: a fixed id, or a function of the entry's key. */
  tenant?: string | ((key: string) => string)
}

export interface SetOptions {
  /** Seconds; default the cache's ttl. */
  ttl?: number
}

/** A cache used by key. Values go through the same serializer, envelope, encryption and L1 as cache(). */
export interface Cache {
  readonly namespace: string
  /** The value, or undefined on a miss. Use has() to tell a stored undefined from a miss. */
  get<T = unknown>(key: string): Promise<T | undefined>
  /** Writes L1 and L2; rejects with BackendError when the backend write fails. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void>
  delete(key: string): Promise<boolean>
  has(key: string): Promise<boolean>
  /** Remaining seconds; null when missing. */
  ttl(key: string): Promise<number | null>
  /** One pipelined round trip for the keys L1 does not hold. */
  getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | undefined>>
  setMany(entries: Iterable<readonly [string, unknown]>, options?: SetOptions): Promise<void>
  /** A cached function sharing this cache's backend, L1, serializer and encryption. */
  wrap<F extends AnyFunction>(
    fn: F,
    options?: Pick<CacheOptions<Parameters<F>>, 'namespace' | 'ttl' | 'key'>,
  ): CachedFunction<F>
  /** Deletes every entry whose key starts with `prefix` (all of this namespace when omitted), in every process. */
  invalidate(prefix?: string): Promise<number>
  info(): CacheInfo
  /** Closes the backend (env-detected connections when their last user closes). */
  close(): Promise<void>
}

export function createCache(options: CreateCacheOptions = {}): Cache {
  const namespace = validateNamespace(options.namespace ?? 'default')
  const intent = options.intent ?? 'default'
  const setup = resolveSetup(intent, options as CacheOptions)
  const engine = new CacheEngine({ ...setup, namespace })
  const keyOf = (key: string) => keyFromUserKey(namespace, key)

  const get = async (key: string): Promise<{ value: unknown } | undefined> => {
    const full = keyOf(key)
    await engine.ready()
    const hit = engine.readL1(full) ?? (await engine.readL2(full, [key]))
    if (hit === undefined) engine.stats.misses++
    return hit
  }

  return {
    namespace,
    async get<T>(key: string) {
      return (await get(key))?.value as T | undefined
    },
    async set(key, value, opts = {}) {
      await engine.ready()
      await engine.write(keyOf(key), [key], value, validateTtl(opts.ttl ?? setup.ttl), true)
    },
    delete(key) {
      return engine.invalidate(keyOf(key))
    },
    async has(key) {
      const full = keyOf(key)
      if (setup.l1?.remainingMs(full) !== undefined) return true
      return setup.backend === null ? false : setup.backend.exists(full)
    },
    async ttl(key) {
      const full = keyOf(key)
      if (setup.backend !== null) return setup.backend.ttl(full)
      const ms = setup.l1?.remainingMs(full)
      return ms === undefined ? null : Math.ceil(ms / 1000)
    },
    async getMany<T>(keys: readonly string[]) {
      await engine.ready()
      const out: Array<T | undefined> = new Array(keys.length)
      const missing: number[] = []
      keys.forEach((key, i) => {
        const hit = engine.readL1(keyOf(key))
        if (hit === undefined) missing.push(i)
        else out[i] = hit.value as T
      })
      if (missing.length > 0 && setup.backend !== null) {
        const stored = await setup.backend.getMany(missing.map((i) => keyOf(keys[i] as string)))
        for (const [n, i] of missing.entries()) {
          const bytes = stored[n]
          const key = keys[i] as string
          // ttlMs 0 keeps these out of L1: MGET does not say how long L2 keeps them.
          const found =
            bytes == null ? undefined : engine.accept(keyOf(key), [key], { value: bytes, ttlMs: 0 })
          if (found === null) await engine.deleteCorrupt(keyOf(key))
          if (found == null) engine.stats.misses++
          else out[i] = found.value as T
        }
      } else {
        engine.stats.misses += missing.length
      }
      return out
    },
    async setMany(entries, opts = {}) {
      await engine.ready()
      const ttl = validateTtl(opts.ttl ?? setup.ttl)
      await Promise.all([...entries].map(([key, value]) => engine.write(keyOf(key), [key], value, ttl, true)))
    },
    wrap(fn, wrapOptions = {}) {
      const ns = wrapOptions.namespace ?? (fn.name === '' ? undefined : fn.name) ?? ''
      return makeCached(fn, wrapOptions, intent, { fixed: ns }, `function ${ns || '(anonymous)'}`, setup)
    },
    invalidate(prefix = '') {
      return engine.clear(namespacePrefix(namespace) + prefix)
    },
    info() {
      return engine.info()
    },
    close() {
      return setup.close()
    },
  }
}

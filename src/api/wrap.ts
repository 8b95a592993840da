import { CacheEngine, MISS } from '../cache/engine.js'
import type { CacheInfo } from '../cache/stats.js'
import type { IntentName } from '../defaults.js'
import { CacheClosedError, ConfigurationError } from '../errors.js'
import { interopPrefix } from '../keys/interop.js'
import { namespacePrefix, validateNamespace } from '../keys/keys.js'
import type { HealthReport } from '../reliability/health.js'
import { checkOptions } from '../validate.js'
import { CallKeys } from './call-keys.js'
import { asyncOnlyOption, asyncOnlyPolicy } from './freshness-options.js'
import {
  checkInteropStore,
  type InteropSpec,
  interopCodec,
  interopSpec,
  interopVersion,
  refuseInteropConflicts,
} from './interop.js'
import { claimNamespace } from './namespaces.js'
import { CACHE_OPTIONS } from './option-shapes.js'
import {
  type AnyArgs,
  type CacheOptions,
  type ResolvedOptions,
  resolveSetup,
  validateTtl,
} from './options.js'

/** The controls every cached function carries. `refresh` and `bypass` return what the function returns. */
export interface CacheControl<Args extends AnyArgs = AnyArgs, R = unknown> {
  /** Removes this call's entry from L1 and L2. */
  invalidate(...args: Args): Promise<boolean>
  /** Runs the function even on a hit and overwrites the entry. */
  refresh(...args: Args): R
  /** Runs the function without reading or writing the cache. */
  bypass(...args: Args): R
  /** Removes every entry of this function: its L1 and every process's L2 keys (SCAN by key prefix). */
  clear(): Promise<number>
  info(): CacheInfo
  /**
   * Checks the L2 store now (Redis: a PING within the deadline, the connection state) and adds what
   * its layers know (circuit breaker, backpressure): healthy, degraded or unhealthy, with reasons.
   */
  health(): Promise<HealthReport>
  /** The cache key of a call. */
  key(...args: Args): string
  /** Releases the backend connection this cached function opened or was given. */
  close(): Promise<void>
}

// biome-ignore lint/suspicious/noExplicitAny: the wrapped function's own signature is preserved
export type AnyFunction = (...args: any[]) => any
export type CachedFunction<F extends AnyFunction> = F & CacheControl<Parameters<F>, ReturnType<F>>

export const CONTROL = Symbol('cachekit.control')

/**
 * Where a cached function gets its namespace: fixed at wrap time (given by the user, or derived
 * from the function's name), or found later (standard-decorated methods, from their class).
 * `composed`: built by the library from validated parts (a by-key cache's wrap), not user input.
 */
export type NamespaceSource =
  | { fixed: string; explicit: boolean; composed?: boolean }
  | { resolve: (thisArg: unknown) => string }

function closedError(label: string): CacheClosedError {
  return new CacheClosedError(
    'CLOSED',
    `${label} was closed (close() released its backend): create a new cached function, or call close() only at shutdown`,
  )
}

function requireNamespace(label: string, backendName: string): never {
  throw new ConfigurationError(
    'NAMESPACE_REQUIRED',
    `${label} has no namespace, but its ${backendName} backend is shared: a name like "get" (or "t" after minification) ` +
      'would share entries with every other function of that name on the same store. Pass { namespace: "users.get" } ' +
      '(unique per function), or use cache.local / { backend: null } for a cache private to this process',
  )
}

function isAsyncFunction(fn: AnyFunction): boolean {
  const name = Object.getPrototypeOf(fn)?.constructor?.name
  return name === 'AsyncFunction' || name === 'AsyncGeneratorFunction'
}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Builds the replacement function. Async functions use L1 + L2 with single-flight; synchronous ones
 * can only use L1 and in-process backends, which is checked here, at wrap time.
 */
export function makeCached<F extends AnyFunction>(
  fn: F,
  options: CacheOptions,
  intent: IntentName,
  source: NamespaceSource,
  label: string,
  shared?: ResolvedOptions,
): CachedFunction<F> {
  if (shared === undefined) checkOptions(options, CACHE_OPTIONS, 'cache()')
  let interop: InteropSpec | null = null
  if (options.interop !== undefined) {
    refuseInteropConflicts(options as Record<string, unknown>, label)
    const given = 'fixed' in source && source.explicit ? source.fixed : undefined
    interop = interopSpec(options.interop, fn, given, label)
  }
  const isAsync = options.async === true || isAsyncFunction(fn)
  if (!isAsync && options.backend != null && options.backend.sync === undefined) {
    throw new ConfigurationError(
      'SYNC_FUNCTION_NETWORK_BACKEND',
      `${label} is synchronous, so it can only be served from L1 and cannot wait for a ${options.backend.name} backend: ` +
        'declare it async (or pass { async: true } if it returns a Promise), or use cache.local / a MemoryBackend',
    )
  }
  const asyncOnly = isAsync
    ? undefined
    : shared === undefined
      ? asyncOnlyOption(options)
      : asyncOnlyPolicy(shared.freshness)
  if (asyncOnly !== undefined) {
    throw new ConfigurationError(
      'ASYNC_ONLY_OPTION',
      `${label} is synchronous, but ${asyncOnly} needs to wait for or refresh a value in the background: declare it async, or remove ${asyncOnly}`,
    )
  }
  if ('fixed' in source && source.composed !== true) validateNamespace(source.fixed)
  // A cache object's wrap() shares its setup (backend, L1, codec); the cache object closes it.
  const setup: ResolvedOptions =
    shared === undefined
      ? resolveSetup(intent, options)
      : {
          ...shared,
          ...(interop === null
            ? {}
            : interopCodec(
                shared.encryption?.keys ?? null,
                shared.encryption?.tenant,
                interopVersion(options.interop),
              )),
          ttl: validateTtl(options.ttl ?? shared.ttl),
          close: async () => {},
          discard: async () => {},
        }
  const backend = setup.backend
  if (interop !== null) {
    try {
      checkInteropStore(setup.store, label)
    } catch (err) {
      void setup.discard()
      throw err
    }
  }
  if (setup.sharedStore && backend !== null && !('fixed' in source && source.explicit)) {
    void setup.discard()
    requireNamespace(label, backend.name)
  }
  const owner = { kind: 'function', fn, label } as const
  let release = (): void => {}
  if ('fixed' in source && backend !== null) {
    try {
      // Interop keys ({ns}:{op}:...) are a key space of their own, claimed as such (':' is not
      // allowed in other namespaces, so the two kinds of claims never meet).
      const claim = interop === null ? source.fixed : `${interop.namespace}:${interop.operation}`
      release = claimNamespace(backend, claim, owner)
    } catch (err) {
      void setup.discard()
      throw err
    }
  }
  if (!isAsync && setup.backend !== null && setup.backend.sync === undefined) {
    void setup.discard()
    throw new ConfigurationError(
      'SYNC_FUNCTION_NETWORK_BACKEND',
      `${label} is synchronous but the environment selects a ${setup.backend.name} backend it cannot wait for: ` +
        'declare it async (or pass { async: true }), or use cache.local / { backend: null } for L1 only',
    )
  }

  let engine: CacheEngine | undefined
  let closed = false
  const engineFor = (thisArg: unknown, evenClosed = false): CacheEngine => {
    if (closed && !evenClosed) throw closedError(label)
    if (engine !== undefined) return engine
    let namespace: string
    if ('fixed' in source) namespace = source.fixed
    else {
      namespace = validateNamespace(source.resolve(thisArg))
      if (backend !== null) release = claimNamespace(backend, namespace, owner)
    }
    engine = new CacheEngine({ ...setup, namespace })
    return engine
  }
  const keys = new CallKeys(interop, options.key as ((...args: never[]) => string) | undefined, label)
  const keyOf = (thisArg: unknown, args: unknown[]): string =>
    keys.of(engineFor(thisArg).config.namespace, thisArg, args)

  const callAsync = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    // The hit path: key, L1 lookup, one resolved promise. Latency is timed on a sample of hits.
    let started = 0
    try {
      if (closed) throw closedError(label)
      const e = engine ?? engineFor(this)
      const stats = e.stats
      const sampled = stats.sampleCall()
      if (sampled) started = performance.now()
      const key = keyOf(this, args)
      const hit = e.peek(key)
      if (hit !== MISS) {
        if (sampled) stats.recordSampledHit(started)
        if (e.refreshesAhead) e.refreshAhead(key, args, () => fn.apply(this, args))
        return Promise.resolve(hit)
      }
      if (!sampled) started = performance.now()
      return e.fetch(key, args, () => fn.apply(this, args), started)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  const callSync = function (this: unknown, ...args: unknown[]): unknown {
    const e = engineFor(this)
    const stats = e.stats
    const sampled = stats.sampleCall()
    let started = sampled ? performance.now() : 0
    const key = keyOf(this, args)
    const hit = e.peek(key)
    if (hit !== MISS) {
      if (sampled) stats.recordSampledHit(started)
      return hit
    }
    if (!sampled) started = performance.now()
    const value = e.fetchSync(key, args, () => {
      const result = fn.apply(this, args)
      if (isThenable(result)) {
        throw new ConfigurationError(
          'SYNC_FUNCTION_RETURNED_PROMISE',
          `${label} is not declared async but returned a Promise: declare it async or pass { async: true }`,
        )
      }
      return result
    })
    stats.record(started)
    return value
  }

  const cached = (isAsync ? callAsync : callSync) as unknown as CachedFunction<F>
  const control: CacheControl = {
    invalidate(...args) {
      return Promise.resolve().then(() => engineFor(this).invalidate(keyOf(this, args)))
    },
    refresh(this: unknown, ...args) {
      const e = engineFor(this)
      if (!isAsync) {
        const key = keyOf(this, args)
        e.events.emit('refresh', e.config.namespace, key)
        return e.writeSync(key, args, fn.apply(this, args))
      }
      try {
        return e.refresh(keyOf(this, args), args, () => fn.apply(this, args))
      } catch (err) {
        return Promise.reject(err)
      }
    },
    bypass(this: unknown, ...args) {
      const e = engineFor(this, true)
      e.events.emit('bypass', e.config.namespace)
      return fn.apply(this, args)
    },
    async clear() {
      const e = engineFor(this)
      const prefix =
        interop === null
          ? namespacePrefix(e.config.namespace)
          : interopPrefix(interop.namespace, interop.operation)
      return e.clear([prefix], true)
    },
    info() {
      return engineFor(this, true).info()
    },
    health() {
      return setup.health()
    },
    key(...args) {
      return keyOf(this, args)
    },
    async close() {
      if (closed) return
      closed = true
      release()
      engine?.close()
      await setup.close()
    },
  }
  Object.assign(cached, control)
  Object.defineProperty(cached, CONTROL, { value: control })
  Object.defineProperty(cached, 'name', { value: fn.name, configurable: true })
  return cached
}

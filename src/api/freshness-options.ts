import type { Backend } from '../backends/backend.js'
import type { FreshnessPolicy } from '../cache/freshness.js'
import type { LockSettings } from '../cache/stampede-lock.js'
import { CACHE_DEFAULTS, INTENT_DEFAULTS, type IntentName } from '../defaults.js'
import { ConfigurationError } from '../errors.js'
import { type Check, checkOptions, invalid, positiveInteger, type Shape } from '../validate.js'
import { parseTtl } from './ttl.js'

/**
 * The stampede and freshness options of `cache()` / `createCache()`: stale-while-revalidate, grace,
 * refresh-ahead, TTL jitter, the function's timeouts and the distributed lock (README "Stampedes
 * and freshness"). Checked here, resolved once per cache into the engine's FreshnessPolicy and
 * LockSettings.
 */
export interface FreshnessOptions {
  /** Past the TTL, serve the value at once for this long while one background refresh runs (default off). */
  staleWhileRevalidate?: number | string | false
  /** Past the TTL, answer a failure of the function or the store with the stale value for this long (default off). */
  grace?: number | string | false
  /** A hit with less than this fraction of the TTL left refreshes in the background (0 < r < 1; default off). */
  refreshAhead?: number | false
  /** Spread each write's TTL over ±this fraction (0 to 0.5; default 0.1); `false`: exact TTLs. */
  ttlJitter?: number | false
  /** The wrapped function's deadlines, in ms: `softMs` serves a stale value meanwhile, `hardMs` fails the call. */
  computeTimeout?: { softMs?: number; hardMs?: number }
  /** Compute a cold key once across processes (the store's locks); default on in `cache.production`. */
  lock?: boolean | { leaseMs?: number; waitMs?: number }
}

const isDuration: Check = (v, path) => {
  if (v === false) return
  parseTtl(v, path)
}

const isRatio: Check = (v, path) => {
  if (v === false) return
  if (typeof v !== 'number' || !(v > 0 && v < 1))
    invalid(path, v, 'a fraction of the TTL above 0 and below 1 (e.g. 0.5), or false')
}

const isJitter: Check = (v, path) => {
  if (v === false) return
  if (typeof v !== 'number' || !(v >= 0 && v <= 0.5))
    invalid(path, v, 'a fraction from 0 to 0.5 (e.g. 0.1 for ±10 %), or false')
}

const TIMEOUT_SHAPE: Shape = { softMs: positiveInteger, hardMs: positiveInteger }
const LOCK_SHAPE: Shape = { leaseMs: positiveInteger, waitMs: positiveInteger }

export const FRESHNESS_SHAPES: Shape = {
  staleWhileRevalidate: isDuration,
  grace: isDuration,
  refreshAhead: isRatio,
  ttlJitter: isJitter,
  computeTimeout: (v, path) => checkOptions(v, TIMEOUT_SHAPE, 'computeTimeout', path),
  lock: (v, path) => {
    if (typeof v !== 'boolean') checkOptions(v, LOCK_SHAPE, 'the lock option', path)
  },
}

const seconds = (v: number | string | false | undefined, fallback: number, path: string): number =>
  v === undefined ? fallback : v === false ? 0 : parseTtl(v, path)

/** The policy of one cache, from options already checked against FRESHNESS_SHAPES. */
export function resolveFreshness(options: FreshnessOptions): FreshnessPolicy {
  const softMs = options.computeTimeout?.softMs ?? CACHE_DEFAULTS.computeSoftTimeoutMs
  const hardMs = options.computeTimeout?.hardMs ?? CACHE_DEFAULTS.computeHardTimeoutMs
  if (softMs > 0 && hardMs > 0 && softMs >= hardMs) {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `computeTimeout.softMs (${softMs}) must be below hardMs (${hardMs}): the soft timeout serves a stale value before the hard one fails the call`,
    )
  }
  const jitter = options.ttlJitter
  const refreshAhead = options.refreshAhead
  return Object.freeze({
    swrMs:
      seconds(
        options.staleWhileRevalidate,
        CACHE_DEFAULTS.staleWhileRevalidateSeconds,
        'staleWhileRevalidate',
      ) * 1000,
    graceMs: seconds(options.grace, CACHE_DEFAULTS.graceSeconds, 'grace') * 1000,
    refreshAhead:
      refreshAhead === undefined ? CACHE_DEFAULTS.refreshAhead : refreshAhead === false ? 0 : refreshAhead,
    jitter: jitter === undefined ? CACHE_DEFAULTS.ttlJitter : jitter === false ? 0 : jitter,
    softTimeoutMs: softMs,
    hardTimeoutMs: hardMs,
  })
}

/**
 * The lock settings, or null when the cache does not lock. Asked for explicitly, a store without
 * locks (or no store) is an error; on by the intent's default, it applies where the store has locks.
 */
export function resolveLock(
  intent: IntentName,
  option: FreshnessOptions['lock'],
  store: Backend | null,
): LockSettings | null {
  const on = option === undefined ? INTENT_DEFAULTS[intent].lock : option !== false
  if (!on) return null
  if (store === null || store.locks === undefined) {
    if (option === undefined) return null
    throw new ConfigurationError(
      'LOCK_UNSUPPORTED',
      `lock needs a store that can take leases (RedisBackend, MemoryBackend), but ${store === null ? 'this cache has no L2 store' : `the ${store.name} backend has no locks`}: ` +
        'remove the lock option, or use such a store',
    )
  }
  const given = typeof option === 'object' ? option : {}
  return Object.freeze({
    leaseMs: given.leaseMs ?? CACHE_DEFAULTS.lockLeaseMs,
    waitMs: given.waitMs ?? CACHE_DEFAULTS.lockWaitMs,
    retryMs: CACHE_DEFAULTS.lockRetryMs,
    maxRetryMs: CACHE_DEFAULTS.lockMaxRetryMs,
  })
}

/** The options that only asynchronous functions can use (the synchronous path never waits or refreshes). */
export function asyncOnlyOption(options: FreshnessOptions): string | undefined {
  if (options.staleWhileRevalidate !== undefined && options.staleWhileRevalidate !== false)
    return 'staleWhileRevalidate'
  if (options.grace !== undefined && options.grace !== false) return 'grace'
  if (options.refreshAhead !== undefined && options.refreshAhead !== false) return 'refreshAhead'
  if (options.computeTimeout !== undefined) return 'computeTimeout'
  if (options.lock !== undefined && options.lock !== false) return 'lock'
  return undefined
}

/** `asyncOnlyOption` for a resolved policy (a by-key cache's settings, seen by its wraps). */
export function asyncOnlyPolicy(policy: FreshnessPolicy | undefined): string | undefined {
  if (policy === undefined) return undefined
  if (policy.swrMs > 0) return 'staleWhileRevalidate'
  if (policy.graceMs > 0) return 'grace'
  if (policy.refreshAhead > 0) return 'refreshAhead'
  if (policy.softTimeoutMs > 0 || policy.hardTimeoutMs > 0) return 'computeTimeout'
  return undefined
}

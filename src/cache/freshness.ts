/**
 * How long an entry is fresh, and what may be served after that: the settings of one cache's
 * stale-while-revalidate window, grace period, refresh-ahead ratio, TTL jitter and function
 * timeouts, resolved once (every number in milliseconds or a fraction; 0 is off).
 *
 * An entry is written with `ttl` (jittered) of freshness plus `extraMs` = max(swr, grace) of
 * staleness, in both tiers: L2 keeps it `ttl + extra` seconds and an L2 read is fresh while more than
 * `extra` remains, so every process sees the same deadlines without any new stored field.
 */
export interface FreshnessPolicy {
  /** Stale-while-revalidate: how long past its fresh TTL a value is served at once while one refresh runs. */
  readonly swrMs: number
  /** Grace: how long past its fresh TTL a value is served when the function or the store fails. */
  readonly graceMs: number
  /** Refresh-ahead: a hit with less than this fraction of the TTL left starts a background refresh. */
  readonly refreshAhead: number
  /** TTL jitter: each write's TTL is spread uniformly over ±this fraction. */
  readonly jitter: number
  /** Past it, a caller that has a stale value gets it while the function goes on. */
  readonly softTimeoutMs: number
  /** Past it, a caller gets FunctionTimeoutError (or a value within grace); the function goes on. */
  readonly hardTimeoutMs: number
}

export const NO_FRESHNESS_FEATURES: FreshnessPolicy = Object.freeze({
  swrMs: 0,
  graceMs: 0,
  refreshAhead: 0,
  jitter: 0,
  softTimeoutMs: 0,
  hardTimeoutMs: 0,
})

/** How long entries are kept past their fresh deadline. */
export function extraMs(policy: FreshnessPolicy): number {
  return Math.max(policy.swrMs, policy.graceMs)
}

/** Whether anything past the fresh deadline can be served (the stale-aware read path is needed). */
export function servesStale(policy: FreshnessPolicy): boolean {
  return policy.swrMs > 0 || policy.graceMs > 0
}

/**
 * A write's TTL in whole seconds: `ttl` spread over ±jitter, never below 1 second. Redis takes
 * whole seconds, so short TTLs spread less (a 5-second TTL with 10 % jitter stays 5 seconds: ±0.5 s
 * rounds away), which is documented with the option.
 */
export function jitteredTtl(ttlSeconds: number, jitter: number, random: () => number = Math.random): number {
  if (jitter === 0) return ttlSeconds
  const spread = ttlSeconds * jitter * (2 * random() - 1)
  return Math.max(1, Math.round(ttlSeconds + spread))
}

/** How long past its fresh deadline an entry with `remainingMs` left in L2 is (0: fresh). */
export function pastFreshMs(remainingMs: number | null, policy: FreshnessPolicy): number {
  if (remainingMs === null) return 0
  return Math.max(0, extraMs(policy) - remainingMs)
}

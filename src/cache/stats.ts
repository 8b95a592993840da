import { BACKEND_ERROR_KINDS, BackendError, type BackendErrorKind } from '../errors.js'
import type { BreakerState } from '../reliability/breaker.js'
import type { CacheObserver, LockOutcome, Refusal, StaleReason } from './events.js'

/** What `info()` returns. Counters only grow; `avgLatencyMs` estimates every cached call (hits and misses). */
export interface CacheInfo {
  namespace: string
  /** The L2 backend's name (`'redis'`, `'memory'`), or `'none'` when this cache has no L2 (L1 only). */
  backend: string
  /** Whether an L2 backend is in use (false: L1 only). */
  l2: boolean
  ttl: number
  serializer: string
  encrypted: boolean
  l1: { entries: number; bytes: number; maxBytes: number; mode: 'copy' | 'frozen' } | null
  /** Calls answered without running the function: l1Hits + l2Hits + coalesced. */
  hits: number
  misses: number
  l1Hits: number
  l2Hits: number
  /** Concurrent calls that waited for another call's computation (single-flight). */
  coalesced: number
  refreshes: number
  bypasses: number
  /** Every counted failure: L2 reads and writes, decrypt and integrity failures. */
  errors: number
  l2ReadErrors: number
  l2WriteErrors: number
  decryptErrors: number
  integrityErrors: number
  /**
   * The circuit breaker of this cache's store; null without one (L1 only, an in-process store,
   * `reliability: { breaker: false }`).
   */
  breaker: BreakerState | null
  /**
   * L2 failures (reads, writes, deletes) by BackendError kind; timeouts are `timeout`. Shed and
   * refused operations are in here too (`transient`, `connection`), and also counted below.
   */
  l2Errors: Record<BackendErrorKind, number>
  /** L2 operations shed by backpressure: never sent (a read was a miss, a write skipped). */
  l2Shed: number
  /** L2 operations the open circuit breaker refused: never sent. */
  l2Rejected: number
  /** Calls whose function returned `undefined`: returned to the caller, not stored (see `cacheUndefined`). */
  undefinedResults: number
  inFlight: number
  /** Stampedes and freshness (README "Stampedes and freshness"): what was served stale, and why. */
  stale: {
    /** Values served past their fresh TTL, by reason. */
    served: Record<StaleReason, number>
    /** Background recomputations (stale-while-revalidate, refresh-ahead) that ended well / failed. */
    backgroundRefreshes: number
    backgroundRefreshFailures: number
  }
  /** The distributed lock of cold keys: taken, waited for (another process computed), given up on. */
  lock: Record<LockOutcome, number>
  /** Calls that failed because the function ran past its hard timeout. */
  computeTimeouts: number
  /**
   * Mean latency of a cached call in ms, an estimate: misses, L2 reads and refreshes are each timed,
   * while L1 hits are timed one call in HIT_SAMPLE_INTERVAL (64) and that sample counts for 64 hits,
   * so a hit reads no clock for latency (two clock reads cost as much as the rest of a frozen hit).
   */
  avgLatencyMs: number
}

/** One call in this many is timed when it turns out to be an L1 hit; a power of two. */
export const HIT_SAMPLE_INTERVAL = 64

/**
 * The counters behind `info()`: an observer of the cache's events, except `l1Hits`, which the hit
 * path increments itself (see events.ts).
 */
export class CacheStats implements CacheObserver {
  l1Hits = 0
  l2Hits = 0
  coalesced = 0
  misses = 0
  refreshes = 0
  bypasses = 0
  l2ReadErrors = 0
  l2WriteErrors = 0
  decryptErrors = 0
  integrityErrors = 0
  undefinedResults = 0
  readonly l2Errors: Record<BackendErrorKind, number> = Object.fromEntries(
    BACKEND_ERROR_KINDS.map((kind) => [kind, 0]),
  ) as Record<BackendErrorKind, number>
  l2Shed = 0
  l2Rejected = 0
  readonly staleServed: Record<StaleReason, number> = {
    swr: 0,
    'grace-error': 0,
    'grace-backend': 0,
    'soft-timeout': 0,
  }
  backgroundRefreshes = 0
  backgroundRefreshFailures = 0
  readonly locks: Record<LockOutcome, number> = { acquired: 0, waited: 0, fellThrough: 0 }
  computeTimeouts = 0
  #calls = 0
  #latencyMs = 0
  #tick = 0

  l2Hit(): void {
    this.l2Hits++
  }
  joined(): void {
    this.coalesced++
  }
  miss(): void {
    this.misses++
  }
  refresh(): void {
    this.refreshes++
  }
  bypass(): void {
    this.bypasses++
  }
  undefinedResult(): void {
    this.undefinedResults++
  }
  l2Error(_namespace: string, _key: string, operation: 'read' | 'write' | 'delete', error: unknown): void {
    if (operation === 'read') this.l2ReadErrors++
    else this.l2WriteErrors++
    // A backend that breaks its contract (rejects with something else) counts as transient.
    const backendError = error instanceof BackendError ? error : undefined
    this.l2Errors[backendError?.kind ?? 'transient']++
    if (backendError?.code === 'OVERLOADED') this.l2Shed++
    else if (backendError?.code === 'CIRCUIT_OPEN') this.l2Rejected++
  }
  stale(_namespace: string, _key: string, reason: StaleReason): void {
    this.staleServed[reason]++
  }
  backgroundRefresh(_namespace: string, _key: string, ok: boolean): void {
    if (ok) this.backgroundRefreshes++
    else this.backgroundRefreshFailures++
  }
  lock(_namespace: string, _key: string, outcome: LockOutcome): void {
    this.locks[outcome]++
  }
  computeTimeout(): void {
    this.computeTimeouts++
  }
  refused(_namespace: string, _key: string, refusal: Refusal): void {
    if (refusal.decryption) this.decryptErrors++
    else this.integrityErrors++
  }

  /** Whether this call is timed even if it is an L1 hit: true for one call in HIT_SAMPLE_INTERVAL. */
  sampleCall(): boolean {
    return (++this.#tick & (HIT_SAMPLE_INTERVAL - 1)) === 0
  }

  /** An L1 hit: counted in the mean (its latency only when sampled). */
  countHit(): void {
    this.#calls++
  }

  /** The latency of a sampled L1 hit (already counted): stands for HIT_SAMPLE_INTERVAL hits in the mean. */
  recordSampledHit(startedAt: number): void {
    this.#latencyMs += (performance.now() - startedAt) * HIT_SAMPLE_INTERVAL
  }

  /** Any other call (miss, L2 hit, coalesced, refresh): timed on its own. */
  record(startedAt: number): void {
    this.#calls++
    this.#latencyMs += performance.now() - startedAt
  }

  get errors(): number {
    return this.l2ReadErrors + this.l2WriteErrors + this.decryptErrors + this.integrityErrors
  }

  get hits(): number {
    return this.l1Hits + this.l2Hits + this.coalesced
  }

  get avgLatencyMs(): number {
    return this.#calls === 0 ? 0 : this.#latencyMs / this.#calls
  }
}

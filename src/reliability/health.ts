import type { Backend } from '../backends/backend.js'
import type { BackpressureBackend } from './backpressure.js'
import type { BreakerState, CircuitBreakerBackend } from './breaker.js'
import { reasonOf } from './layer-logger.js'

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy'

/** What a backend says about itself (RedisBackend.health(): a PING and the connection state). */
export interface StoreHealth {
  readonly status: HealthStatus
  /** Why it is not healthy; empty when it is. */
  readonly reasons: readonly string[]
  /** Round trip of the check, in milliseconds; null when it could not be sent. */
  readonly latencyMs: number | null
  /** The client's connection state (Redis: ioredis `status`); null when the store has none. */
  readonly connection: string | null
}

/** What `health()` returns: the store's own check, with what the layers in front of it know. */
export interface HealthReport extends StoreHealth {
  /** The backend's name, or `'none'` for an L1-only cache. */
  readonly backend: string
  /** The circuit breaker's state; null without one (`breaker: false`, in-process or no store). */
  readonly breaker: BreakerState | null
}

const RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, degraded: 1, unhealthy: 2 }

export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[b] > RANK[a] ? b : a
}

/** A key no cache uses (`!` is not allowed in namespaces): what a store without health() is asked. */
const PROBE_KEY = 'ck:!health'

/** Resolves to the outcome of `work`, or rejects once `ms` have passed without one. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

interface SelfReporting {
  health(): Promise<StoreHealth>
}

function reportsItself(store: Backend): store is Backend & SelfReporting {
  return typeof (store as Partial<SelfReporting>).health === 'function'
}

/**
 * The store's own health() when it has one; otherwise one read of an unused key, straight to the
 * store (past every layer), within `timeoutMs`. Slower than half the deadline is degraded.
 */
export async function storeHealth(store: Backend, timeoutMs: number): Promise<StoreHealth> {
  if (reportsItself(store)) {
    try {
      return await within(store.health(), timeoutMs * 2)
    } catch (err) {
      return {
        status: 'unhealthy',
        reasons: [`health check failed: ${reasonOf(err)}`],
        latencyMs: null,
        connection: null,
      }
    }
  }
  const started = performance.now()
  try {
    await within(store.exists(PROBE_KEY), timeoutMs)
  } catch (err) {
    return {
      status: 'unhealthy',
      reasons: [`a probe read failed: ${reasonOf(err)}`],
      latencyMs: null,
      connection: null,
    }
  }
  const latencyMs = performance.now() - started
  const slow = latencyMs > timeoutMs / 2
  return {
    status: slow ? 'degraded' : 'healthy',
    reasons: slow
      ? [`a probe read took ${latencyMs.toFixed(1)} ms, over half the ${timeoutMs} ms deadline`]
      : [],
    latencyMs,
    connection: null,
  }
}

/** An L1-only cache: nothing to be unhealthy about. */
export const L1_ONLY_HEALTH: HealthReport = Object.freeze({
  status: 'healthy',
  reasons: Object.freeze([]) as readonly string[],
  latencyMs: null,
  connection: null,
  backend: 'none',
  breaker: null,
})

/** A store without layers (in-process): its own check only. */
export async function unlayeredHealth(store: Backend, timeoutMs: number): Promise<HealthReport> {
  return { ...(await storeHealth(store, timeoutMs)), backend: store.name, breaker: null }
}

/** How recently a shed operation still makes the store degraded. */
const SHED_RECENT_MS = 10_000

/**
 * The layers of one store and what they know: the composed backend the caches use, its breaker and
 * backpressure, and the store itself for health checks.
 */
export class ReliableStore {
  readonly backend: Backend
  readonly store: Backend
  readonly timeoutMs: number
  readonly breaker: CircuitBreakerBackend | null
  readonly backpressure: BackpressureBackend | null

  constructor(parts: {
    backend: Backend
    store: Backend
    timeoutMs: number
    breaker: CircuitBreakerBackend | null
    backpressure: BackpressureBackend | null
  }) {
    this.backend = parts.backend
    this.store = parts.store
    this.timeoutMs = parts.timeoutMs
    this.breaker = parts.breaker
    this.backpressure = parts.backpressure
  }

  /** The breaker's state for info(); null when it is off. */
  get breakerState(): BreakerState | null {
    const breaker = this.breaker
    return breaker === null || !breaker.enabled ? null : breaker.state
  }

  /** The store is known to be down (breaker not closed, or its last operation failed). */
  get down(): boolean {
    return this.breaker?.down ?? false
  }

  async health(): Promise<HealthReport> {
    const own = await storeHealth(this.store, this.timeoutMs)
    let status = own.status
    const reasons = [...own.reasons]
    const breaker = this.breaker?.snapshot()
    if (breaker !== undefined && this.breaker?.enabled === true && breaker.state !== 'closed') {
      const open = breaker.state === 'open'
      status = worse(status, open ? 'unhealthy' : 'degraded')
      reasons.push(
        open
          ? `circuit breaker open (${reasonOf(breaker.lastFailure)}): L2 is skipped for ${breaker.retryInMs} ms more, then probed`
          : 'circuit breaker half-open: probing the store before using it again',
      )
    } else if (breaker !== undefined && breaker.failures > 0) {
      status = worse(status, 'degraded')
      reasons.push(
        `${breaker.failures} L2 operation(s) in a row failed, the last: ${reasonOf(breaker.lastFailure)}`,
      )
    }
    const pressure = this.backpressure?.snapshot()
    if (pressure !== undefined && pressure.waiting > 0) {
      status = worse(status, 'degraded')
      reasons.push(
        `${pressure.waiting} L2 operation(s) waiting for one of ${this.backpressure?.settings.maxConcurrent} slots`,
      )
    }
    if (
      pressure !== undefined &&
      pressure.shed > 0 &&
      performance.now() - pressure.lastShedAt < SHED_RECENT_MS
    ) {
      status = worse(status, 'degraded')
      reasons.push(`L2 operations were shed in the last ${SHED_RECENT_MS / 1000} s (${pressure.shed} in all)`)
    }
    return {
      status,
      reasons,
      latencyMs: own.latencyMs,
      connection: own.connection,
      backend: this.store.name,
      breaker: this.breakerState,
    }
  }
}

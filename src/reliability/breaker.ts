import type { Backend, BackendEntry, BackendLocks } from '../backends/backend.js'
import type { BreakerOptions } from '../backends/reliability-options.js'
import { BackendError } from '../errors.js'
import { PassThroughBackend } from './compose.js'
import { type LayerLogger, reasonOf } from './layer-logger.js'
import { start } from './timeout.js'

export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * Whether a failure says the store is unavailable: timeouts, connection and transient errors, and
 * anything that is not a BackendError (a custom backend that breaks its contract). Authentication
 * and permanent errors are answers from a reachable store: they neither trip the breaker nor count
 * as successes.
 */
export function isOutage(err: unknown): boolean {
  if (!(err instanceof BackendError)) return true
  return err.kind === 'timeout' || err.kind === 'connection' || err.kind === 'transient'
}

/** What the breaker knows, for info() and health(). */
export interface BreakerSnapshot {
  readonly state: BreakerState
  /** Consecutive outage failures (closed), or successful probes so far (half-open). */
  readonly failures: number
  /** Times it has opened. */
  readonly opened: number
  /** Operations it refused because it was open (or all probes were out). */
  readonly rejected: number
  /** The failure that opened it, or the latest one. */
  readonly lastFailure: unknown
  /** Milliseconds until an open breaker lets a probe through (0 otherwise). */
  readonly retryInMs: number
}

/**
 * A circuit breaker over one store. Closed: every operation goes through, and `failureThreshold`
 * consecutive outage failures (see isOutage) open it. Open: every operation is refused at once with
 * BackendError `CIRCUIT_OPEN` (kind `connection`): a read is a miss, a write is skipped, in
 * microseconds. After `recoveryMs` it is half-open: up to `halfOpenProbes` operations at a time go
 * through as probes; `successThreshold` successes in a row close it, one outage failure opens it
 * again for another `recoveryMs`.
 *
 * Only operations this breaker let through count, and only in the state that let them through: a
 * late answer to an operation sent before the breaker opened changes nothing.
 *
 * `enabled: false` (`breaker: false`): it never opens, and only watches outcomes, so health() and
 * the cache can still tell that the store's last operation failed.
 */
export class CircuitBreakerBackend extends PassThroughBackend {
  readonly settings: Readonly<Required<BreakerOptions>>
  readonly enabled: boolean
  readonly #logger: LayerLogger
  #state: BreakerState = 'closed'
  /** Bumped on every change of state; an outcome counts only in the epoch that sent it. */
  #epoch = 0
  #failures = 0
  #successes = 0
  #probes = 0
  #openedAt = 0
  #opened = 0
  #rejected = 0
  #lastFailure: unknown
  /** Told of every change of state (metrics, diagnostics_channel); set by whoever composes the layers. */
  onTransition: ((from: BreakerState, to: BreakerState, reason: string) => void) | undefined

  override readonly locks: BackendLocks | undefined

  override readonly getManyWithTtl:
    | ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>)
    | undefined

  constructor(
    next: Backend,
    settings: Readonly<Required<BreakerOptions>>,
    logger: LayerLogger,
    enabled = true,
  ) {
    super(next)
    this.settings = settings
    this.enabled = enabled
    this.#logger = logger
    const locks = next.locks
    this.locks =
      locks === undefined
        ? undefined
        : {
            acquire: (key, token, leaseMs) =>
              this.#call('acquireLock', () => locks.acquire(key, token, leaseMs)),
            release: (key, token) => this.#call('releaseLock', () => locks.release(key, token)),
          }
    const many = next.getManyWithTtl
    this.getManyWithTtl =
      many === undefined ? undefined : (keys) => this.#call('getManyWithTtl', () => many.call(next, keys))
  }

  /**
   * `breaker: false`: a breaker that never opens, kept for what it watches (health(), and whether a
   * cached call waits for its write). Its settings are never used.
   */
  static watchOnly(next: Backend, logger: LayerLogger): CircuitBreakerBackend {
    const never = {
      failureThreshold: Number.POSITIVE_INFINITY,
      successThreshold: 1,
      recoveryMs: 1,
      halfOpenProbes: 1,
    }
    return new CircuitBreakerBackend(next, never, logger, false)
  }

  /** The state now (an open breaker whose recovery time has passed reports half-open). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#retryInMs() === 0) return 'half-open'
    return this.#state
  }

  /**
   * The store is known to be down: the breaker is not closed, or the last operation it saw failed
   * with an outage. A cached call then does not wait for its write.
   */
  get down(): boolean {
    return this.#state !== 'closed' || this.#failures > 0
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.state,
      failures: this.#state === 'half-open' ? this.#successes : this.#failures,
      opened: this.#opened,
      rejected: this.#rejected,
      lastFailure: this.#lastFailure,
      retryInMs: this.#retryInMs(),
    }
  }

  #retryInMs(): number {
    if (this.#state !== 'open') return 0
    return Math.max(0, Math.ceil(this.#openedAt + this.settings.recoveryMs - performance.now()))
  }

  #call<T>(op: string, send: () => Promise<T>): Promise<T> {
    if (this.#state === 'closed') return this.#watch(start(send), this.#epoch, false)
    if (!this.#admitProbe()) {
      this.#rejected++
      return Promise.reject(this.#refusal(op))
    }
    return this.#watch(start(send), this.#epoch, true)
  }

  #watch<T>(work: Promise<T>, epoch: number, probe: boolean): Promise<T> {
    return work.then(
      (value) => {
        if (epoch === this.#epoch) this.#succeeded(probe)
        return value
      },
      (err: unknown) => {
        if (epoch === this.#epoch) this.#failed(err, probe)
        else this.#report(err)
        throw err
      },
    )
  }

  #admitProbe(): boolean {
    if (this.#state === 'open') {
      if (this.#retryInMs() > 0) return false
      this.#enter('half-open', `${this.settings.recoveryMs} ms passed since it opened`)
      this.#logger.debug?.(
        { event: 'l2-breaker-half-open', backend: this.name },
        `L2 circuit breaker of ${this.name} half-open: letting ${this.settings.halfOpenProbes} probe(s) through`,
      )
    }
    if (this.#probes >= this.settings.halfOpenProbes) return false
    this.#probes++
    return true
  }

  #succeeded(probe: boolean): void {
    if (!probe) {
      this.#failures = 0
      return
    }
    this.#probes--
    if (++this.#successes < this.settings.successThreshold) return
    this.#enter('closed', `${this.settings.successThreshold} probes succeeded`)
    this.#logger.info?.(
      { event: 'l2-breaker-closed', backend: this.name },
      `L2 circuit breaker of ${this.name} closed: ${this.settings.successThreshold} probes succeeded, L2 is used again`,
    )
  }

  #failed(err: unknown, probe: boolean): void {
    if (probe) this.#probes--
    if (!isOutage(err)) {
      this.#report(err)
      return
    }
    this.#lastFailure = err
    if (probe) {
      this.#open(`a probe failed (${reasonOf(err)})`)
      return
    }
    if (++this.#failures >= this.settings.failureThreshold && this.enabled) {
      this.#open(`${this.#failures} consecutive failures, the last: ${reasonOf(err)}`)
    }
  }

  /** Authentication and permanent errors are not outages, and retrying will not fix them: said loudly. */
  #report(err: unknown): void {
    if (!(err instanceof BackendError) || err.code === 'UNSUPPORTED' || isOutage(err)) return
    const what = err.kind === 'authentication' ? 'refused the credentials' : 'refused an operation'
    this.#logger.warn(
      { event: `l2-${err.kind}-error`, backend: this.name, err },
      `${this.name} ${what} (${err.kind}; not retried, the circuit breaker is not affected): ${err.message}`,
    )
  }

  #open(why: string): void {
    this.#openedAt = performance.now()
    this.#enter('open', why)
    this.#opened++
    this.#logger.warn(
      { event: 'l2-breaker-open', backend: this.name, err: this.#lastFailure },
      `L2 circuit breaker of ${this.name} open after ${why}: calls run without L2 for ${this.settings.recoveryMs} ms, then probes`,
    )
  }

  #enter(state: BreakerState, reason: string): void {
    const from = this.#state
    this.#state = state
    this.#epoch++
    this.#failures = 0
    this.#successes = 0
    this.#probes = 0
    this.onTransition?.(from, state, reason)
  }

  #refusal(op: string): BackendError {
    const retry = this.#retryInMs()
    const when = retry > 0 ? `a probe goes through in ${retry} ms` : 'a probe is in flight'
    return new BackendError(
      'CIRCUIT_OPEN',
      `${this.name} ${op} skipped: the circuit breaker is open (${reasonOf(this.#lastFailure)}); ${when}. ` +
        'Calls run without L2 meanwhile: check the store (health()), or tune reliability.breaker',
      { kind: 'connection', cause: this.#lastFailure },
    )
  }

  override get(key: string): Promise<Buffer | null> {
    return this.#call('get', () => this.next.get(key))
  }
  override getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#call('getWithTtl', () => this.next.getWithTtl(key))
  }
  override set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    return this.#call('set', () => this.next.set(key, value, ttlSeconds))
  }
  override setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    return this.#call('setMany', () => this.next.setMany(entries, ttlSeconds))
  }
  override delete(key: string): Promise<boolean> {
    return this.#call('delete', () => this.next.delete(key))
  }
  override exists(key: string): Promise<boolean> {
    return this.#call('exists', () => this.next.exists(key))
  }
  override ttl(key: string): Promise<number | null> {
    return this.#call('ttl', () => this.next.ttl(key))
  }
  override getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return this.#call('getMany', () => this.next.getMany(keys))
  }
  override deleteByPrefix(prefix: string): Promise<number> {
    return this.#call('deleteByPrefix', () => this.next.deleteByPrefix(prefix))
  }
}

import type { BackendLocks } from '../backends/backend.js'
import { FunctionTimeoutError } from '../errors.js'
import type { CacheEvents, StaleReason } from './events.js'
import type { FreshnessPolicy } from './freshness.js'
import { type CacheLogger, keyRef } from './logger.js'
import { type LockSettings, runLocked } from './stampede-lock.js'
import type { Stored } from './values.js'

/** What a computation needs from its engine. */
export interface ComputeContext {
  readonly namespace: string
  readonly policy: FreshnessPolicy
  readonly events: CacheEvents
  readonly logger: CacheLogger
  /** Leases of the store, with their settings; null: no distributed single-flight. */
  readonly lock: { readonly locks: BackendLocks; readonly settings: LockSettings } | null
  /** A fresh value another process stored meanwhile (an L2 read); undefined when there is none. */
  readonly reread: (key: string, args: readonly unknown[]) => Promise<Stored | undefined>
  /** Serializes and stores a computed value (both tiers). */
  readonly write: (key: string, args: readonly unknown[], value: unknown) => Promise<Stored>
}

/**
 * Running the wrapped function for a key that missed: at most once per key in this process (joiners
 * of a flight, and callers arriving while a computation that outlived its caller still runs), once
 * per cluster with the distributed lock, bounded by the soft and hard timeouts, and with grace: a
 * failure is answered by a value within its grace period when the caller has one.
 */
export class Computations {
  readonly #c: ComputeContext
  /** Computations in progress by key: joined by whoever needs the key next. */
  readonly #running = new Map<string, Promise<Stored>>()
  /** Grace serves are logged once per key until the key is computed again. */
  readonly #graceLogged = new Set<string>()

  constructor(context: ComputeContext) {
    this.#c = context
  }

  get running(): number {
    return this.#running.size
  }

  /**
   * The value for a caller: the computation (started or joined), or `fallback` (a value past its
   * fresh deadline) when the function fails within grace, or when it runs past the soft timeout.
   */
  async run(
    key: string,
    args: readonly unknown[],
    compute: () => unknown,
    fallback: Stored | undefined,
    fallbackWithinGrace: boolean,
  ): Promise<Stored> {
    const computing = this.#running.get(key) ?? this.#start(key, args, compute)
    const { softTimeoutMs, hardTimeoutMs } = this.#c.policy
    try {
      if (softTimeoutMs === 0 && hardTimeoutMs === 0) return await computing
      return await this.#bounded(key, computing, fallback)
    } catch (err) {
      if (fallback === undefined || !fallbackWithinGrace) throw err
      this.#served(key, 'grace-error')
      if (!this.#graceLogged.has(key)) {
        if (this.#graceLogged.size >= GRACE_LOG_KEYS) this.#graceLogged.clear()
        this.#graceLogged.add(key)
        const { namespace, logger } = this.#c
        logger.warn(
          { event: 'grace-served', namespace, key: keyRef(key), err },
          `The function of namespace ${namespace} failed; a stale value within its grace period was served instead`,
        )
      }
      return fallback
    }
  }

  /**
   * One background recomputation per key in this process. With the lock, a process that finds
   * another one refreshing waits (in the background) for its value instead of computing too, and
   * takes it into L1 when it lands.
   */
  inBackground(key: string, args: readonly unknown[], compute: () => unknown): void {
    if (this.#running.has(key)) return
    const { namespace, events, logger } = this.#c
    this.#start(key, args, compute).then(
      () => events.emit('backgroundRefresh', namespace, key, true),
      (err: unknown) => {
        events.emit('backgroundRefresh', namespace, key, false)
        logger.warn(
          { event: 'background-refresh-failed', namespace, key: keyRef(key), err },
          `A background refresh in namespace ${namespace} failed; the stale value stays until its window ends`,
        )
      },
    )
  }

  #served(key: string, reason: StaleReason): void {
    this.#c.events.emit('stale', this.#c.namespace, key, reason)
  }

  /** Starts the function (through the lock when there is one) and registers it until it settles. */
  #start(key: string, args: readonly unknown[], compute: () => unknown): Promise<Stored> {
    const c = this.#c
    const once = () => this.#computeAndWrite(key, args, compute)
    const lock = c.lock
    const work: Promise<Stored> =
      lock === null
        ? once()
        : runLocked({
            locks: lock.locks,
            key,
            settings: lock.settings,
            reread: () => c.reread(key, args),
            compute: once,
            report: (outcome) => c.events.emit('lock', c.namespace, key, outcome),
          })
    this.#running.set(key, work)
    const done = () => {
      if (this.#running.get(key) === work) this.#running.delete(key)
    }
    work.then(done, done)
    return work
  }

  async #computeAndWrite(key: string, args: readonly unknown[], compute: () => unknown): Promise<Stored> {
    const { namespace, events } = this.#c
    const started = performance.now()
    let value: unknown
    try {
      value = await compute()
    } catch (err) {
      events.emit('computed', namespace, key, performance.now() - started, false)
      throw err
    }
    events.emit('computed', namespace, key, performance.now() - started, true)
    this.#graceLogged.delete(key)
    return this.#c.write(key, args, value)
  }

  /** The computation raced against the soft timeout (when there is a fallback) and the hard one. */
  #bounded(key: string, computing: Promise<Stored>, fallback: Stored | undefined): Promise<Stored> {
    const { softTimeoutMs, hardTimeoutMs } = this.#c.policy
    // The computation goes on after a timeout answers the caller: it must not reject unobserved.
    computing.catch(() => {})
    return new Promise<Stored>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = []
      const settle = () => {
        for (const t of timers) clearTimeout(t)
      }
      if (softTimeoutMs > 0 && fallback !== undefined) {
        timers.push(
          setTimeout(() => {
            settle()
            this.#served(key, 'soft-timeout')
            resolve(fallback)
          }, softTimeoutMs),
        )
      }
      if (hardTimeoutMs > 0) {
        timers.push(
          setTimeout(() => {
            settle()
            this.#c.events.emit('computeTimeout', this.#c.namespace, key)
            reject(
              new FunctionTimeoutError(
                'FUNCTION_TIMEOUT',
                `The function of namespace ${this.#c.namespace} ran past its hard timeout of ${hardTimeoutMs} ms; ` +
                  'it goes on and stores its value when it ends. Raise computeTimeout.hardMs, or give the cache a grace period to serve a stale value meanwhile',
              ),
            )
          }, hardTimeoutMs),
        )
      }
      computing.then(
        (stored) => {
          settle()
          resolve(stored)
        },
        (err: unknown) => {
          settle()
          reject(err)
        },
      )
    })
  }
}

/** Keys remembered as "grace already logged"; forgotten wholesale past this many. */
const GRACE_LOG_KEYS = 1024

/**
 * What one store's layers report, for metrics, tracing and diagnostics_channel: every operation the
 * store was asked (timed by the layer just above the deadline, so a timeout counts at its deadline),
 * the circuit breaker's changes of state and the operations backpressure shed. The layers are
 * composed once per store; observers (one per metrics registry, tracer, ...) join later, each once.
 */
import type { Backend, BackendEntry, BackendLocks } from '../backends/backend.js'
import type { BackpressureBackend } from './backpressure.js'
import type { BreakerState, CircuitBreakerBackend } from './breaker.js'
import { PassThroughBackend } from './compose.js'
import { start } from './timeout.js'

/** One store operation, as the instrumentation layer saw it. */
export interface StoreOperation {
  /** The store's name (`'redis'`). */
  readonly backend: string
  /** The Backend method: `get`, `getWithTtl`, `getMany`, `getManyWithTtl`, `set`, `setMany`, ... */
  readonly operation: string
  /**
   * The stored key of a one-key operation, the first key of a batch, the prefix of `deleteByPrefix`.
   * Raw: an observer that puts it anywhere (a span, a log line) hashes it first.
   */
  readonly key: string
  /** Keys in the operation (1, or the batch's size). */
  readonly keys: number
  /** performance.now() when it was sent. */
  readonly startedAt: number
  readonly durationMs: number
  /** What it rejected with; undefined when it succeeded. */
  readonly error: unknown
}

export interface BreakerTransition {
  readonly backend: string
  readonly from: BreakerState
  readonly to: BreakerState
  /** Why, in words (`5 consecutive failures, the last: ...`). */
  readonly reason: string
}

/** An observer of one store; implements what it cares about. */
export interface StoreObserver {
  operation?(report: StoreOperation): void
  breaker?(transition: BreakerTransition): void
  /** Backpressure shed an operation: it never reached the store. */
  shed?(backend: string, operation: string): void
}

/**
 * The reports of one composed store and what its layers know (for gauges read on scrape). Observers
 * are kept per method, so a layer whose report nobody wants does no work (no clock read).
 */
export class StoreTelemetry {
  readonly backend: string
  breaker: CircuitBreakerBackend | null = null
  backpressure: BackpressureBackend | null = null
  readonly #observers = new Set<StoreObserver>()
  #operation: StoreObserver[] = []
  #breaker: StoreObserver[] = []
  #shed: StoreObserver[] = []

  constructor(backend: string) {
    this.backend = backend
  }

  /** Whether an observer wants operation reports (the layer times nothing otherwise). */
  get timesOperations(): boolean {
    return this.#operation.length > 0
  }

  /** Attaches an observer (once: attaching it again changes nothing); the returned function detaches it. */
  observe(observer: StoreObserver): () => void {
    this.#observers.add(observer)
    this.#index()
    return () => {
      this.#observers.delete(observer)
      this.#index()
    }
  }

  #index(): void {
    const all = [...this.#observers]
    this.#operation = all.filter((o) => o.operation !== undefined)
    this.#breaker = all.filter((o) => o.breaker !== undefined)
    this.#shed = all.filter((o) => o.shed !== undefined)
  }

  operation(report: StoreOperation): void {
    for (const observer of this.#operation) observer.operation?.(report)
  }

  /** Bound: handed to the breaker as its transition callback. */
  readonly transition = (from: BreakerState, to: BreakerState, reason: string): void => {
    if (this.#breaker.length === 0) return
    const report: BreakerTransition = { backend: this.backend, from, to, reason }
    for (const observer of this.#breaker) observer.breaker?.(report)
  }

  /** Bound: handed to backpressure as its shed callback. */
  readonly shed = (operation: string): void => {
    for (const observer of this.#shed) observer.shed?.(this.backend, operation)
  }
}

// The composed backend a cache is given -> its store's telemetry (weak: a store dropped by every
// cache goes away with its layers).
const telemetries = new WeakMap<Backend, StoreTelemetry>()

/** Records that `backend` (a composed stack) reports to `telemetry`. */
export function registerTelemetry(backend: Backend, telemetry: StoreTelemetry): void {
  telemetries.set(backend, telemetry)
}

/** The telemetry of a composed store; undefined for a store without layers (in-process) or none. */
export function telemetryOf(backend: Backend | null): StoreTelemetry | undefined {
  return backend === null ? undefined : telemetries.get(backend)
}

/**
 * The layer that times operations and reports them to the telemetry. While no observer wants
 * operation reports it forwards each call as it is, after one property read.
 */
export class InstrumentedBackend extends PassThroughBackend {
  readonly #telemetry: StoreTelemetry

  override readonly locks: BackendLocks | undefined

  override readonly getManyWithTtl:
    | ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>)
    | undefined

  constructor(next: Backend, telemetry: StoreTelemetry) {
    super(next)
    this.#telemetry = telemetry
    const locks = next.locks
    this.locks =
      locks === undefined
        ? undefined
        : {
            acquire: (key, token, leaseMs) =>
              this.#timed('acquireLock', key, 1, () => locks.acquire(key, token, leaseMs)),
            release: (key, token) => this.#timed('releaseLock', key, 1, () => locks.release(key, token)),
          }
    const many = next.getManyWithTtl
    this.getManyWithTtl =
      many === undefined
        ? undefined
        : (keys) => this.#timed('getManyWithTtl', keys[0] ?? '', keys.length, () => many.call(next, keys))
  }

  #timed<T>(operation: string, key: string, keys: number, send: () => Promise<T>): Promise<T> {
    const telemetry = this.#telemetry
    if (!telemetry.timesOperations) return send()
    const startedAt = performance.now()
    const report = (error: unknown): void => {
      const durationMs = performance.now() - startedAt
      const backend = telemetry.backend
      telemetry.operation({ backend, operation, key, keys, startedAt, durationMs, error })
    }
    return start(send).then(
      (value) => {
        report(undefined)
        return value
      },
      (err: unknown) => {
        report(err)
        throw err
      },
    )
  }

  override get(key: string): Promise<Buffer | null> {
    if (!this.#telemetry.timesOperations) return this.next.get(key)
    return this.#timed('get', key, 1, () => this.next.get(key))
  }
  override getWithTtl(key: string): Promise<BackendEntry | null> {
    if (!this.#telemetry.timesOperations) return this.next.getWithTtl(key)
    return this.#timed('getWithTtl', key, 1, () => this.next.getWithTtl(key))
  }
  override set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    if (!this.#telemetry.timesOperations) return this.next.set(key, value, ttlSeconds)
    return this.#timed('set', key, 1, () => this.next.set(key, value, ttlSeconds))
  }
  override setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    const first = entries[0]?.[0] ?? ''
    if (!this.#telemetry.timesOperations) return this.next.setMany(entries, ttlSeconds)
    return this.#timed('setMany', first, entries.length, () => this.next.setMany(entries, ttlSeconds))
  }
  override delete(key: string): Promise<boolean> {
    if (!this.#telemetry.timesOperations) return this.next.delete(key)
    return this.#timed('delete', key, 1, () => this.next.delete(key))
  }
  override exists(key: string): Promise<boolean> {
    if (!this.#telemetry.timesOperations) return this.next.exists(key)
    return this.#timed('exists', key, 1, () => this.next.exists(key))
  }
  override ttl(key: string): Promise<number | null> {
    if (!this.#telemetry.timesOperations) return this.next.ttl(key)
    return this.#timed('ttl', key, 1, () => this.next.ttl(key))
  }
  override getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    if (!this.#telemetry.timesOperations) return this.next.getMany(keys)
    return this.#timed('getMany', keys[0] ?? '', keys.length, () => this.next.getMany(keys))
  }
  override deleteByPrefix(prefix: string): Promise<number> {
    if (!this.#telemetry.timesOperations) return this.next.deleteByPrefix(prefix)
    return this.#timed('deleteByPrefix', prefix, 1, () => this.next.deleteByPrefix(prefix))
  }
}

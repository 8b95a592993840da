import type { Backend, BackendEntry, BackendLocks } from '../backends/backend.js'
import type { BackpressureOptions } from '../backends/reliability-options.js'
import { BackendError } from '../errors.js'
import { PassThroughBackend } from './compose.js'
import { Deadlines } from './deadlines.js'
import { start } from './timeout.js'

interface Waiter {
  readonly op: string
  readonly send: () => Promise<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (err: unknown) => void
}

/** What backpressure knows, for info() and health(). */
export interface BackpressureSnapshot {
  readonly inFlight: number
  readonly waiting: number
  /** Operations shed since the store was opened. */
  readonly shed: number
  /** performance.now() of the latest shed operation (0: none yet). */
  readonly lastShedAt: number
}

/**
 * At most `maxConcurrent` operations in flight on the store; the next ones wait in order, at most
 * `maxWaiting` of them and for at most `maxWaitMs` each. An operation past either bound is shed: it
 * rejects with BackendError `OVERLOADED` (kind `transient`) without reaching the store, so a read is
 * a miss and a cached call's write is skipped. A slow store then costs bounded memory and bounded
 * waiting instead of an ever longer queue.
 */
export class BackpressureBackend extends PassThroughBackend {
  readonly settings: Readonly<Required<BackpressureOptions>>
  readonly #waiters: Deadlines<Waiter>
  #inFlight = 0
  #shed = 0
  #lastShedAt = 0
  /** Told of every shed operation (metrics, diagnostics_channel); set by whoever composes the layers. */
  onShed: ((operation: string) => void) | undefined

  override readonly locks: BackendLocks | undefined

  override readonly getManyWithTtl:
    | ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>)
    | undefined

  constructor(next: Backend, settings: Readonly<Required<BackpressureOptions>>) {
    super(next)
    this.settings = settings
    this.#waiters = new Deadlines<Waiter>(settings.maxWaitMs, (waiter) => {
      waiter.reject(this.#shedError(waiter.op, `none was free within ${settings.maxWaitMs} ms`))
    })
    const locks = next.locks
    this.locks =
      locks === undefined
        ? undefined
        : {
            acquire: (key, token, leaseMs) =>
              this.#run('acquireLock', () => locks.acquire(key, token, leaseMs)),
            release: (key, token) => this.#run('releaseLock', () => locks.release(key, token)),
          }
    const many = next.getManyWithTtl
    this.getManyWithTtl =
      many === undefined ? undefined : (keys) => this.#run('getManyWithTtl', () => many.call(next, keys))
  }

  snapshot(): BackpressureSnapshot {
    return {
      inFlight: this.#inFlight,
      waiting: this.#waiters.size,
      shed: this.#shed,
      lastShedAt: this.#lastShedAt,
    }
  }

  #run<T>(op: string, send: () => Promise<T>): Promise<T> {
    if (this.#inFlight < this.settings.maxConcurrent) {
      this.#inFlight++
      return this.#send(send)
    }
    const { maxWaiting, maxWaitMs } = this.settings
    if (this.#waiters.size >= maxWaiting || maxWaitMs === 0) {
      const why =
        maxWaiting === 0 || maxWaitMs === 0
          ? 'waiting is off (maxWaiting or maxWaitMs is 0)'
          : `${maxWaiting} operations were waiting already`
      return Promise.reject(this.#shedError(op, why))
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add({ op, send, resolve: resolve as (value: unknown) => void, reject })
    })
  }

  #send<T>(send: () => Promise<T>): Promise<T> {
    return start(send).then(this.#settled as (value: T) => T, this.#failed)
  }

  // Bound once: an operation allocates no handlers of its own.
  readonly #settled = (value: unknown): unknown => {
    this.#release()
    return value
  }
  readonly #failed = (err: unknown): never => {
    this.#release()
    throw err
  }

  /** A slot is free: the longest waiter that has not been shed takes it. */
  #release(): void {
    this.#inFlight--
    const next = this.#waiters.shift()
    if (next === undefined) return
    this.#inFlight++
    this.#send(next.send).then(next.resolve, next.reject)
  }

  #shedError(op: string, why: string): BackendError {
    this.#shed++
    this.#lastShedAt = performance.now()
    this.onShed?.(op)
    return new BackendError(
      'OVERLOADED',
      `${this.name} ${op} shed: all ${this.settings.maxConcurrent} L2 slots were busy and ${why}, so a read is a miss and a write is skipped: ` +
        'find why the store is slow, or raise reliability.backpressure (maxConcurrent, maxWaiting, maxWaitMs)',
      { kind: 'transient' },
    )
  }

  override get(key: string): Promise<Buffer | null> {
    return this.#run('get', () => this.next.get(key))
  }
  override getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#run('getWithTtl', () => this.next.getWithTtl(key))
  }
  override set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    return this.#run('set', () => this.next.set(key, value, ttlSeconds))
  }
  override setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    return this.#run('setMany', () => this.next.setMany(entries, ttlSeconds))
  }
  override delete(key: string): Promise<boolean> {
    return this.#run('delete', () => this.next.delete(key))
  }
  override exists(key: string): Promise<boolean> {
    return this.#run('exists', () => this.next.exists(key))
  }
  override ttl(key: string): Promise<number | null> {
    return this.#run('ttl', () => this.next.ttl(key))
  }
  override getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return this.#run('getMany', () => this.next.getMany(keys))
  }
  override deleteByPrefix(prefix: string): Promise<number> {
    return this.#run('deleteByPrefix', () => this.next.deleteByPrefix(prefix))
  }
}

import type { Backend, BackendEntry, BackendLocks } from '../backends/backend.js'
import { BackendError } from '../errors.js'
import { PassThroughBackend } from './compose.js'
import { type Deadline, Deadlines } from './deadlines.js'

const WAITING = 0
const EXPIRING = 1
const DONE = 2

interface Pending {
  readonly op: string
  readonly reject: (err: unknown) => void
  state: typeof WAITING | typeof EXPIRING | typeof DONE
  deadline: Deadline<Pending> | undefined
}

/** Starts an operation; a backend that throws instead of rejecting still yields a rejection. */
export function start<T>(send: () => Promise<T>): Promise<T> {
  try {
    return send()
  } catch (err) {
    return Promise.reject(err)
  }
}

/**
 * Every single-round-trip operation settles within `timeoutMs`: when the store has not answered by
 * then, the caller gets BackendError `TIMEOUT` (kind `timeout`) and the store's late answer is
 * dropped. The operation itself is abandoned, not undone: a write that timed out may still land.
 *
 * A deadline is judged after the event loop has read what arrived: timers run before I/O in each
 * turn, so after the loop was blocked (a long GC, heavy synchronous work) an answer may be waiting
 * in the socket when its deadline fires. The rejection waits for that turn's I/O (setImmediate), and
 * an answer that was there is delivered instead: a blocked event loop does not turn into timeouts
 * that would open the breaker.
 *
 * `deleteByPrefix` is many round trips (a clear walks the whole namespace) and gets no overall
 * deadline here; a backend bounds each of its round trips (RedisBackend: each SCAN and UNLINK). `close`
 * is not bounded either.
 */
export class TimeoutBackend extends PassThroughBackend {
  readonly timeoutMs: number
  readonly #deadlines: Deadlines<Pending>
  /** Past their deadline, rejected after this turn's I/O unless their answer comes in it. */
  #expiring: Pending[] = []

  override readonly locks: BackendLocks | undefined

  override readonly getManyWithTtl:
    | ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>)
    | undefined

  constructor(next: Backend, timeoutMs: number) {
    super(next)
    this.timeoutMs = timeoutMs
    this.#deadlines = new Deadlines<Pending>(timeoutMs, (pending) => {
      pending.state = EXPIRING
      this.#expiring.push(pending)
      if (this.#expiring.length === 1) setImmediate(this.#expire)
    })
    const locks = next.locks
    this.locks =
      locks === undefined
        ? undefined
        : {
            acquire: (key, token, leaseMs) =>
              this.#bound('acquireLock', () => locks.acquire(key, token, leaseMs)),
            release: (key, token) => this.#bound('releaseLock', () => locks.release(key, token)),
          }
    const many = next.getManyWithTtl
    this.getManyWithTtl =
      many === undefined ? undefined : (keys) => this.#bound('getManyWithTtl', () => many.call(next, keys))
  }

  readonly #expire = (): void => {
    const expiring = this.#expiring
    this.#expiring = []
    for (const pending of expiring) {
      if (pending.state !== EXPIRING) continue
      pending.state = DONE
      pending.reject(
        new BackendError(
          'TIMEOUT',
          `${this.name} ${pending.op} did not answer within ${this.timeoutMs} ms, so it was abandoned (a write may still land): ` +
            "check the store's latency and load, or give it longer with reliability.timeoutMs",
          { kind: 'timeout' },
        ),
      )
    }
  }

  /** Operations waiting for an answer. */
  get pending(): number {
    return this.#deadlines.size + this.#expiring.length
  }

  /** The operation's outcome reaches the caller unless its deadline has been acted on already. */
  #claim(pending: Pending): boolean {
    if (pending.state === DONE) return false
    if (pending.state === WAITING && pending.deadline !== undefined) this.#deadlines.remove(pending.deadline)
    pending.state = DONE
    return true
  }

  #bound<T>(op: string, send: () => Promise<T>): Promise<T> {
    const work = start(send)
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { op, reject, state: WAITING, deadline: undefined }
      pending.deadline = this.#deadlines.add(pending)
      work.then(
        (value) => {
          if (this.#claim(pending)) resolve(value)
        },
        (err: unknown) => {
          if (this.#claim(pending)) reject(err)
        },
      )
    })
  }

  override get(key: string): Promise<Buffer | null> {
    return this.#bound('get', () => this.next.get(key))
  }
  override getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#bound('getWithTtl', () => this.next.getWithTtl(key))
  }
  override set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    return this.#bound('set', () => this.next.set(key, value, ttlSeconds))
  }
  override setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    return this.#bound('setMany', () => this.next.setMany(entries, ttlSeconds))
  }
  override delete(key: string): Promise<boolean> {
    return this.#bound('delete', () => this.next.delete(key))
  }
  override exists(key: string): Promise<boolean> {
    return this.#bound('exists', () => this.next.exists(key))
  }
  override ttl(key: string): Promise<number | null> {
    return this.#bound('ttl', () => this.next.ttl(key))
  }
  override getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return this.#bound('getMany', () => this.next.getMany(keys))
  }
}

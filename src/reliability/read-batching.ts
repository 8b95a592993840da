import type { Backend, BackendEntry } from '../backends/backend.js'
import { CACHE_DEFAULTS } from '../defaults.js'
import { PassThroughBackend } from './compose.js'

interface Waiter<T> {
  resolve(value: T): void
  reject(err: unknown): void
}

/**
 * Sends a read at once when no other read of this batcher is in flight (a sequential caller waits
 * for nothing); reads issued while others are in flight are collected until the current turn's
 * callbacks have run (`process.nextTick`) and sent as one multi-key read, at most `max` keys at a time.
 */
class Batcher<T> {
  readonly #one: (key: string) => Promise<T>
  readonly #many: (keys: readonly string[]) => Promise<readonly (T | undefined)[]>
  readonly #missing: T
  readonly #max: number
  #keys: string[] = []
  #waiters: Waiter<T>[] = []
  /** Commands sent and not settled yet. */
  #inFlight = 0
  readonly #settled = (): void => {
    this.#inFlight--
  }

  constructor(
    one: (key: string) => Promise<T>,
    many: (keys: readonly string[]) => Promise<readonly (T | undefined)[]>,
    missing: T,
    max: number,
  ) {
    this.#one = one
    this.#many = many
    this.#missing = missing
    this.#max = max
  }

  read(key: string): Promise<T> {
    if (this.#inFlight === 0 && this.#keys.length === 0) return this.#send(key)
    if (this.#keys.length === 0) process.nextTick(this.#flush)
    const result = new Promise<T>((resolve, reject) => {
      this.#keys.push(key)
      this.#waiters.push({ resolve, reject })
    })
    if (this.#keys.length >= this.#max) this.#flush()
    return result
  }

  readonly #flush = (): void => {
    const keys = this.#keys
    const waiters = this.#waiters
    if (keys.length === 0) return
    this.#keys = []
    this.#waiters = []
    const failAll = (err: unknown) => {
      for (const waiter of waiters) waiter.reject(err)
    }
    // This runs outside any caller's stack: a backend that throws instead of rejecting must still
    // reach the callers as a rejection, never as an uncaught exception.
    try {
      if (keys.length === 1) {
        const only = waiters[0] as Waiter<T>
        this.#send(keys[0] as string).then(only.resolve, only.reject)
        return
      }
      const sent = this.#many(keys)
      this.#inFlight++
      sent.finally(this.#settled).then((values) => {
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter<T>).resolve(values[i] ?? this.#missing)
      }, failAll)
    } catch (err) {
      failAll(err)
    }
  }

  /** One key on its own; a backend that throws instead of rejecting becomes a rejection. */
  #send(key: string): Promise<T> {
    let sent: Promise<T>
    try {
      sent = this.#one(key)
    } catch (err) {
      return Promise.reject(err)
    }
    this.#inFlight++
    return sent.finally(this.#settled)
  }
}

/**
 * Reads issued while others are in flight share one round trip: plain reads (`get`) become
 * one `getMany` (MGET), reads with their TTL (`getWithTtl`) one `getManyWithTtl` where the backend
 * has it (Redis: one script). With many requests in flight the client's CPU is the limit, and one
 * command for N keys costs far less than N commands; a read with nothing else in flight is sent at
 * once, so a sequential caller waits for nothing.
 *
 * A failure of the shared command fails every read of the batch with the same error (each caller's
 * policy then applies: a cached call computes). Writes pass through unchanged.
 */
export class ReadBatchingBackend extends PassThroughBackend {
  readonly #plain: Batcher<Buffer | null>
  readonly #withTtl: Batcher<BackendEntry | null> | undefined

  constructor(next: Backend, maxBatch: number = CACHE_DEFAULTS.readBatchMaxKeys) {
    super(next)
    this.#plain = new Batcher(
      (key) => next.get(key),
      (keys) => next.getMany(keys),
      null,
      maxBatch,
    )
    const many = next.getManyWithTtl
    this.#withTtl =
      many === undefined
        ? undefined
        : new Batcher(
            (key) => next.getWithTtl(key),
            (keys) => many.call(next, keys),
            null,
            maxBatch,
          )
  }

  override get(key: string): Promise<Buffer | null> {
    return this.#plain.read(key)
  }

  override getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#withTtl === undefined ? this.next.getWithTtl(key) : this.#withTtl.read(key)
  }
}

/** The layer form, for `composeBackend`. */
export const batchReads = (next: Backend): Backend => new ReadBatchingBackend(next)

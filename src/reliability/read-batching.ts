import type { Backend, BackendEntry } from '../backends/backend.js'
import { CACHE_DEFAULTS } from '../defaults.js'
import { PassThroughBackend } from './compose.js'

interface Waiter<T> {
  resolve(value: T): void
  reject(err: unknown): void
}

/**
 * Collects single-key reads until the current turn's callbacks have run (`process.nextTick`) and
 * sends them as one multi-key read, at most `max` keys at a time. A lone read is sent on its own.
 */
class Batcher<T> {
  readonly #one: (key: string) => Promise<T>
  readonly #many: (keys: readonly string[]) => Promise<readonly (T | undefined)[]>
  readonly #missing: T
  readonly #max: number
  #keys: string[] = []
  #waiters: Waiter<T>[] = []

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
        this.#one(keys[0] as string).then(only.resolve, only.reject)
        return
      }
      this.#many(keys).then((values) => {
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter<T>).resolve(values[i] ?? this.#missing)
      }, failAll)
    } catch (err) {
      failAll(err)
    }
  }
}

/**
 * Reads issued in the same turn of the event loop share one round trip: plain reads (`get`) become
 * one `getMany` (MGET), reads with their TTL (`getWithTtl`) one `getManyWithTtl` where the backend
 * has it (Redis: one script). With many requests in flight the client's CPU is the limit, and one
 * command for N keys costs far less than N commands; a lone read is sent as it is, so a sequential
 * caller pays only the deferral to the end of its turn.
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

import type { Backend } from '../backends/backend.js'
import { CACHE_DEFAULTS } from '../defaults.js'
import { PassThroughBackend } from './compose.js'

interface Waiter {
  resolve(value: Buffer | null): void
  reject(err: unknown): void
}

interface Batch {
  keys: string[]
  waiters: Waiter[]
}

/**
 * Plain reads (`get`) issued in the same turn of the event loop share one round trip: they are
 * collected until the current turn's callbacks have run (`process.nextTick`) and sent as one
 * `getMany` (MGET), at most `maxBatch` keys each. With many requests in flight the client's CPU is
 * the limit, and one command with N keys costs far less than N commands; a lone read is sent as a
 * plain `get`, so a sequential caller pays only the deferral to the end of its turn.
 *
 * A failure of the shared command fails every read of the batch with the same error (each caller's
 * policy then applies: a cached call computes). Reads with their TTL (`getWithTtl`) and writes pass
 * through unchanged.
 */
export class ReadBatchingBackend extends PassThroughBackend {
  readonly #maxBatch: number
  #pending: Batch | null = null

  constructor(next: Backend, maxBatch: number = CACHE_DEFAULTS.readBatchMaxKeys) {
    super(next)
    this.#maxBatch = maxBatch
  }

  override get(key: string): Promise<Buffer | null> {
    let batch = this.#pending
    if (batch === null) {
      batch = { keys: [], waiters: [] }
      this.#pending = batch
      process.nextTick(this.#flushPending)
    }
    const pending = batch
    const result = new Promise<Buffer | null>((resolve, reject) => {
      pending.keys.push(key)
      pending.waiters.push({ resolve, reject })
    })
    if (pending.keys.length >= this.#maxBatch) this.#flushPending()
    return result
  }

  readonly #flushPending = (): void => {
    const batch = this.#pending
    if (batch === null) return
    this.#pending = null
    const { keys, waiters } = batch
    const failAll = (err: unknown) => {
      for (const waiter of waiters) waiter.reject(err)
    }
    // This runs outside any caller's stack: a backend that throws instead of rejecting must still
    // reach the callers as a rejection, never as an uncaught exception.
    try {
      if (keys.length === 1) {
        const only = waiters[0] as Waiter
        this.next.get(keys[0] as string).then(only.resolve, only.reject)
        return
      }
      this.next.getMany(keys).then((values) => {
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter).resolve(values[i] ?? null)
      }, failAll)
    } catch (err) {
      failAll(err)
    }
  }
}

/** The layer form, for `composeBackend`. */
export const batchReads = (next: Backend): Backend => new ReadBatchingBackend(next)

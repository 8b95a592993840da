import type { Backend, BackendEntry } from '../backends/backend.js'
import { BackendError } from '../errors.js'
import { PassThroughBackend } from './compose.js'
import { Deadlines } from './deadlines.js'

interface Pending {
  readonly op: string
  readonly reject: (err: unknown) => void
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
 * `deleteByPrefix` is many round trips (a clear walks the whole namespace) and gets no overall
 * deadline here; a backend bounds each of its round trips (RedisBackend: each SCAN and UNLINK within
 * the same timeout). `close` is not bounded either.
 */
export class TimeoutBackend extends PassThroughBackend {
  readonly timeoutMs: number
  readonly #deadlines: Deadlines<Pending>

  override readonly getManyWithTtl:
    | ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>)
    | undefined

  constructor(next: Backend, timeoutMs: number) {
    super(next)
    this.timeoutMs = timeoutMs
    const name = next.name
    this.#deadlines = new Deadlines<Pending>(timeoutMs, ({ op, reject }) => {
      reject(
        new BackendError(
          'TIMEOUT',
          `${name} ${op} did not answer within ${timeoutMs} ms, so it was abandoned (a write may still land): ` +
            "check the store's latency and load, or give it longer with reliability.timeoutMs",
          { kind: 'timeout' },
        ),
      )
    })
    const many = next.getManyWithTtl
    this.getManyWithTtl =
      many === undefined ? undefined : (keys) => this.#bound('getManyWithTtl', () => many.call(next, keys))
  }

  /** Operations waiting for an answer. */
  get pending(): number {
    return this.#deadlines.size
  }

  #bound<T>(op: string, send: () => Promise<T>): Promise<T> {
    const work = start(send)
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#deadlines.add({ op, reject })
      work.then(
        (value) => {
          if (this.#deadlines.remove(deadline)) resolve(value)
        },
        (err: unknown) => {
          if (this.#deadlines.remove(deadline)) reject(err)
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

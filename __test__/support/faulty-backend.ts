/**
 * The chaos helper: a backend wrapper that injects faults. Every operation goes to the wrapped
 * backend unless a fault is armed for it:
 * - `fail(error)` / `failWith(kind)`: reject until `heal()`;
 * - `failTimes(n, error)`: the next n calls reject, then they work again;
 * - `delay(ms)`: latency before the call reaches the store;
 * - `hang()`: calls wait until `release()`, then go on (and meet any fault still armed).
 * A failing call never touches the wrapped backend. One helper for every test that needs a failing
 * or slow store, instead of a spy per test.
 */
import type { Backend, BackendCapabilities, BackendEntry } from '../../src/backends/backend.js'
import { BackendError, type BackendErrorKind } from '../../src/errors.js'

export type Operation = Exclude<keyof Backend, 'name' | 'sync' | 'close' | 'capabilities'>

export const ALL_OPERATIONS: readonly Operation[] = [
  'get',
  'getWithTtl',
  'set',
  'setMany',
  'delete',
  'exists',
  'ttl',
  'getMany',
  'deleteByPrefix',
]

export const READ_OPERATIONS: readonly Operation[] = ['get', 'getWithTtl', 'getMany', 'exists', 'ttl']
export const WRITE_OPERATIONS: readonly Operation[] = ['set', 'setMany', 'delete', 'deleteByPrefix']

/** A BackendError of this kind, shaped like a real backend's (code, message ending with a fix). */
export function backendFault(kind: BackendErrorKind = 'transient'): BackendError {
  return new BackendError('REDIS_ERROR', `injected ${kind} fault; heal() the FaultyBackend to end it`, {
    kind,
  })
}

interface Fault {
  readonly error: unknown
  /** Calls left before the fault heals itself; Infinity until heal(). */
  remaining: number
}

export class FaultyBackend implements Backend {
  readonly name: string
  /** The wrapped backend's, except `sync`: faults reach the async methods only, so there is no sync face. */
  readonly capabilities: BackendCapabilities
  readonly #inner: Backend
  readonly #faults = new Map<Operation, Fault>()
  readonly #delays = new Map<Operation, number>()
  readonly #hung = new Set<Operation>()
  #waiting: Array<() => void> = []
  /** Operations that reached the wrapped backend, in order. */
  readonly calls: Operation[] = []
  /** Operations that were refused with an injected fault, in order. */
  readonly failures: Operation[] = []

  constructor(inner: Backend) {
    this.#inner = inner
    this.name = inner.name
    this.capabilities = Object.freeze({ ...inner.capabilities, sync: false })
  }

  /** Makes these operations (default: all) reject with `error` until `heal()`. */
  fail(error: unknown = new BackendError('REDIS_ERROR', 'injected fault'), ops = ALL_OPERATIONS): this {
    const fault: Fault = { error, remaining: Number.POSITIVE_INFINITY }
    for (const op of ops) this.#faults.set(op, fault)
    return this
  }

  /** Makes these operations reject with a BackendError of `kind` until `heal()`. */
  failWith(kind: BackendErrorKind, ops = ALL_OPERATIONS): this {
    return this.fail(backendFault(kind), ops)
  }

  /** The next `times` calls of these operations (counted together) reject with `error`; then they work. */
  failTimes(times: number, error: unknown = backendFault(), ops = ALL_OPERATIONS): this {
    const fault: Fault = { error, remaining: times }
    for (const op of ops) this.#faults.set(op, fault)
    return this
  }

  /** Every call of these operations waits `ms` before it goes on. */
  delay(ms: number, ops = ALL_OPERATIONS): this {
    for (const op of ops) this.#delays.set(op, ms)
    return this
  }

  /** Calls of these operations wait, unanswered, until `release()`. */
  hang(ops = ALL_OPERATIONS): this {
    for (const op of ops) this.#hung.add(op)
    return this
  }

  /** Calls waiting in `hang()`. */
  get pending(): number {
    return this.#waiting.length
  }

  /** Ends the hang: every waiting call goes on, and later calls no longer wait. */
  release(): this {
    this.#hung.clear()
    const waiting = this.#waiting
    this.#waiting = []
    for (const resume of waiting) resume()
    return this
  }

  /** Ends every fault, delay and hang. */
  heal(): this {
    this.#faults.clear()
    this.#delays.clear()
    return this.release()
  }

  #refuse(op: Operation): unknown | undefined {
    const fault = this.#faults.get(op)
    if (fault === undefined) return undefined
    fault.remaining--
    if (fault.remaining <= 0) {
      for (const [armed, f] of this.#faults) if (f === fault) this.#faults.delete(armed)
    }
    this.failures.push(op)
    return fault.error
  }

  #reach<T>(op: Operation, call: () => Promise<T>): Promise<T> {
    const refusal = this.#refuse(op)
    if (refusal !== undefined) return Promise.reject(refusal)
    this.calls.push(op)
    return call()
  }

  async #slow<T>(op: Operation, call: () => Promise<T>): Promise<T> {
    const ms = this.#delays.get(op)
    if (ms !== undefined) await new Promise((resolve) => setTimeout(resolve, ms))
    if (this.#hung.has(op)) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    return this.#reach(op, call)
  }

  #run<T>(op: Operation, call: () => Promise<T>): Promise<T> {
    // No delay and no hang armed: answer in the same turn, as the wrapped backend would.
    if (!this.#delays.has(op) && !this.#hung.has(op)) return this.#reach(op, call)
    return this.#slow(op, call)
  }

  get(key: string): Promise<Buffer | null> {
    return this.#run('get', () => this.#inner.get(key))
  }
  getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#run('getWithTtl', () => this.#inner.getWithTtl(key))
  }
  set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    return this.#run('set', () => this.#inner.set(key, value, ttlSeconds))
  }
  setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    return this.#run('setMany', () => this.#inner.setMany(entries, ttlSeconds))
  }
  delete(key: string): Promise<boolean> {
    return this.#run('delete', () => this.#inner.delete(key))
  }
  exists(key: string): Promise<boolean> {
    return this.#run('exists', () => this.#inner.exists(key))
  }
  ttl(key: string): Promise<number | null> {
    return this.#run('ttl', () => this.#inner.ttl(key))
  }
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return this.#run('getMany', () => this.#inner.getMany(keys))
  }
  deleteByPrefix(prefix: string): Promise<number> {
    return this.#run('deleteByPrefix', () => this.#inner.deleteByPrefix(prefix))
  }
  close(): Promise<void> {
    return this.#inner.close()
  }
}

/** Runs `body` and fails if any promise rejection went unhandled while it ran (and one turn after). */
export async function withoutUnhandledRejections(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (reason: unknown) => {
    seen.push(reason)
  }
  process.on('unhandledRejection', listener)
  try {
    await body()
    await new Promise((resolve) => setTimeout(resolve, 20))
  } finally {
    process.off('unhandledRejection', listener)
  }
  return seen
}

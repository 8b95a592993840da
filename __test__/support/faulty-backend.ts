/**
 * A backend wrapper that injects faults: every operation goes to the wrapped backend unless a fault
 * is armed for it, in which case it rejects with that error (and the wrapped backend is not touched).
 * One helper for every test that needs a failing store, instead of a spy per test.
 */
import type { Backend, BackendCapabilities, BackendEntry } from '../../src/backends/backend.js'
import { BackendError } from '../../src/errors.js'

export type Operation = Exclude<keyof Backend, 'name' | 'sync' | 'close'>

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

export class FaultyBackend implements Backend {
  readonly name: string
  /** The wrapped backend's, except `sync`: faults reach the async methods only, so there is no sync face. */
  readonly capabilities: BackendCapabilities
  readonly #inner: Backend
  readonly #faults = new Map<Operation, () => unknown>()
  /** Operations that reached the wrapped backend, in order. */
  readonly calls: Operation[] = []

  constructor(inner: Backend) {
    this.#inner = inner
    this.name = inner.name
    this.capabilities = Object.freeze({ ...inner.capabilities, sync: false })
  }

  /** Makes these operations (default: all) reject with `error` until `heal()`. */
  fail(error: unknown = new BackendError('REDIS_ERROR', 'injected fault'), ops = ALL_OPERATIONS): this {
    for (const op of ops) this.#faults.set(op, () => error)
    return this
  }

  heal(): this {
    this.#faults.clear()
    return this
  }

  #run<T>(op: Operation, call: () => Promise<T>): Promise<T> {
    const fault = this.#faults.get(op)
    if (fault !== undefined) return Promise.reject(fault())
    this.calls.push(op)
    return call()
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

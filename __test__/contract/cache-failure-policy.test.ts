/**
 * The chaos side of the contract: with faults injected under a real store, the cache keeps its
 * documented failure policy, through the public API only. Reads degrade to a miss and are counted;
 * writes and deletes reject with the backend's BackendError and change nothing in this process; a
 * cached call whose read or write fails still returns its function's value.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { BACKEND_ERROR_KINDS, BackendError, cache, createCache, MemoryBackend } from '../../src/index.js'
import {
  backendFault,
  FaultyBackend,
  READ_OPERATIONS,
  WRITE_OPERATIONS,
  withoutUnhandledRejections,
} from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn(), info: vi.fn() })
const namespace = (what: string) => `chaos-${what}-${randomUUID().slice(0, 8)}`

function store() {
  const memory = new MemoryBackend()
  return { memory, faulty: new FaultyBackend(memory) }
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (err: unknown) => err,
  )
}

describe('by key, every kind of backend failure meets the same policy', () => {
  for (const kind of BACKEND_ERROR_KINDS) {
    it(`${kind}: reads are misses counted in l2ReadErrors, and nothing rejects`, async () => {
      const { faulty } = store()
      const ns = namespace(`reads-${kind}`)
      await createCache({ namespace: ns, backend: faulty, logger: quiet() }).set('k', 'stored')
      const cold = createCache({ namespace: ns, backend: faulty, logger: quiet() })
      faulty.failWith(kind)
      const unhandled = await withoutUnhandledRejections(async () => {
        expect(await cold.get('k')).toBeUndefined()
        expect(await cold.has('k')).toBe(false)
        expect(await cold.ttl('k')).toBeNull()
        expect(await cold.getMany(['k', 'other'])).toEqual([undefined, undefined])
      })
      expect(unhandled).toEqual([])
      expect(faulty.failures.length).toBeGreaterThanOrEqual(4)
      expect(cold.info()).toMatchObject({ l2ReadErrors: 4 })
      faulty.heal()
      expect(await cold.get('k')).toBe('stored')
    })

    it(`${kind}: writes and deletes reject with that BackendError and change nothing in this process`, async () => {
      const { memory, faulty } = store()
      const c = createCache({ namespace: namespace(`writes-${kind}`), backend: faulty, logger: quiet() })
      await c.set('kept', 'old')
      faulty.failWith(kind, WRITE_OPERATIONS)
      for (const call of [
        c.set('new', 1),
        c.set('kept', 'new'),
        c.setMany([
          ['a', 1],
          ['b', 2],
        ]),
        c.delete('kept'),
        c.invalidate(),
        c.invalidate('ke'),
      ]) {
        const err = await rejection(call)
        expect(err).toBeInstanceOf(BackendError)
        expect(err).toMatchObject({ kind })
      }
      // L1 still serves what it had (reads work), and the store holds what it held.
      expect(await c.get('kept')).toBe('old')
      expect(await c.get('new')).toBeUndefined()
      expect(await c.getMany(['a', 'b'])).toEqual([undefined, undefined])
      expect(memory.size).toBe(1)
      faulty.heal()
      expect(await c.get('kept')).toBe('old')
    })
  }
})

describe('a cached function under injected faults', () => {
  it('a failed read computes and returns the value; after two failed reads the store serves it again', async () => {
    const { faulty } = store()
    const compute = vi.fn(async (n: number) => ({ n, at: compute.mock.calls.length }))
    const cached = cache(compute, {
      async: true,
      namespace: namespace('heal'),
      backend: faulty,
      l1: false,
      logger: quiet(),
    })
    faulty.failTimes(2, backendFault('connection'), READ_OPERATIONS)
    expect(await cached(1)).toEqual({ n: 1, at: 1 })
    expect(await cached(1)).toEqual({ n: 1, at: 2 })
    // Healed: the third call reads what the second one wrote.
    expect(await cached(1)).toEqual({ n: 1, at: 2 })
    expect(compute).toHaveBeenCalledTimes(2)
    expect(faulty.failures).toHaveLength(2)
    expect(cached.info()).toMatchObject({ l2ReadErrors: 2 })
  })

  for (const kind of BACKEND_ERROR_KINDS) {
    it(`${kind}: a failed write still returns the value, is counted, and the next call is an L1 hit`, async () => {
      const { memory, faulty } = store()
      const compute = vi.fn(async (n: number) => n * 2)
      const cached = cache(compute, {
        async: true,
        namespace: namespace(`write-${kind}`),
        backend: faulty,
        logger: quiet(),
      })
      faulty.failWith(kind, WRITE_OPERATIONS)
      expect(await cached(21)).toBe(42)
      expect(cached.info()).toMatchObject({ l2WriteErrors: 1 })
      expect(memory.size).toBe(0)
      expect(await cached(21)).toBe(42)
      expect(compute).toHaveBeenCalledTimes(1)
    })
  }

  it('latency slows calls without changing results, and the value is in the store when the call resolves', async () => {
    const { memory, faulty } = store()
    const compute = vi.fn(async (n: number) => n + 1)
    const cached = cache(compute, {
      async: true,
      namespace: namespace('slow'),
      backend: faulty,
      l1: false,
      logger: quiet(),
    })
    faulty.delay(40)
    const started = performance.now()
    expect(await cached(1)).toBe(2)
    expect(performance.now() - started).toBeGreaterThanOrEqual(75) // one slow read, one slow write
    expect(memory.size).toBe(1)
    expect(await cached(1)).toBe(2)
    expect(compute).toHaveBeenCalledTimes(1)
  })

  it('callers arriving while the store hangs share one computation, and all get the value once it answers', async () => {
    const { faulty } = store()
    const compute = vi.fn(async (n: number) => n * 10)
    const cached = cache(compute, {
      async: true,
      namespace: namespace('hang'),
      backend: faulty,
      logger: quiet(),
    })
    faulty.hang(READ_OPERATIONS)
    const calls = [cached(3), cached(3), cached(3)]
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(faulty.pending).toBeGreaterThanOrEqual(1)
    expect(compute).not.toHaveBeenCalled()
    faulty.release()
    expect(await Promise.all(calls)).toEqual([30, 30, 30])
    expect(compute).toHaveBeenCalledTimes(1)
  })

  it('a read that hangs and then fails computes the value, once for every waiting caller', async () => {
    const { faulty } = store()
    const compute = vi.fn(async (n: number) => `v${n}`)
    const cached = cache(compute, {
      async: true,
      namespace: namespace('hang-fail'),
      backend: faulty,
      logger: quiet(),
    })
    faulty.hang(READ_OPERATIONS).failWith('timeout', READ_OPERATIONS)
    const calls = [cached(7), cached(7)]
    await new Promise((resolve) => setTimeout(resolve, 20))
    faulty.release()
    expect(await Promise.all(calls)).toEqual(['v7', 'v7'])
    expect(compute).toHaveBeenCalledTimes(1)
    expect(cached.info()).toMatchObject({ l2ReadErrors: 1 })
  })
})

import { describe, expect, it } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { BackendError } from '../../src/errors.js'
import { TimeoutBackend } from '../../src/reliability/timeout.js'
import { ALL_OPERATIONS, FaultyBackend, withoutUnhandledRejections } from '../support/faulty-backend.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function outcome(call: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now()
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  return { err, ms: performance.now() - started }
}

function calls(b: TimeoutBackend): Record<string, () => Promise<unknown>> {
  return {
    get: () => b.get('k'),
    getWithTtl: () => b.getWithTtl('k'),
    set: () => b.set('k', Buffer.from('v'), 60),
    setMany: () => b.setMany([['k', Buffer.from('v')]], 60),
    delete: () => b.delete('k'),
    exists: () => b.exists('k'),
    ttl: () => b.ttl('k'),
    getMany: () => b.getMany(['k']),
  }
}

describe('the timeout layer gives every single-round-trip operation a deadline', () => {
  it('an operation the store never answers rejects with TIMEOUT (kind timeout) once the deadline passes', async () => {
    const store = new FaultyBackend(new MemoryBackend()).hang()
    const b = new TimeoutBackend(store, 40)
    const { err, ms } = await outcome(b.get('k'))
    expect(err).toBeInstanceOf(BackendError)
    expect(err).toMatchObject({ code: 'TIMEOUT', kind: 'timeout' })
    expect((err as Error).message).toMatch(/did not answer within 40 ms.*reliability\.timeoutMs/)
    expect(ms).toBeGreaterThanOrEqual(38)
    expect(ms).toBeLessThan(400)
    store.release()
  })

  it('every operation but deleteByPrefix is bounded, each by its own deadline', async () => {
    const store = new FaultyBackend(new MemoryBackend()).hang()
    const b = new TimeoutBackend(store, 30)
    for (const [op, call] of Object.entries(calls(b))) {
      expect((await outcome(call())).err, op).toMatchObject({ code: 'TIMEOUT' })
    }
    // The optional batch read with TTLs, where the store has it.
    expect(b.getManyWithTtl).toBeUndefined()
    const silent = new MemoryBackend()
    silent.getManyWithTtl = () => new Promise(() => {})
    const withMany = new TimeoutBackend(silent, 30)
    const many = withMany.getManyWithTtl?.(['k']) ?? Promise.resolve()
    expect((await outcome(many)).err).toMatchObject({ code: 'TIMEOUT' })
    // A clear walks the whole namespace in many round trips: the backend bounds each of them instead.
    let cleared = false
    const clearing = b.deleteByPrefix('ck:').then(() => {
      cleared = true
    })
    await sleep(80)
    expect(cleared).toBe(false)
    store.release()
    await clearing
    expect(cleared).toBe(true)
  })

  it('an answer within the deadline passes through unchanged, and so does a failure', async () => {
    const memory = new MemoryBackend()
    await memory.set('k', Buffer.from('v'), 60)
    const store = new FaultyBackend(memory).delay(5)
    const b = new TimeoutBackend(store, 500)
    expect((await b.get('k'))?.toString()).toBe('v')
    expect(await b.getWithTtl('missing')).toBeNull()
    const refused = new BackendError('REDIS_ERROR', 'refused', { kind: 'connection' })
    store.fail(refused)
    expect((await outcome(b.get('k'))).err).toBe(refused)
  })

  it("a store's late answer after the deadline is dropped, without an unhandled rejection", async () => {
    const store = new FaultyBackend(new MemoryBackend()).hang()
    const b = new TimeoutBackend(store, 20)
    const seen = await withoutUnhandledRejections(async () => {
      const late = outcome(b.get('k'))
      expect((await late).err).toMatchObject({ code: 'TIMEOUT' })
      store.fail(new BackendError('REDIS_ERROR', 'late failure'))
      store.release()
      await sleep(20)
    })
    expect(seen).toEqual([])
  })

  it('a store that throws instead of rejecting still gives the caller a rejection', async () => {
    const store = new MemoryBackend()
    store.get = () => {
      throw new BackendError('REDIS_ERROR', 'thrown')
    }
    const b = new TimeoutBackend(store, 50)
    expect((await outcome(b.get('k'))).err).toMatchObject({ message: 'thrown' })
    expect(b.pending).toBe(0)
  })

  it('a thousand operations in flight all expire at their deadline and leave nothing pending', async () => {
    const store = new FaultyBackend(new MemoryBackend()).hang(ALL_OPERATIONS)
    const b = new TimeoutBackend(store, 30)
    const started = performance.now()
    const all = Array.from({ length: 1000 }, (_, i) => outcome(b.get(`k${i}`)))
    expect(b.pending).toBe(1000)
    const results = await Promise.all(all)
    expect(results.every((r) => (r.err as BackendError).code === 'TIMEOUT')).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(b.pending).toBe(0)
    store.release()
  })

  it('operations answered in time leave no deadline behind', async () => {
    const b = new TimeoutBackend(new FaultyBackend(new MemoryBackend()), 1000)
    await Promise.all(Array.from({ length: 100 }, (_, i) => b.set(`k${i}`, Buffer.from('v'), 60)))
    expect(b.pending).toBe(0)
  })
})

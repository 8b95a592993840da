import { afterEach, describe, expect, it, vi } from 'vitest'
import { cache, createCache, keyFromArgs, MemoryBackend } from '../../src/index.js'

const quiet = () => ({ warn: vi.fn() })

describe('a by-key cache without L2 (this process only) answers from L1', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('has, ttl (whole seconds, rounded up), delete and invalidate report what L1 holds', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(1_700_000_000_000)
    const c = createCache({ namespace: 'l1-only-results', ttl: 60, logger: quiet() })
    await c.set('user:1', { n: 1 })
    await c.set('user:2', { n: 2 })
    await c.set('other', { n: 3 })
    expect(await c.has('user:1')).toBe(true)
    expect(await c.has('missing')).toBe(false)
    vi.advanceTimersByTime(500)
    expect(await c.ttl('user:1')).toBe(60)
    vi.advanceTimersByTime(1000)
    expect(await c.ttl('user:1')).toBe(59)
    expect(await c.ttl('missing')).toBeNull()
    expect(await c.delete('user:1')).toBe(true)
    expect(await c.delete('user:1')).toBe(false)
    expect(await c.has('user:1')).toBe(false)
    expect(await c.invalidate('user:')).toBe(1)
    expect(await c.invalidate()).toBe(1)
    expect(await c.get('other')).toBeUndefined()
  })
})

describe('a by-key cache with L2', () => {
  it('delete and invalidate count what L2 held, with no L1 at all', async () => {
    const c = createCache({
      namespace: 'l2-results',
      backend: new MemoryBackend(),
      l1: false,
      logger: quiet(),
    })
    await c.set('a', 1)
    await c.set('b', 2)
    await c.set('c', 3)
    expect(await c.has('a')).toBe(true)
    expect(await c.delete('a')).toBe(true)
    expect(await c.delete('a')).toBe(false)
    expect(await c.invalidate()).toBe(2)
    expect(await c.has('b')).toBe(false)
  })

  it('get and getMany count each miss, and getMany puts every value at the position of its key', async () => {
    const c = createCache({ namespace: 'l2-misses', backend: new MemoryBackend(), logger: quiet() })
    await c.set('one', 1)
    await c.set('three', 3)
    expect(await c.get('nothing')).toBeUndefined()
    expect(c.info().misses).toBe(1)
    expect(await c.getMany(['none', 'one', 'two', 'three'])).toEqual([undefined, 1, undefined, 3])
    expect(c.info().misses).toBe(3)
  })
})

describe('a value read from L2', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stays in L1 no longer than L2 keeps it', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(1_700_000_000_000)
    const backend = new MemoryBackend()
    let calls = 0
    const load = async (id: number) => {
      calls++
      return { id }
    }
    const writer = cache(load, { namespace: 'l2-ttl-bound', backend, l1: false, ttl: 60, logger: quiet() })
    await writer(1)
    // The entry has 2 s left in L2 (as when another process wrote it 58 s ago).
    const key = keyFromArgs('l2-ttl-bound', [1])
    const stored = await backend.get(key)
    expect(stored).not.toBeNull()
    await backend.set(key, stored as Buffer, 2)
    const reader = cache(load, { namespace: 'l2-ttl-bound', backend, ttl: 60, logger: quiet() })
    expect(await reader(1)).toEqual({ id: 1 })
    expect(calls).toBe(1)
    // 1.5 s later L1 answers (its copy lives for what L2 had left, not for the cache's 60 s ttl).
    vi.advanceTimersByTime(1500)
    expect(await reader(1)).toEqual({ id: 1 })
    expect([calls, reader.info().l1Hits]).toEqual([1, 1])
    vi.advanceTimersByTime(1000)
    expect(await reader(1)).toEqual({ id: 1 })
    expect(calls).toBe(2)
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cache, L1Cache } from '../../src/index.js'

const T = 1_700_000_000_000
const bytes = (n: number) => new Uint8Array(n).fill(7)

describe('L1Cache deadlines (the entry was written at T with a 1000 ms TTL)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(T)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('is fresh until T + 999 and gone at exactly T + 1000', () => {
    const l1 = new L1Cache(1000)
    l1.setBytes('k', bytes(1), 1000)
    expect(l1.get('k', T + 999)).toBeDefined()
    expect(l1.remainingMs('k', T + 999)).toBe(1)
    expect(l1.get('k', T + 1000)).toBeUndefined()
    expect(l1.remainingMs('k', T + 1000)).toBeUndefined()
    expect(l1.size).toBe(0)
  })

  it('reports the remaining fresh time, and nothing for a key it does not hold', () => {
    const l1 = new L1Cache(1000)
    l1.setBytes('k', bytes(1), 1000)
    expect(l1.remainingMs('k', T + 250)).toBe(750)
    expect(l1.remainingMs('other', T)).toBeUndefined()
  })

  it.each(['setBytes', 'setFrozen'] as const)(
    '%s with a 500 ms stale window: a miss for get, kept for getStale until exactly T + 1500',
    (write) => {
      const l1 = new L1Cache(1000)
      if (write === 'setBytes') l1.setBytes('k', bytes(1), 1000, 500)
      else l1.setFrozen('k', { v: 1 }, 1, 1000, 500)
      expect(l1.get('k', T + 1200)).toBeUndefined()
      expect(l1.size).toBe(1)
      // Stale is not fresh: no remaining fresh time, from exactly T + 1000 on.
      expect(l1.remainingMs('k', T + 1000)).toBeUndefined()
      expect(l1.remainingMs('k', T + 1200)).toBeUndefined()
      expect(l1.getStale('k', T + 1499)).toBeDefined()
      expect(l1.getStale('k', T + 1500)).toBeUndefined()
      expect(l1.size).toBe(0)
    },
  )

  it('get drops an entry whose stale window has ended too, at exactly its end', () => {
    const l1 = new L1Cache(1000)
    l1.setBytes('k', bytes(1), 1000, 500)
    expect(l1.get('k', T + 1499)).toBeUndefined()
    expect(l1.size).toBe(1)
    expect(l1.get('k', T + 1500)).toBeUndefined()
    expect(l1.size).toBe(0)
  })

  it('getStale of a key it does not hold is undefined, and a fresh entry is served by getStale too', () => {
    const l1 = new L1Cache(1000)
    expect(l1.getStale('missing', T)).toBeUndefined()
    l1.setBytes('k', bytes(1), 1000)
    expect(l1.getStale('k', T + 10)).toBeDefined()
  })

  it('does not store an entry that is already past its deadline (a TTL of 0)', () => {
    const l1 = new L1Cache(1000)
    l1.setBytes('k', bytes(1), 0)
    expect(l1.size).toBe(0)
    expect(l1.bytes).toBe(0)
  })
})

describe('L1Cache byte budget', () => {
  it('stores an entry of exactly the budget, and not one byte more', () => {
    const l1 = new L1Cache(10)
    l1.setBytes('exact', bytes(10), 60_000)
    expect(l1.bytes).toBe(10)
    l1.setBytes('over', bytes(11), 60_000)
    expect(l1.get('over')).toBeUndefined()
    expect(l1.get('exact')).toBeDefined()
  })

  it('delete says whether it removed something; clear empties it and its byte count', () => {
    const l1 = new L1Cache(100)
    l1.setBytes('a:1', bytes(5), 60_000)
    l1.setBytes('a:2', bytes(5), 60_000)
    l1.setBytes('b:1', bytes(5), 60_000)
    expect(l1.delete('missing')).toBe(false)
    expect(l1.delete('a:1')).toBe(true)
    expect(l1.delete('a:1')).toBe(false)
    expect(l1.deleteByPrefix('a:')).toBe(1)
    expect(l1.bytes).toBe(5)
    l1.clear()
    expect([l1.size, l1.bytes, l1.get('b:1')]).toEqual([0, 0, undefined])
  })
})

describe('frozen mode', () => {
  it('freezes objects inside arrays inside objects, and leaves Buffers usable', async () => {
    const f = cache(async (id: number) => ({ id, rows: [{ n: 1 }, [{ m: 2 }]], raw: Buffer.from([1, 2]) }), {
      namespace: 'l1-frozen-nested',
      l1: { mode: 'frozen' },
    })
    await f(1)
    const hit = (await f(1)) as unknown as { rows: [{ n: number }, [{ m: number }]]; raw: Buffer }
    expect(Object.isFrozen(hit.rows[0])).toBe(true)
    expect(Object.isFrozen(hit.rows[1][0])).toBe(true)
    expect([...hit.raw]).toEqual([1, 2])
  })
})

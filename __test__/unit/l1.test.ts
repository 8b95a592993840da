import { afterEach, describe, expect, it, vi } from 'vitest'
import { L1Cache } from '../../src/index.js'

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill)

describe('L1Cache', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('evicts the least recently used entries to stay within its byte budget', () => {
    const l1 = new L1Cache(100)
    l1.setBytes('a', bytes(40), 60_000)
    l1.setBytes('b', bytes(40), 60_000)
    expect(l1.get('a')).toBeDefined() // a is now the most recently used
    l1.setBytes('c', bytes(40), 60_000)
    expect(l1.get('b')).toBeUndefined()
    expect(l1.get('a')).toBeDefined()
    expect(l1.get('c')).toBeDefined()
    expect(l1.bytes).toBe(80)
    expect(l1.size).toBe(2)
  })

  it('keeps a hot key through a stream of one-off keys', () => {
    const l1 = new L1Cache(100)
    for (let i = 0; i < 10; i++) l1.setBytes(`k${i}`, bytes(10), 60_000)
    for (let i = 10; i < 1000; i++) {
      expect(l1.get('k0'), `hot key evicted at insert ${i}`).toBeDefined()
      l1.setBytes(`k${i}`, bytes(10), 60_000)
    }
    expect(l1.size).toBe(10)
    expect(l1.bytes).toBe(100)
  })

  it('a hit on the entry already at the end does not move it; eviction order is kept', () => {
    const l1 = new L1Cache(30)
    l1.setBytes('a', bytes(10), 60_000)
    l1.setBytes('b', bytes(10), 60_000)
    for (let i = 0; i < 5; i++) expect(l1.get('b')).toBeDefined()
    expect(l1.get('a')).toBeDefined() // a moves to the end: b is now the oldest
    l1.setBytes('c', bytes(10), 60_000)
    l1.setBytes('d', bytes(10), 60_000)
    expect(l1.get('b')).toBeUndefined()
    expect(l1.get('a')).toBeDefined()
    expect(l1.size).toBe(3)
  })

  it('never stores an entry larger than the whole budget', () => {
    const l1 = new L1Cache(10)
    l1.setBytes('big', bytes(11), 60_000)
    expect(l1.size).toBe(0)
    expect(l1.bytes).toBe(0)
  })

  it('expires entries by their own TTL', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const l1 = new L1Cache(1000)
    l1.setBytes('short', bytes(1), 1000)
    l1.setBytes('long', bytes(1), 5000)
    vi.setSystemTime(Date.now() + 1500)
    expect(l1.get('short')).toBeUndefined()
    expect(l1.get('long')).toBeDefined()
    expect(l1.bytes).toBe(1)
  })

  it('copies the bytes it is given', () => {
    const l1 = new L1Cache(1000)
    const input = bytes(3, 7)
    l1.setBytes('k', input, 60_000)
    input.fill(0)
    expect([...(l1.get('k')?.bytes ?? [])]).toEqual([7, 7, 7])
  })

  it('replacing a key keeps the byte count right; prefix deletion only hits the prefix', () => {
    const l1 = new L1Cache(1000)
    l1.setBytes('ck:a:1', bytes(10), 60_000)
    l1.setBytes('ck:a:1', bytes(20), 60_000)
    l1.setBytes('ck:a:2', bytes(5), 60_000)
    l1.setBytes('ck:ab:1', bytes(5), 60_000)
    expect(l1.bytes).toBe(30)
    expect(l1.deleteByPrefix('ck:a:')).toBe(2)
    expect(l1.bytes).toBe(5)
    expect(l1.get('ck:ab:1')).toBeDefined()
  })

  it('frozen entries are deep-frozen and count their serialized size', () => {
    const l1 = new L1Cache(1000)
    l1.setFrozen('k', { a: { b: [1] } }, 12, 60_000)
    const entry = l1.get('k')
    const value = entry?.frozen as { a: { b: number[] } }
    expect(Object.isFrozen(value.a.b)).toBe(true)
    expect(l1.bytes).toBe(12)
  })
})

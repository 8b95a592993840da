import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AutoSerializer,
  cache,
  createCache,
  keyFromArgs,
  MemoryBackend,
  StandardSerializer,
} from '../../src/index.js'

const quiet = () => ({ warn: vi.fn() })

// Without L1 every read is answered by L2 alone: these paths are not hidden behind an L1 hit.
describe('a cache without L1 reads its values back from L2', () => {
  it('by key: get and getMany return what set stored, each value at the position of its key', async () => {
    const c = createCache({
      namespace: 'l2-alone-by-key',
      backend: new MemoryBackend(),
      l1: false,
      logger: quiet(),
    })
    await c.set('a', { n: 1 })
    await c.set('c', { n: 3 })
    expect(await c.get('a')).toEqual({ n: 1 })
    expect(await c.getMany(['a', 'b', 'c'])).toEqual([{ n: 1 }, undefined, { n: 3 }])
    expect(c.info().misses).toBe(1)
  })

  it('a synchronous function: the second call is answered by the store, and a miss is counted', () => {
    let calls = 0
    const square = cache(
      function square(x: number): number {
        calls++
        return x * x
      },
      { namespace: 'l2-alone-sync', backend: new MemoryBackend(), l1: false, logger: quiet() },
    )
    expect(square(3)).toBe(9)
    expect(square(3)).toBe(9)
    expect(calls).toBe(1)
    expect(square.info().misses).toBe(1)
    expect(square.info().l2Hits).toBe(1)
  })
})

describe('a synchronous function reading L2', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps the value in L1 no longer than L2 keeps it', () => {
    vi.useFakeTimers()
    vi.setSystemTime(1_700_000_000_000)
    const backend = new MemoryBackend()
    let calls = 0
    const triple = function triple(x: number): number {
      calls++
      return 3 * x
    }
    const writer = cache(triple, { namespace: 'sync-l2-ttl', backend, l1: false, ttl: 60, logger: quiet() })
    expect(writer(2)).toBe(6)
    // The entry has 2 s left in L2 (as when another process wrote it 58 s ago).
    const key = keyFromArgs('sync-l2-ttl', [2])
    const stored = backend.sync?.getWithTtl(key)
    expect(stored).toBeTruthy()
    backend.sync?.set(key, stored?.value as Buffer, 2)
    const reader = cache(triple, { namespace: 'sync-l2-ttl', backend, ttl: 60, logger: quiet() })
    expect(reader(2)).toBe(6)
    vi.advanceTimersByTime(1500)
    expect(reader(2)).toBe(6)
    expect([calls, reader.info().l1Hits]).toEqual([1, 1])
    vi.advanceTimersByTime(1000)
    expect(reader(2)).toBe(6)
    expect(calls).toBe(2)
  })
})

describe('a by-key cache with L1 only', () => {
  it('getMany answers a missing key with undefined (there is no L2 to ask)', async () => {
    const c = createCache({ namespace: 'l1-only-get-many', logger: quiet() })
    await c.set('a', 1)
    expect(await c.getMany(['a', 'b'])).toEqual([1, undefined])
  })
})

describe('serializer details a fresh instance shows', () => {
  it('msgpack-js reads a 64-bit integer another MessagePack writer stored as a BigInt', () => {
    const s = new AutoSerializer()
    expect(s.deserialize(Buffer.from('d30000000000000005', 'hex'))).toBe(5n)
    expect(s.deserialize(Buffer.from('cf0000000000000005', 'hex'))).toBe(5n)
  })

  it('msgpack refuses a plain object shaped like the datetime sentinel, saying why and what to do', () => {
    expect(() =>
      new StandardSerializer().serialize({ __datetime__: true, value: '2020-01-01T00:00:00+00:00' }),
    ).toThrow(
      /^StandardSerializer cannot serialize this object at value: it has the shape of Python's datetime sentinel/,
    )
  })
})

import { describe, expect, it, vi } from 'vitest'
import { AutoSerializer, cache, createCache, MemoryBackend, StandardSerializer } from '../../src/index.js'

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

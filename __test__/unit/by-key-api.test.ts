import { describe, expect, it, vi } from 'vitest'
import { BackendError, CacheClosedError, CachekitError, SerializationError } from '../../src/errors.js'
import { type Cache, createCache, MemoryBackend } from '../../src/index.js'
import { FaultyBackend, withoutUnhandledRejections } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn() })

function setup(namespace: string) {
  const store = new MemoryBackend()
  const backend = new FaultyBackend(store)
  const c = createCache({ namespace, backend, logger: quiet() })
  return { store, backend, c }
}

describe('by-key batches are checked whole before anything is written', () => {
  it('a flat array instead of pairs rejects, writes nothing and leaves no unhandled rejection', async () => {
    const { store, c } = setup('flat')
    const unhandled = await withoutUnhandledRejections(async () => {
      try {
        await c.setMany(['a', 1, 'b', 2] as never)
      } catch {}
    })
    expect(unhandled).toEqual([])
    await expect(c.setMany(['a', 1, 'b', 2] as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/entry 0 must be a \[key, value\] pair/),
    })
    expect(store.size).toBe(0)
  })

  it('strings are not pairs: setMany(["ab", "cd"]) rejects instead of storing a="b"', async () => {
    const { store, c } = setup('strings')
    await expect(c.setMany(['ab', 'cd'] as never)).rejects.toThrow(CachekitError)
    expect(store.size).toBe(0)
    expect(await c.get('a')).toBeUndefined()
  })

  it('one value the serializer refuses rejects the batch and writes none of it', async () => {
    const { store, c } = setup('partial')
    await expect(
      c.setMany([
        ['a', 1],
        ['b', new Map()],
        ['c', 3],
      ]),
    ).rejects.toThrow(SerializationError)
    expect(store.size).toBe(0)
    expect(await c.getMany(['a', 'c'])).toEqual([undefined, undefined])
  })

  it('a plain object is refused with the fix (Object.entries)', async () => {
    const { c } = setup('object')
    await expect(c.setMany({ a: 1 } as never)).rejects.toThrow(/setMany\(Object\.entries\(obj\)\)/)
  })

  it('accepts a Map and writes every entry in one backend call', async () => {
    const { backend, c } = setup('map')
    await c.setMany(
      new Map<string, unknown>([
        ['a', 1],
        ['b', { x: 2 }],
      ]),
    )
    expect(backend.calls).toEqual(['setMany'])
    expect(await c.getMany(['a', 'b'])).toEqual([1, { x: 2 }])
  })

  it('getMany takes an array of non-empty strings', async () => {
    const { c } = setup('keys')
    await expect(c.getMany('abc' as never)).rejects.toThrow(/takes an array of keys/)
    await expect(c.getMany(['a', 5] as never)).rejects.toThrow(/keys\[1\] must be a non-empty string/)
  })
})

describe('every by-key method rejects instead of throwing', () => {
  const calls: Array<[string, (c: Cache) => Promise<unknown>]> = [
    ['get("")', (c) => c.get('')],
    ['set("", 1)', (c) => c.set('', 1)],
    ['delete("")', (c) => c.delete('')],
    ['has(5)', (c) => c.has(5 as never)],
    ['ttl(null)', (c) => c.ttl(null as never)],
    ['getMany("abc")', (c) => c.getMany('abc' as never)],
    ['setMany({a: 1})', (c) => c.setMany({ a: 1 } as never)],
    ['set("k", 1, { ttel: 5 })', (c) => c.set('k', 1, { ttel: 5 } as never)],
    ['set("k", 1, { ttl: -1 })', (c) => c.set('k', 1, { ttl: -1 })],
    ['invalidate(5)', (c) => c.invalidate(5 as never)],
  ]
  for (const [name, call] of calls) {
    it(name, async () => {
      const { c } = setup('reject')
      let result: Promise<unknown> | undefined
      expect(() => {
        result = call(c)
      }).not.toThrow()
      await expect(result).rejects.toThrow(CachekitError)
    })
  }
})

describe('one failure policy while the backend fails', () => {
  it('reads degrade to a miss and are counted', async () => {
    const { backend, c } = setup('reads')
    await c.set('k', 1)
    const cold = createCache({ namespace: 'reads', backend, logger: quiet() })
    backend.fail()
    expect(await cold.get('k')).toBeUndefined()
    expect(await cold.has('k')).toBe(false)
    expect(await cold.ttl('k')).toBeNull()
    expect(await cold.getMany(['k', 'j'])).toEqual([undefined, undefined])
    expect(cold.info()).toMatchObject({ l2ReadErrors: 4, errors: 4 })
  })

  it('writes and deletes reject with BackendError and change nothing in this process', async () => {
    const { backend, c } = setup('writes')
    await c.set('kept', 'old')
    backend.fail()
    await expect(c.set('new', 1)).rejects.toThrow(BackendError)
    await expect(c.set('kept', 'new')).rejects.toThrow(BackendError)
    await expect(c.setMany([['a', 1]])).rejects.toThrow(BackendError)
    await expect(
      c.setMany([
        ['a', 1],
        ['b', 2],
      ]),
    ).rejects.toThrow(BackendError)
    await expect(c.delete('kept')).rejects.toThrow(BackendError)
    await expect(c.invalidate()).rejects.toThrow(BackendError)
    // L1 is as it was: no new entries, the old value still served.
    expect(await c.get('kept')).toBe('old')
    expect(await c.get('new')).toBeUndefined()
    expect(c.info().l1?.entries).toBe(1)
    expect(c.info().l2WriteErrors).toBe(6) // four writes, one delete, one invalidate
    backend.heal()
    expect(await c.get('kept')).toBe('old')
  })
})

describe('after close()', () => {
  it('every method rejects with CLOSED, not with a backend error', async () => {
    const { c } = setup('closed')
    await c.set('k', 1)
    await c.close()
    for (const call of [
      () => c.get('k'),
      () => c.set('k', 2),
      () => c.has('k'),
      () => c.ttl('k'),
      () => c.delete('k'),
      () => c.getMany(['k']),
      () => c.setMany([['k', 1]]),
      () => c.invalidate(),
    ]) {
      await expect(call()).rejects.toThrow(CacheClosedError)
      await expect(call()).rejects.toMatchObject({ code: 'CLOSED' })
    }
  })

  it('its wrapped functions are closed too', async () => {
    const { c } = setup('closed-wraps')
    const double = c.wrap(async (n: number) => n * 2, { name: 'double' })
    expect(await double(2)).toBe(4)
    await c.close()
    await expect(double(2)).rejects.toMatchObject({ code: 'CLOSED' })
  })
})

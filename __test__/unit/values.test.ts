import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

// One function wrapped in two caches over one store stands for the same code in two processes.
function twoProcesses<T>(
  namespace: string,
  load: () => Promise<T>,
  options: Record<string, unknown> = {},
): { here: () => Promise<T>; there: () => Promise<T> } {
  const backend = new MemoryBackend()
  const here = cache(load, { namespace, backend, ...options })
  const there = cache(load, { namespace, backend: new FaultyBackend(backend), ...options })
  return { here, there }
}

describe('a miss returns exactly what a hit returns', () => {
  it('{ n: 5n } is { n: 5 } on the miss too (msgpack decodes small integers as numbers)', async () => {
    const { here, there } = twoProcesses('bigint', async () => ({ n: 5n }))
    const miss = await here()
    expect(miss).toStrictEqual({ n: 5 })
    expect(await here()).toStrictEqual(miss)
    expect(await there()).toStrictEqual(miss)
  })

  it('an undefined property is omitted on the miss, the L1 hit and the L2 hit alike', async () => {
    const { here, there } = twoProcesses('undef-prop', async () => ({
      a: 1,
      b: undefined,
      list: [1, undefined],
    }))
    const miss = await here()
    expect(Object.keys(miss)).toEqual(['a', 'list'])
    expect(miss.list).toStrictEqual([1, null])
    expect(isDeepStrictEqual(await here(), miss)).toBe(true)
    expect(isDeepStrictEqual(await there(), miss)).toBe(true)
  })

  it('msgpack-js keeps undefined properties exactly', async () => {
    const { here, there } = twoProcesses('undef-js', async () => ({ a: 1, b: undefined }), {
      serializer: 'msgpack-js',
    })
    const miss = await here()
    expect(Object.keys(miss)).toEqual(['a', 'b'])
    expect(isDeepStrictEqual(await there(), miss)).toBe(true)
  })

  it('in frozen mode the caller that computed gets the same frozen value as every hit', async () => {
    const get = cache(async () => ({ n: 7n, nested: { x: 1 } }), {
      namespace: 'frozen-miss',
      backend: null,
      l1: { mode: 'frozen' },
    })
    const miss = await get()
    expect(Object.isFrozen(miss.nested)).toBe(true)
    expect(await get()).toBe(miss)
    expect(miss).toStrictEqual({ n: 7, nested: { x: 1 } })
  })

  it('in frozen mode a cached Map, Set or Date cannot be changed by one caller for the others', async () => {
    const get = cache(async () => ({ tags: new Set(['a']), counts: new Map([['a', 1]]), at: new Date(9) }), {
      namespace: 'frozen-collections',
      backend: null,
      serializer: 'msgpack-js',
      l1: { mode: 'frozen' },
    })
    const first = await get()
    expect(() => first.tags.add('b')).toThrow(expect.objectContaining({ code: 'FROZEN_VALUE' }))
    expect(() => first.counts.set('a', 2)).toThrow(expect.objectContaining({ code: 'FROZEN_VALUE' }))
    expect(() => first.at.setTime(0)).toThrow(expect.objectContaining({ code: 'FROZEN_VALUE' }))
    const second = await get()
    expect([...second.tags]).toEqual(['a'])
    expect(second.counts.get('a')).toBe(1)
    expect(second.at.getTime()).toBe(9)
  })

  // Values each serializer accepts, with what tends to change between encode and decode.
  const key = fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__')
  const leaf = {
    msgpack: fc.oneof(
      fc.integer(),
      fc.double({ noNaN: false }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
    ),
    'msgpack-js': fc.oneof(
      fc.integer(),
      fc.double(),
      fc.bigInt(),
      fc.constant(-0),
      fc.string({ maxLength: 8 }),
      fc.constant(undefined),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
    ),
    json: fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    ),
  } as const
  for (const [serializer, values] of Object.entries(leaf)) {
    const tree = fc
      .letrec((tie) => ({
        node: fc.oneof(
          { depthSize: 'small' },
          values,
          fc.array(tie('node'), { maxLength: 4 }),
          fc.dictionary(key, tie('node'), { maxKeys: 4 }),
          ...(serializer === 'msgpack-js'
            ? [fc.array(fc.tuple(key, tie('node')), { maxLength: 3 }).map((e) => new Map(e))]
            : []),
        ),
      }))
      .node.filter((v) => v !== undefined)

    it(`${serializer}: miss, L1 hit and another process's L2 hit are deeply, strictly equal`, async () => {
      let n = 0
      await fc.assert(
        fc.asyncProperty(tree, async (value) => {
          const { here, there } = twoProcesses(`prop-${serializer}-${n++}`, async () => value, { serializer })
          const miss = await here()
          const l1Hit = await here()
          const l2Hit = await there()
          return isDeepStrictEqual(l1Hit, miss) && isDeepStrictEqual(l2Hit, miss)
        }),
        { numRuns: 150 },
      )
    })
  }
})

describe('undefined results', () => {
  it('are returned to the caller, not stored, and counted', async () => {
    const backend = new MemoryBackend()
    const find = vi.fn(async (id: number) => [{ id: 1 }].find((row) => row.id === id))
    const get = cache(async (id: number) => find(id), { namespace: 'find', backend })
    expect(await get(2)).toBeUndefined()
    expect(await get(2)).toBeUndefined()
    expect(find).toHaveBeenCalledTimes(2)
    expect(backend.size).toBe(0)
    expect(get.info()).toMatchObject({ undefinedResults: 2, l1: { entries: 0 } })
    expect(await get(1)).toEqual({ id: 1 })
    expect(await get(1)).toEqual({ id: 1 })
    expect(find).toHaveBeenCalledTimes(3)
  })

  it('callers that joined the computation get undefined too', async () => {
    const get = cache(async () => undefined, { namespace: 'undef-shared', backend: null })
    expect(await Promise.all([get(), get(), get()])).toEqual([undefined, undefined, undefined])
    expect(get.info()).toMatchObject({ coalesced: 2, undefinedResults: 1 })
  })

  it('synchronous functions follow the same rule', () => {
    const fn = vi.fn((): string | undefined => undefined)
    const get = cache.local(fn, { namespace: 'undef-sync' })
    expect(get()).toBeUndefined()
    expect(get()).toBeUndefined()
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it("are cached with cacheUndefined and 'msgpack-js', and refused at wrap time with other serializers", async () => {
    const fn = vi.fn(async () => undefined)
    const { here, there } = twoProcesses('undef-cached', async () => fn(), {
      serializer: 'msgpack-js',
      cacheUndefined: true,
    })
    expect(await here()).toBeUndefined()
    expect(await here()).toBeUndefined()
    expect(await there()).toBeUndefined()
    expect(fn).toHaveBeenCalledTimes(1)
    expect(() => cache(async () => fn(), { namespace: 'u', backend: null, cacheUndefined: true })).toThrow(
      ConfigurationError,
    )
  })

  it('by-key set(key, undefined) is refused by the serializer instead of storing something else', async () => {
    const c = createCache({ backend: null })
    await expect(c.set('k', undefined)).rejects.toMatchObject({ code: 'UNSUPPORTED_VALUE' })
  })
})

describe('single-flight', () => {
  it('a caller arriving while the function runs (after the L2 miss) joins it', async () => {
    let release: (value: number) => void = () => {}
    const fn = vi.fn(() => new Promise<number>((resolve) => (release = resolve)))
    const backend = new MemoryBackend()
    const get = cache(async () => fn(), { namespace: 'midflight', backend })
    const first = get()
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(1))
    const second = get()
    release(42)
    expect(await Promise.all([first, second])).toEqual([42, 42])
    expect(fn).toHaveBeenCalledTimes(1)
    expect(get.info()).toMatchObject({ coalesced: 1, misses: 1 })
  })

  it('a caller arriving while the L2 write is awaited joins it too', async () => {
    const store = new MemoryBackend()
    let writes = 0
    let letWrite: () => void = () => {}
    const backend = new FaultyBackend(store)
    const set = backend.set.bind(backend)
    backend.set = async (...args) => {
      writes++
      await new Promise<void>((resolve) => (letWrite = resolve))
      return set(...args)
    }
    const fn = vi.fn(async () => 'v')
    const get = cache(async () => fn(), { namespace: 'midwrite', backend, l1: false })
    const first = get()
    await vi.waitFor(() => expect(writes).toBe(1))
    const second = get()
    letWrite()
    expect(await Promise.all([first, second])).toEqual(['v', 'v'])
    expect(fn).toHaveBeenCalledTimes(1)
  })
})

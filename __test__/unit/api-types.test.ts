import { describe, expect, expectTypeOf, it } from 'vitest'
import { type CacheInfo, cache, cacheControl, createCache } from '../../src/index.js'

// `npm run typecheck` checks these lines; the runtime assertions keep the test meaningful under vitest.

describe('public types', () => {
  it('a cached function keeps its signature and gains typed controls', async () => {
    const getUser = cache(async (id: number, _opts?: { fresh: boolean }) => ({ id }), {
      namespace: 'types',
      backend: null,
      key: (id) => `u:${id}`,
    })
    expectTypeOf(getUser).parameters.toEqualTypeOf<[id: number, _opts?: { fresh: boolean }]>()
    expectTypeOf(getUser).returns.toEqualTypeOf<Promise<{ id: number }>>()
    expectTypeOf(getUser.refresh).returns.toEqualTypeOf<Promise<{ id: number }>>()
    expectTypeOf(getUser.invalidate).parameters.toEqualTypeOf<[id: number, _opts?: { fresh: boolean }]>()
    expectTypeOf(getUser.info()).toEqualTypeOf<CacheInfo>()
    // @ts-expect-error a string is not an id
    await getUser.invalidate('1').catch(() => {})
    // @ts-expect-error the key function receives the typed arguments
    cache(async (id: number) => id, { namespace: 'types2', backend: null, key: (id: string) => id })
    expect(await getUser(1)).toEqual({ id: 1 })
  })

  it('sync functions stay sync', () => {
    const add = cache.local((a: number, b: number) => a + b, { namespace: 'types.add' })
    expectTypeOf(add).returns.toEqualTypeOf<number>()
    expect(add(1, 2)).toBe(3)
  })

  it('createCache and cacheControl are typed', async () => {
    const c = createCache({ namespace: 'types.c', backend: null })
    expectTypeOf(c.get<{ a: number }>).returns.toEqualTypeOf<Promise<{ a: number } | undefined>>()
    const fn = cache(async (s: string) => s.length, { namespace: 'types.ctl', backend: null })
    expectTypeOf(cacheControl(fn).bypass).returns.toEqualTypeOf<Promise<number>>()
    expect(await cacheControl(fn).bypass('abc')).toBe(3)
  })
})

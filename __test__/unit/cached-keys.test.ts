import { describe, expect, it, vi } from 'vitest'
import { cache, keyFromArgs } from '../../src/index.js'

const _quiet = { warn: vi.fn(), debug: () => {} }

describe('cache(fn): remembered keys', () => {
  it('remembered keys tell apart primitives of different types, and match keyFromArgs', async () => {
    const fn = vi.fn(async (x: unknown) => typeof x)
    const get = cache(async (x: unknown) => fn(x), { namespace: 'keymemo', backend: null })
    const args: unknown[] = [1, '1', 1n, true, 'true', null, undefined, 'null', Number.NaN, 0]
    for (let round = 0; round < 2; round++) {
      for (const arg of args) {
        expect(await get(arg)).toBe(typeof arg)
        expect(get.key(arg)).toBe(keyFromArgs('keymemo', [arg]))
      }
    }
    expect(fn).toHaveBeenCalledTimes(args.length)
    // -0 has the canonical text of 0: the same entry.
    expect(get.key(-0)).toBe(get.key(0))
    expect(await get(-0)).toBe('number')
    expect(fn).toHaveBeenCalledTimes(args.length)
    // Several arguments and containers go through their canonical text.
    const pair = cache(async (a: number, b: number) => a + b, { namespace: 'keymemo', backend: null })
    expect(pair.key(1, 2)).toBe(keyFromArgs('keymemo', [1, 2]))
    expect(await pair(1, 2)).toBe(3)
    expect(await pair(1, 2)).toBe(3)
    expect(pair.info().l1Hits).toBe(1)
    expect(get.key({ a: [1] })).toBe(keyFromArgs('keymemo', [{ a: [1] }]))
    const long = 'x'.repeat(1000)
    expect(get.key(long)).toBe(keyFromArgs('keymemo', [long]))
  })

  it('a remembered key follows the argument, not a mutated container', async () => {
    const fn = vi.fn(async (o: { n: number }) => o.n)
    const get = cache(async (o: { n: number }) => fn(o), { namespace: 'keymemo-obj', backend: null })
    const arg = { n: 1 }
    expect(await get(arg)).toBe(1)
    arg.n = 2
    expect(await get(arg)).toBe(2)
    expect(await get({ n: 1 })).toBe(1)
    expect(fn).toHaveBeenCalledTimes(2)
  })
})

import { describe, expect, it, vi } from 'vitest'
import { cache, StandardSerializer } from '../../src/index.js'

// What a caller gets depends on the L1 mode. Frozen: one deep-frozen value for everyone, including
// callers that joined the computation. Copy: a value of its own for every caller; an L1 entry's
// bytes are decoded once, by its first hit, and later hits clone that private decode.

describe('callers that join a computation', () => {
  it('in frozen mode get the very value the computing caller got, frozen', async () => {
    let release: (() => void) | undefined
    const get = cache(
      async (id: number) => {
        await new Promise<void>((resolve) => (release = resolve))
        return { id, tags: ['a'] }
      },
      { namespace: 'frozen-joiners', l1: { mode: 'frozen' } },
    )
    const leader = get(1)
    const joiner = get(1)
    await vi.waitFor(() => expect(release).toBeDefined())
    expect(get.info().coalesced).toBe(1)
    release?.()
    const [a, b] = await Promise.all([leader, joiner])
    expect(b).toBe(a)
    expect(Object.isFrozen(b)).toBe(true)
    expect(Object.isFrozen(b.tags)).toBe(true)
  })

  it('in copy mode each get a value of their own', async () => {
    let release: (() => void) | undefined
    const get = cache(
      async (id: number) => {
        await new Promise<void>((resolve) => (release = resolve))
        return { id, tags: ['a'] }
      },
      { namespace: 'copy-joiners' },
    )
    const leader = get(1)
    const joiner = get(1)
    await vi.waitFor(() => expect(release).toBeDefined())
    expect(get.info().coalesced).toBe(1)
    release?.()
    const [a, b] = await Promise.all([leader, joiner])
    expect(b).toStrictEqual(a)
    expect(b).not.toBe(a)
    expect(b.tags).not.toBe(a.tags)
  })
})

describe('copy-mode L1 hits', () => {
  it('decode the entry once, at the first hit; later hits are copies of that decode, each its own', async () => {
    const serializer = new StandardSerializer()
    const decode = vi.spyOn(serializer, 'deserialize')
    const get = cache(async (id: number) => ({ id, rows: [{ n: 1 }, { n: 2 }] }), {
      namespace: 'copy-decode-once',
      serializer,
    })
    const computed = await get(1)
    // The caller that computed gets the decode of what was stored (a miss and a hit never differ).
    expect(decode).toHaveBeenCalledTimes(1)
    const hits = [await get(1), await get(1), await get(1)]
    expect(decode).toHaveBeenCalledTimes(2)
    for (const hit of hits) expect(hit).toStrictEqual(computed)
    expect(new Set([computed, ...hits]).size).toBe(4)
    expect(new Set([computed.rows, ...hits.map((h) => h.rows)]).size).toBe(4)
    expect(get.info()).toMatchObject({ l1Hits: 3, misses: 1 })
  })
})

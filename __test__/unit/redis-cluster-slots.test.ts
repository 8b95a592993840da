/**
 * Hash slots as Redis Cluster computes them, and the grouping RedisBackend sends multi-key commands
 * by. The reference is the `cluster-key-slot` package (what ioredis routes with); the topology
 * tests also compare with the server's own CLUSTER KEYSLOT.
 */
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lockKeyOf } from '../../src/backends/lock-key.js'
import { bySlot } from '../../src/backends/redis-cluster-commands.js'
import { hashedPart, keySlot, SLOT_COUNT, slotGroups } from '../../src/backends/redis-slot.js'

const reference = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number

// Keys with braces in every position, multi-byte characters and the shapes cachekit writes.
const keys = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(fc.constantFrom('{', '}', 'a', 'b', ':', 'é', '日', '😀'), { maxLength: 12 })
    .map((cs) => cs.join('')),
  fc
    .tuple(fc.stringMatching(/^[a-z.]{1,12}$/), fc.stringMatching(/^[0-9a-f]{64}$/))
    .map(([ns, h]) => `ck:${ns}:${h}`),
)

describe('keySlot', () => {
  it('matches the slots of the Redis Cluster specification', () => {
    // CRC16("123456789") = 0x31C3 is the specification's check value.
    expect(keySlot('123456789')).toBe(0x31c3 % SLOT_COUNT)
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'))
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'))
    // An empty tag is no tag: the whole key is hashed; only the first { counts.
    expect(hashedPart('foo{}{bar}')).toBe('foo{}{bar}')
    expect(hashedPart('foo{{bar}}zap')).toBe('{bar')
    expect(hashedPart('foo{bar}{zap}')).toBe('bar')
    expect(hashedPart('{')).toBe('{')
  })

  // cluster-key-slot 1.1 differs from Redis on one shape: after an empty first tag (`{}`) it looks
  // for a later `}`, where Redis hashes the whole key (the topology test asks the server itself).
  const emptyFirstTag = (key: string) => key.indexOf('{') !== -1 && key[key.indexOf('{') + 1] === '}'

  it('agrees with cluster-key-slot on any key, unicode and braces included', () => {
    fc.assert(
      fc.property(
        keys.filter((key) => !emptyFirstTag(key)),
        (key) => {
          expect(keySlot(key)).toBe(reference(key))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('hashes the whole key after an empty first tag, as Redis does', () => {
    fc.assert(
      fc.property(keys.filter(emptyFirstTag), (key) => {
        expect(hashedPart(key)).toBe(key)
      }),
    )
    expect(keySlot('{}}')).not.toBe(reference('{}}'))
  })

  // A tag cannot contain `}`: an untagged key with a `}` has no lock key in its slot (the lock's
  // commands are single-key, so that costs nothing but the co-location).
  const lockable = (key: string) => key !== '' && (hashedPart(key) !== key || !key.includes('}'))

  it("puts an entry's lock in the entry's slot, for every key with a tag or without a }", () => {
    fc.assert(
      fc.property(keys.filter(lockable), (key) => {
        expect(keySlot(lockKeyOf(key))).toBe(keySlot(key))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('slotGroups and bySlot', () => {
  it('group every position once, each group of one slot and in the order of the keys', () => {
    fc.assert(
      fc.property(fc.array(keys, { maxLength: 60 }), (list) => {
        const groups = slotGroups(list)
        expect(groups.flat().sort((a, b) => a - b)).toEqual(list.map((_, i) => i))
        for (const group of groups) {
          expect(new Set(group.map((i) => keySlot(list[i] as string))).size).toBe(1)
          expect([...group].sort((a, b) => a - b)).toEqual(group)
        }
        expect(new Set(groups.map((g) => keySlot(list[g[0] as number] as string))).size).toBe(groups.length)
      }),
    )
  })

  it('bySlot runs one command per slot and puts each reply back at its key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(keys, { minLength: 1, maxLength: 60 }), async (list) => {
        const sent: string[][] = []
        const results = await bySlot(list, async (group) => {
          sent.push(group)
          return group.map((key) => `value of ${key}`)
        })
        expect(results).toEqual(list.map((key) => `value of ${key}`))
        expect(sent.length).toBe(new Set(list.map(keySlot)).size)
        for (const group of sent) expect(new Set(group.map(keySlot)).size).toBe(1)
      }),
    )
  })

  it("bySlot rejects with a slot's failure, as one command would", async () => {
    const list = ['a', 'b', 'c', 'd'].filter(
      (k, i, all) => all.findIndex((o) => keySlot(o) === keySlot(k)) === i,
    )
    expect(list.length).toBeGreaterThan(1)
    const failing = list[1] as string
    await expect(
      bySlot(list, async (group) => {
        if (group.includes(failing)) throw new Error(`no answer for ${failing}`)
        return group
      }),
    ).rejects.toThrow(`no answer for ${failing}`)
  })
})

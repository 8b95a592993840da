import { describe, expect, it } from 'vitest'
import { AutoSerializer, cache, JsonSerializer, L1Cache, StandardSerializer } from '../../src/index.js'
import { NOT_CLONABLE, type Serializer } from '../../src/serializers/serializer.js'

// Copy mode hands every hit a value nobody else holds. The first hit decodes the stored bytes and
// keeps a private template; every later hit clones that template. These tests go past the first hit,
// mutate everything each hit returns, and check that the next hits are unaffected.

const HITS = 5

/** Copy-mode hits as the cache serves them: the first decodes, later ones clone the template. */
function copyModeHits(s: Serializer, value: unknown): unknown[] {
  const l1 = new L1Cache(1 << 20)
  l1.setBytes('k', s.serialize(value), 60_000)
  const bytes = l1.get('k')?.bytes as Uint8Array
  const first = s.deserialize(bytes)
  const template = s.cloneDecoded?.(first) ?? NOT_CLONABLE
  expect(template).not.toBe(NOT_CLONABLE)
  const hits = [first]
  for (let i = 1; i < HITS; i++) hits.push(s.cloneDecoded?.(template))
  return hits
}

interface Plain {
  user: { name: string; roles: string[]; profile: { age: number } }
  list: Array<{ n: number }>
  matrix: number[][]
}
const plain = (): Plain => ({
  user: { name: 'ada', roles: ['admin'], profile: { age: 36 } },
  list: [{ n: 1 }, { n: 2 }],
  matrix: [[1, 2], [3]],
})
function mutatePlain(v: Plain, i: number): void {
  v.user.name = `mutated ${i}`
  v.user.roles.push('intruder')
  v.user.profile.age = -1
  delete (v.user as Partial<Plain['user']>).profile
  ;(v.list[0] as { n: number }).n = 99
  v.list.pop()
  ;(v.matrix[0] as number[])[0] = 42
  ;(v as unknown as Record<string, unknown>).added = true
}

interface Binary {
  bytes: Uint8Array
  buf: Buffer
  when: Date
  nested: { at: Date; blob: Uint8Array }
}
const binary = (): Binary => ({
  bytes: new Uint8Array([1, 2, 3]),
  buf: Buffer.from('abc'),
  when: new Date(1_700_000_000_000),
  nested: { at: new Date(5), blob: new Uint8Array([9]) },
})
function mutateBinary(v: Binary): void {
  v.bytes[0] = 0
  v.buf.fill(0)
  v.when.setTime(0)
  v.nested.at.setUTCFullYear(1999)
  v.nested.blob[0] = 0
}

interface JsOnly {
  map: Map<unknown, unknown>
  set: Set<unknown>
  floats: Float64Array
  big: bigint
}
const jsOnly = (): JsOnly => ({
  map: new Map<unknown, unknown>([
    ['a', { deep: [1] }],
    [{ key: 1 }, new Set([1])],
  ]),
  set: new Set<unknown>([{ member: 1 }, 'x']),
  floats: new Float64Array([1.5, 2.5]),
  big: 2n ** 70n,
})
function mutateJsOnly(v: JsOnly): void {
  ;((v.map.get('a') as { deep: number[] }).deep as number[]).push(2)
  for (const key of v.map.keys()) if (typeof key === 'object') (key as { key: number }).key = 0
  v.map.set('new', 1)
  v.map.delete('a')
  for (const member of v.set) if (typeof member === 'object') (member as { member: number }).member = 0
  v.set.add('y')
  v.floats[0] = 0
}

describe('copy-mode L1 hits stay isolated past the first hit (the clone-from-template path)', () => {
  const cases: Array<[string, Serializer, () => unknown, (v: never, i: number) => void]> = [
    ['StandardSerializer, nested objects and arrays', new StandardSerializer(), plain, mutatePlain],
    ['JsonSerializer, nested objects and arrays', new JsonSerializer(), plain, mutatePlain],
    ['AutoSerializer, nested objects and arrays', new AutoSerializer(), plain, mutatePlain],
    ['StandardSerializer, bytes and Dates', new StandardSerializer(), binary, mutateBinary],
    ['AutoSerializer, bytes and Dates', new AutoSerializer(), binary, mutateBinary],
    ['AutoSerializer, Map, Set, typed arrays, BigInt', new AutoSerializer(), jsOnly, mutateJsOnly],
  ]

  it.each(cases)('%s: mutating every hit changes no later hit', (_name, s, make, mutate) => {
    const hits = copyModeHits(s, make())
    const expected = s.deserialize(s.serialize(make()))
    for (let i = 0; i < hits.length; i++) {
      expect(hits[i], `hit ${i}`).toStrictEqual(expected)
      mutate(hits[i] as never, i)
      expect(hits[i], `hit ${i} was mutated`).not.toStrictEqual(expected)
    }
  })

  it('every hit has the types of the first decode (a Buffer stays a Buffer, a Uint8Array a Uint8Array)', () => {
    const [first, ...later] = copyModeHits(new AutoSerializer(), binary()) as Binary[]
    for (const hit of later) {
      expect(Object.getPrototypeOf(hit.bytes)).toBe(Object.getPrototypeOf(first?.bytes))
      expect(Object.getPrototypeOf(hit.buf)).toBe(Object.getPrototypeOf(first?.buf))
      expect(hit.when).toBeInstanceOf(Date)
    }
  })
})

describe('through cache.test: a cached function’s hits are isolated past the first hit', () => {
  it.each([
    ['msgpack', plain, mutatePlain],
    ['json', plain, mutatePlain],
    ['msgpack', binary, mutateBinary],
    ['msgpack-js', jsOnly, mutateJsOnly],
  ] as const)('%s: %#', async (serializer, make, mutate) => {
    let calls = 0
    const load = cache.test(
      async function loadRecord(_id: number) {
        calls++
        return make()
      },
      { serializer },
    )
    const expected = new (
      serializer === 'json' ? JsonSerializer : serializer === 'msgpack' ? StandardSerializer : AutoSerializer
    )()
    const reference = expected.deserialize(expected.serialize(make()))
    for (let i = 0; i < HITS; i++) {
      const value = await load(1)
      expect(value, `call ${i}`).toStrictEqual(reference)
      mutate(value as never, i)
    }
    expect(calls).toBe(1)
  })
})

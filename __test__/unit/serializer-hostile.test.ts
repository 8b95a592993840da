import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { SerializationError } from '../../src/errors.js'
import { AutoSerializer, JsonSerializer, L1Cache, StandardSerializer } from '../../src/index.js'
import { NOT_CLONABLE, type Serializer } from '../../src/serializers/serializer.js'

// Bytes anyone who can write to the shared Redis can store. The serializers never write any of these.

/** Arrays where each level holds the level below twice: depth+1 objects, 2^depth paths to the leaf. */
function diamond(depth: number): unknown[] {
  let value: unknown[] = ['leaf']
  for (let i = 0; i < depth; i++) value = [value, value]
  return value
}

/** msgpackr's structured-clone references: each level is written once and pointed to twice. */
const referencesTo = (value: unknown) => new Packr({ structuredClone: true, useRecords: false }).pack(value)
const moreTypes = new Packr({ useRecords: false, moreTypes: true })

/** Distinct objects reachable from a value (each counted once, however many paths lead to it). */
function distinctObjects(root: unknown): number {
  const seen = new Set<object>()
  const stack = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (value === null || typeof value !== 'object' || seen.has(value)) continue
    seen.add(value)
    if (value instanceof Map) stack.push(...value.keys(), ...value.values())
    else if (value instanceof Set) stack.push(...value)
    else if (!ArrayBuffer.isView(value)) stack.push(...Object.values(value))
  }
  return seen.size
}

/**
 * What a stored entry costs a reader in copy and frozen mode: one decode, the template clone and
 * three hit clones (as copy-mode L1 hits do), then one deep freeze (frozen mode). Returns the objects
 * built, or 0 when the decode refuses the bytes as a corrupt entry (which the cache treats as a miss).
 */
function readerCost(s: Serializer, bytes: Uint8Array): number {
  let decoded: unknown
  try {
    decoded = s.deserialize(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError)
    expect((err as SerializationError).code).toBe('DESERIALIZE_FAILED')
    return 0
  }
  let built = distinctObjects(decoded)
  const template = s.cloneDecoded?.(decoded) ?? NOT_CLONABLE
  if (template !== NOT_CLONABLE) {
    built += distinctObjects(template)
    for (let hit = 0; hit < 3; hit++) {
      const copy = s.cloneDecoded?.(template)
      if (copy !== NOT_CLONABLE) built += distinctObjects(copy)
    }
  }
  new L1Cache(1 << 30).setFrozen('k', s.deserialize(bytes), bytes.length, 60_000)
  return built
}

const serializers = [
  ['StandardSerializer', new StandardSerializer()],
  ['AutoSerializer', new AutoSerializer()],
] as const

describe('a stored value costs at most a bounded multiple of its size to decode, copy and freeze', () => {
  it.each(serializers)('%s refuses msgpackr structured-clone references as a corrupt entry', (_name, s) => {
    const bytes = referencesTo(diamond(60))
    expect(bytes.length).toBeLessThan(1000)
    expect(() => s.deserialize(bytes)).toThrow(SerializationError)
    expect(() => s.deserialize(bytes)).toThrow(/could not be decoded/)
  })

  it.each(serializers)(
    '%s: decode + 3 clones + freeze of a reference graph build at most one object per stored byte',
    (_name, s) => {
      // 2^19 paths in 136 bytes: copying it as a tree builds half a million arrays per clone. Every
      // object a reader builds from bytes needs at least one byte of its own, so the bound below is
      // 5 readers' worth (decode, template, three hits) of one object per byte.
      const bytes = referencesTo(diamond(18))
      expect(readerCost(s, bytes)).toBeLessThanOrEqual(5 * bytes.length)
    },
  )

  it.each(serializers)('%s: the same for a 2^60-path graph, well within a second', (_name, s) => {
    // Exponential before: the first copy-mode hit ran out of memory. Now linear, so microseconds;
    // the bound is generous for a loaded machine.
    const bytes = referencesTo(diamond(60))
    const started = performance.now()
    expect(readerCost(s, bytes)).toBeLessThanOrEqual(5 * bytes.length)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('cloneDecoded refuses a value that reaches one object twice (shared or cyclic), in linear time', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const sharedDate = new Date(5)
    for (const [, s] of [...serializers, ['JsonSerializer', new JsonSerializer()] as const]) {
      const started = performance.now()
      expect(s.cloneDecoded(diamond(60))).toBe(NOT_CLONABLE)
      expect(s.cloneDecoded(cyclic)).toBe(NOT_CLONABLE)
      expect(s.cloneDecoded({ a: sharedDate, b: sharedDate })).toBe(NOT_CLONABLE)
      expect(performance.now() - started).toBeLessThan(1000)
    }
  })

  it('random bytes are a value or a DESERIALIZE_FAILED error, never another error', () => {
    const readers = [...serializers, ['JsonSerializer', new JsonSerializer()] as const]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const [, s] of readers) {
          try {
            s.deserialize(bytes)
          } catch (err) {
            expect(err).toBeInstanceOf(SerializationError)
            expect((err as SerializationError).code).toBe('DESERIALIZE_FAILED')
          }
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('StandardSerializer reads plain MessagePack only', () => {
  const s = new StandardSerializer()
  const foreign: Array<[string, Uint8Array]> = [
    ['a Set (msgpackr extension 0x73)', moreTypes.pack(new Set([1]))],
    ['a typed array (0x74)', moreTypes.pack(new Float32Array(1))],
    ['an Error (0x65)', moreTypes.pack(new Error('x'))],
    ['a RegExp (0x78)', moreTypes.pack(/x/g)],
    [
      'a BigInt beyond 64 bits (0x42)',
      new Packr({ useRecords: false, useBigIntExtension: true }).pack(2n ** 70n),
    ],
    ['undefined (fixext 0)', Buffer.from('d40000', 'hex')],
    ['msgpackr records (0x72)', new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }])],
    [
      'bundled strings (0x62)',
      new Packr({ useRecords: false, bundleStrings: true }).pack({ a: 'x'.repeat(30) }),
    ],
    ['a msgpack-js Map', new AutoSerializer().serialize(new Map([[1, 2]]))],
    ['an application extension type 16', Buffer.from('d41000', 'hex')],
  ]

  it.each(foreign)('refuses %s as a corrupt entry', (_what, bytes) => {
    expect(() => s.deserialize(bytes)).toThrow(SerializationError)
    expect(() => s.deserialize(bytes)).toThrow(/is not plain MessagePack \(only the timestamp, -1, is\)/)
  })

  it('reads every timestamp form (32, 64 and 96 bits) and refuses a timestamp of another length', () => {
    const dates = [new Date(1000), new Date(1001), new Date(-1001), new Date(2 ** 34 * 1000 + 5)]
    const bytes = s.serialize(dates)
    expect(Buffer.from(bytes).toString('hex')).toMatch(/d6ff.*d7ff.*c70cff/)
    expect(s.deserialize(bytes)).toStrictEqual(dates)
    expect(() => s.deserialize(Buffer.from('d4ff00', 'hex'))).toThrow(/a timestamp of 1 bytes/)
  })

  it('refuses nesting deeper than the native reader allows, and trailing bytes', () => {
    const deep = Buffer.alloc(5001, 0x91)
    deep[5000] = 0x01
    expect(() => s.deserialize(deep)).toThrow(/nesting deeper than 1024 levels/)
    expect(() => s.deserialize(Buffer.from('01c0', 'hex'))).toThrow(/1 trailing bytes/)
  })
})

describe('deep values are refused when written, never a RangeError when read', () => {
  const all = [...serializers, ['JsonSerializer', new JsonSerializer()] as const]
  const nested = (depth: number) => {
    let value: unknown = 1
    for (let i = 0; i < depth; i++) value = [value]
    return value
  }

  it.each(all)('%s refuses a 5000-deep array with a typed error that says what to do', (_name, s) => {
    expect(() => s.serialize(nested(5000))).toThrow(SerializationError)
    expect(() => s.serialize(nested(5000))).toThrow(/nested deeper than 1024 levels .*flatten it/)
  })

  it.each(all)('%s round-trips 1024 levels', (_name, s) => {
    expect(s.deserialize(s.serialize(nested(1024)))).toStrictEqual(nested(1024))
  })

  it.each(all)('%s reports a cycle where it closes', (_name, s) => {
    const cyclic: Record<string, unknown> = { list: [] }
    ;(cyclic.list as unknown[]).push(cyclic)
    expect(() => s.serialize(cyclic)).toThrow(/a circular reference at value\.list\[0\]/)
  })

  it('AutoSerializer counts a Map as 3 levels and a Set as 2 (their nesting on the wire)', () => {
    const s = new AutoSerializer()
    let maps: unknown = 1
    for (let i = 0; i < 400; i++) maps = new Map([[1, maps]])
    expect(() => s.serialize(maps)).toThrow(/nested deeper than 1024 levels \(a Map counts 3, a Set 2\)/)
    let sets: unknown = 1
    for (let i = 0; i < 500; i++) sets = new Set([sets])
    expect(s.deserialize(s.serialize(sets))).toStrictEqual(sets)
  })

  it('a JSON entry nested 5000 deep (written by someone else) decodes, is decoded per hit, and freezes', () => {
    const s = new JsonSerializer()
    const bytes = Buffer.from(`${'['.repeat(5000)}1${']'.repeat(5000)}`)
    const value = s.deserialize(bytes)
    expect(s.cloneDecoded(value)).toBe(NOT_CLONABLE)
    const l1 = new L1Cache(1 << 20)
    l1.setFrozen('k', value, bytes.length, 60_000)
    let inner = l1.get('k')?.frozen
    for (let i = 0; i < 4999; i++) inner = (inner as unknown[])[0]
    expect(Object.isFrozen(inner)).toBe(true)
  })
})

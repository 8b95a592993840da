import { type Table, tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArrowSerializer,
  AutoSerializer,
  JsonSerializer,
  RawSerializer,
  StandardSerializer,
} from '../../src/index.js'
import { NOT_CLONABLE, type Serializer } from '../../src/serializers/serializer.js'

// A miss returns the decode of the stored bytes; the first L1 hit decodes them again and keeps a
// private template; later hits clone the template (or decode again when it cannot be cloned). All of
// these must be the same value, and decoding must be stable: what a reader gets, written back and
// read again, is what it got.

/** Own `__proto__` keys and invalid Dates are refused at write time by design: generated values skip them. */
function refusedByDesign(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false
  seen.add(value)
  if (value instanceof Date) return Number.isNaN(value.getTime())
  if (Object.hasOwn(value, '__proto__')) return true
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value)
  return children.some((child) => refusedByDesign(child, seen))
}

const keys = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.constantFrom('a', 'value', '__datetime__', '0', '10', 'é', '日本', '🙂'),
  )
  .filter((key) => key !== '__proto__')

/** Nested arrays and objects over `leaf`, with undefined properties, undefined elements and holes. */
function nested(leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
    array: fc.oneof(
      fc.array(tie('value'), { maxLength: 5 }),
      fc.array(fc.option(tie('value'), { nil: undefined }), { maxLength: 5 }),
      fc.sparseArray(tie('value'), { maxLength: 6 }),
    ),
    object: fc.dictionary(keys, fc.option(tie('value'), { nil: undefined, freq: 3 }), { maxKeys: 5 }),
  })).value
}

const doubles = fc.oneof(fc.double(), fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY))
const strings = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))

const standardValues = nested(
  fc.oneof(
    fc.constant(null),
    fc.boolean(),
    strings,
    doubles,
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }),
  ),
).filter((v) => !refusedByDesign(v))

const jsonValues = nested(
  fc.oneof(
    fc.constant(null),
    fc.boolean(),
    strings,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
  ),
).filter((v) => !refusedByDesign(v))

const jsValues = fc
  .oneof(
    fc.anything({
      withMap: true,
      withSet: true,
      withDate: true,
      withBigInt: true,
      withTypedArray: true,
      withNullPrototype: true,
      withSparseArray: true,
      withBoxedValues: false,
      key: keys,
    }),
    nested(fc.oneof(doubles, fc.bigInt(), fc.constant(undefined), fc.date({ noInvalidDate: true }))),
  )
  .filter((v) => !refusedByDesign(v))

/** Every value a reader can be handed for these bytes: a miss, the first hit, and two template hits. */
function readerValues(s: Serializer, bytes: Uint8Array): unknown[] {
  const miss = s.deserialize(bytes)
  const firstHit = s.deserialize(bytes)
  const template = s.cloneDecoded?.(firstHit) ?? NOT_CLONABLE
  const later =
    template === NOT_CLONABLE
      ? [s.deserialize(bytes), s.deserialize(bytes)]
      : [s.cloneDecoded?.(template), s.cloneDecoded?.(template)]
  return [miss, firstHit, ...later]
}

describe.each([
  ['msgpack', new StandardSerializer(), standardValues],
  ['msgpack-js', new AutoSerializer(), jsValues],
  ['json', new JsonSerializer(), jsonValues],
  [
    'raw',
    new RawSerializer(),
    fc.oneof(
      fc.uint8Array(),
      fc.uint8Array().map((b) => Buffer.from(b)),
    ),
  ],
] as const)('%s: a miss and every hit return the same value', (_format, s, values) => {
  it('miss, first hit and template hits are equal, and the decode is stable', () => {
    fc.assert(
      fc.property(values as fc.Arbitrary<unknown>, (value) => {
        const bytes = s.serialize(value)
        const [miss, ...hits] = readerValues(s, bytes)
        for (const hit of hits) expect(hit).toStrictEqual(miss)
        expect(s.deserialize(s.serialize(miss))).toStrictEqual(miss)
      }),
      { numRuns: 300 },
    )
  })
})

describe('arrow: a miss and every hit return the same table', () => {
  const rows = fc.array(
    fc.record({
      id: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      name: fc.string({ unit: 'grapheme' }),
    }),
    {
      maxLength: 20,
    },
  )
  it('every decode of the bytes has the same schema and rows, and the decode is stable', async () => {
    const s = new ArrowSerializer()
    await s.load()
    const contents = (table: Table) => ({
      schema: table.schema.fields.map((f) => `${f.name}:${String(f.type)}`),
      rows: table.toArray().map((row: { toJSON(): unknown }) => row.toJSON()),
    })
    fc.assert(
      fc.property(rows, (list) => {
        const table = tableFromArrays({
          id: Int32Array.from(list.map((r) => r.id)),
          name: list.map((r) => r.name),
        })
        const [miss, ...hits] = readerValues(s, s.serialize(table)) as Table[]
        const expected = contents(miss as Table)
        expect(expected.rows).toStrictEqual(list.map((r) => ({ id: r.id, name: r.name })))
        for (const hit of hits) expect(contents(hit)).toStrictEqual(expected)
        expect(contents(s.deserialize(s.serialize(miss)) as Table)).toStrictEqual(expected)
      }),
      { numRuns: 100 },
    )
  })
})

import { tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { Unpackr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { SerializationError } from '../../src/errors.js'
import {
  ArrowSerializer,
  AutoSerializer,
  JsonSerializer,
  RawSerializer,
  StandardSerializer,
} from '../../src/index.js'
import { NOT_CLONABLE } from '../../src/serializers/serializer.js'

class User {
  constructor(readonly id: number) {}
}

/**
 * Values the serializers refuse by design, which generated inputs must skip: an own `__proto__` key
 * (msgpackr reads it back as `__proto_`) and an invalid Date.
 */
function hasProtoKey(value: unknown, seen = new Set<unknown>()): boolean {
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
  return children.some((child) => hasProtoKey(child, seen))
}

describe('StandardSerializer (msgpack, language-agnostic)', () => {
  const s = new StandardSerializer()

  it('is named msgpack and writes plain msgpack (a map, not a msgpackr record)', () => {
    expect(s.format).toBe('msgpack')
    const bytes = s.serialize({ a: 1 })
    expect(Buffer.from(bytes).toString('hex')).toBe('81a16101')
  })

  it('round-trips plain values exactly', () => {
    const value = {
      s: 'x',
      n: 1.5,
      i: -7,
      big: 2n ** 60n,
      t: true,
      z: null,
      d: new Date(1234),
      b: Buffer.from([1, 2]),
      a: [1, [2]],
    }
    expect(s.deserialize(s.serialize(value))).toEqual(value)
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !hasProtoKey(v)),
        (v) => {
          // JSON.parse(JSON.stringify(v)) only differs from v by -0 -> 0, msgpack's documented normalisation.
          expect(s.deserialize(s.serialize(v))).toEqual(JSON.parse(JSON.stringify(v)))
        },
      ),
    )
  })

  it('is readable by a stock msgpack decoder', () => {
    const plain = new Unpackr({ useRecords: false, mapsAsObjects: true })
    expect(plain.unpack(s.serialize({ list: [1, 'two'], nested: { ok: true } }))).toEqual({
      list: [1, 'two'],
      nested: { ok: true },
    })
  })

  it('refuses what it would lose, naming the type and the fix', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        new User(1),
        /Cannot serialize class instance User at value: return value\.toJSON\(\) or a plain object/,
      ],
      [{ u: new User(1) }, /class instance User at value\.u/],
      [undefined, /undefined at value: a top-level undefined is not stored/],
      [new Map(), /a Map at value: use Object\.fromEntries\(map\)/],
      [new Set([1]), /a Set at value: use \[\.\.\.set\]/],
      [() => 1, /a function/],
      [Symbol('x'), /a symbol/],
      [2n ** 64n, /BigInt outside the 64-bit range/],
      [new Float32Array(1), /Float32Array/],
      [{ [Symbol('k')]: 1 }, /symbol-keyed property/],
      [JSON.parse('{"a":{"__proto__":1}}'), /own "__proto__" key at value\.a: rename the key/],
    ]
    for (const [value, message] of cases) {
      expect(() => s.serialize(value)).toThrow(SerializationError)
      expect(() => s.serialize(value)).toThrow(message)
    }
  })

  it('decodes integers as number when safe and bigint beyond 2^53 (documented)', () => {
    expect(s.deserialize(s.serialize(5n))).toBe(5)
    expect(s.deserialize(s.serialize(2n ** 62n))).toBe(2n ** 62n)
  })

  it('turns undecodable bytes into SerializationError', () => {
    expect(() => s.deserialize(Buffer.from([0x92, 0x01]))).toThrow(SerializationError)
  })
})

describe('AutoSerializer (msgpack-js)', () => {
  const s = new AutoSerializer()

  it('round-trips JS values exactly: Map, Set, Date, BigInt, typed arrays, undefined, -0', () => {
    const value = {
      m: new Map<unknown, unknown>([
        [1, 'one'],
        [{ k: 1 }, new Set([new Date(5)])],
      ]),
      s: new Set([1, 'a']),
      d: new Date(99),
      big: 2n ** 100n,
      small: 5n,
      f: new Float64Array([1.5, -2]),
      i: new Int16Array([-3]),
      u: undefined,
      nz: -0,
      arr: [undefined, -0, Number.NaN],
    }
    const back = s.deserialize(s.serialize(value)) as typeof value
    expect(s.format).toBe('msgpack-js')
    expect(back).toEqual(value)
    expect(back.m).toBeInstanceOf(Map)
    expect(Object.is(back.nz, -0)).toBe(true)
    expect(Object.is(back.arr[1], -0)).toBe(true)
    expect(typeof back.small).toBe('bigint')
    expect('u' in back).toBe(true)
    expect(back.i).toBeInstanceOf(Int16Array)
  })

  it('round-trips arbitrary JS-ish values', () => {
    const arb = fc.anything({
      withMap: true,
      withSet: true,
      withDate: true,
      withBigInt: true,
      withTypedArray: true,
      withNullPrototype: false,
      withBoxedValues: false,
      withSparseArray: false,
    })
    fc.assert(
      fc.property(
        arb.filter((v) => !hasProtoKey(v)),
        (v) => {
          expect(s.deserialize(s.serialize(v))).toEqual(v)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('still refuses class instances and functions', () => {
    expect(() => s.serialize({ u: new User(1) })).toThrow(/class instance User at value\.u/)
    expect(() => s.serialize([JSON.parse('{"__proto__":[]}')])).toThrow(/own "__proto__" key at value\[0\]/)
    expect(() => s.serialize([() => 1])).toThrow(/a function at value\[0\]/)
  })
})

describe('JsonSerializer', () => {
  const s = new JsonSerializer()
  it('round-trips JSON and refuses what JSON would change', () => {
    expect(s.format).toBe('json')
    expect(s.deserialize(s.serialize({ a: [1, 'x', null] }))).toEqual({ a: [1, 'x', null] })
    const proto = JSON.parse('{"__proto__":{"a":1}}')
    expect(Object.hasOwn(s.deserialize(s.serialize(proto)) as object, '__proto__')).toBe(true)
    expect(() => s.serialize({ d: new Date() })).toThrow(/a Date at value\.d: use date\.toISOString\(\)/)
    expect(() => s.serialize(Number.NaN)).toThrow(/NaN/)
    expect(() => s.serialize(1n)).toThrow(/BigInt/)
    expect(() => s.serialize(Buffer.from('x'))).toThrow(/binary data/)
  })
})

describe('RawSerializer', () => {
  const s = new RawSerializer()
  it('takes bytes only and returns a copy', () => {
    const input = Buffer.from('hello')
    const out = s.deserialize(s.serialize(input)) as Buffer
    expect(out.equals(input)).toBe(true)
    out[0] = 0
    expect(input.toString()).toBe('hello')
    expect(() => s.serialize('text')).toThrow(
      /RawSerializer cannot serialize string: return a Buffer or Uint8Array/,
    )
  })
})

describe('ArrowSerializer', () => {
  it('needs load() first, then round-trips a Table through Arrow IPC', async () => {
    const s = new ArrowSerializer()
    expect(() => s.serialize(null)).toThrow(/await serializer\.load\(\)/)
    await s.load()
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] })
    const back = s.deserialize(s.serialize(table)) as typeof table
    expect(s.format).toBe('arrow')
    expect(back.numRows).toBe(3)
    expect(back.getChild('name')?.toArray()).toEqual(['a', 'b', 'c'])
    expect(() => s.serialize({ id: [1] })).toThrow(
      /ArrowSerializer cannot serialize Object: return an apache-arrow Table/,
    )
  })
})

/** Every object reachable from a value (Map keys and values, Set members, typed arrays included). */
function objectsOf(value: unknown, out = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object' || out.has(value)) return out
  out.add(value)
  if (ArrayBuffer.isView(value)) {
    out.add(value.buffer)
    return out
  }
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value)
  for (const child of children) objectsOf(child, out)
  return out
}

describe('cloneDecoded (copy-mode L1 hits clone one decoded template)', () => {
  const cases = [
    ['StandardSerializer', new StandardSerializer(), fc.jsonValue()],
    [
      'AutoSerializer',
      new AutoSerializer(),
      fc.anything({
        withMap: true,
        withSet: true,
        withDate: true,
        withBigInt: true,
        withTypedArray: true,
        withNullPrototype: true,
        withBoxedValues: false,
        withSparseArray: false,
      }),
    ],
    ['JsonSerializer', new JsonSerializer(), fc.jsonValue()],
  ] as const

  for (const [name, s, arb] of cases) {
    it(`${name}: a clone equals a fresh decode and shares no object with the template`, () => {
      fc.assert(
        fc.property(
          (arb as fc.Arbitrary<unknown>).filter((v) => !hasProtoKey(v)),
          (v) => {
            const bytes = s.serialize(v)
            const template = s.deserialize(bytes)
            const copy = s.cloneDecoded(template)
            expect(copy).toStrictEqual(s.deserialize(bytes))
            const shared = objectsOf(template)
            for (const o of objectsOf(copy)) expect(shared.has(o)).toBe(false)
          },
        ),
        { numRuns: 200 },
      )
    })
  }

  it('keeps Buffer, typed array, Date and Map types, and copies their contents', () => {
    const s = new AutoSerializer()
    const template = s.deserialize(
      s.serialize({
        b: Buffer.from([1]),
        f: new Float32Array([1.5]),
        d: new Date(7),
        m: new Map([[{ k: 1 }, [2]]]),
      }),
    ) as { b: Buffer; f: Float32Array; d: Date; m: Map<unknown, unknown> }
    const copy = s.cloneDecoded(template) as typeof template
    expect(Buffer.isBuffer(copy.b)).toBe(Buffer.isBuffer(template.b))
    expect(copy.f).toBeInstanceOf(Float32Array)
    copy.b[0] = 9
    copy.f[0] = 9
    copy.d.setTime(0)
    expect(template.b[0]).toBe(1)
    expect(template.f[0]).toBe(1.5)
    expect(template.d.getTime()).toBe(7)
    expect(copy.m).toEqual(template.m)
    expect([...copy.m.keys()][0]).not.toBe([...template.m.keys()][0])
  })

  it('gives up on what it cannot copy exactly', () => {
    const s = new StandardSerializer()
    expect(s.cloneDecoded(new User(1))).toBe(NOT_CLONABLE)
    expect(s.cloneDecoded({ a: [/x/] })).toBe(NOT_CLONABLE)
    expect(s.cloneDecoded(JSON.parse('{"__proto__":1}'))).toBe(NOT_CLONABLE)
    let deep: unknown = 1
    for (let i = 0; i < 300; i++) deep = [deep]
    expect(s.cloneDecoded(deep)).toBe(NOT_CLONABLE)
    expect(new RawSerializer().cloneDecoded(Buffer.from('ab'))).toEqual(Buffer.from('ab'))
  })
})

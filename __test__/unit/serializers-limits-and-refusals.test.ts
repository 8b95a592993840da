import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { CachekitError, SerializationError } from '../../src/errors.js'
import { AutoSerializer, JsonSerializer, type Serializer, StandardSerializer } from '../../src/index.js'
import { NOT_CLONABLE } from '../../src/serializers/serializer.js'

// Every serializer here is made inside its test: what a constructor sets up is then part of what
// the test checks.

/** The error `fn` throws (the test fails when it does not throw). */
function thrown(fn: () => unknown): CachekitError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CachekitError)
    return err as CachekitError
  }
  throw new Error('expected a throw')
}

function nest(levels: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = wrap(value)
  return value
}

const roundTrip = (s: Serializer, value: unknown) => s.deserialize(s.serialize(value))

describe('what each serializer declares', () => {
  it('msgpack is standard MessagePack (the native reader validates it), msgpack-js and json are not', () => {
    expect([new StandardSerializer().format, new StandardSerializer().isMsgpack]).toEqual(['msgpack', true])
    expect([new AutoSerializer().format, new AutoSerializer().isMsgpack]).toEqual(['msgpack-js', false])
    expect([new JsonSerializer().format, new JsonSerializer().isMsgpack]).toEqual(['json', false])
  })
})

describe('nesting is bounded at 1024 levels, the native reader limit: the deepest accepted value reads back', () => {
  const serializers = [
    ['StandardSerializer', () => new StandardSerializer()],
    ['JsonSerializer', () => new JsonSerializer()],
    ['AutoSerializer', () => new AutoSerializer()],
  ] as const
  for (const [name, make] of serializers) {
    it(`${name}: 1024 nested arrays or objects round-trip, 1025 are refused`, () => {
      const s = make()
      for (const wrap of [(x: unknown) => [x], (x: unknown) => ({ a: x })]) {
        const deepest = nest(1024, wrap)
        expect(roundTrip(s, deepest)).toEqual(deepest)
        expect(thrown(() => s.serialize(nest(1025, wrap))).message).toMatch(
          new RegExp(`^${name} cannot serialize a value nested deeper than 1024 levels`),
        )
      }
    })
  }

  it('AutoSerializer: a Map counts 3 levels (342 nested Maps fit, by key or by value), a Set 2 (512 fit)', () => {
    const s = new AutoSerializer()
    const cases: Array<[number, (x: unknown) => unknown]> = [
      [342, (x) => new Map([['k', x]])],
      [342, (x) => new Map([[x, 'v']])],
      [512, (x) => new Set([x])],
    ]
    for (const [fits, wrap] of cases) {
      const deepest = nest(fits, wrap)
      expect(roundTrip(s, deepest)).toEqual(deepest)
      expect(thrown(() => s.serialize(nest(fits + 1, wrap))).message).toMatch(
        /^AutoSerializer cannot serialize a value nested deeper than 1024 levels \(a Map counts 3, a Set 2\) at value\.</,
      )
    }
  })

  it('a cycle as long as the limit is reported as a circular reference, not as depth', () => {
    const ring: Array<{ next?: unknown }> = Array.from({ length: 1024 }, () => ({}))
    ring.forEach((node, i) => {
      node.next = ring[(i + 1) % ring.length]
    })
    expect(thrown(() => new StandardSerializer().serialize(ring[0])).message).toMatch(
      /^StandardSerializer cannot serialize a circular reference at value(\.next)+: return a tree-shaped value$/,
    )
  })
})

describe('copy-mode clones stop at 256 levels (deeper values are decoded per hit instead)', () => {
  it.each<[string, (x: unknown) => unknown]>([
    ['arrays', (x) => [x]],
    ['objects', (x) => ({ a: x })],
    ['Maps', (x) => new Map([['k', x]])],
  ])('257 nested %s are cloned, 258 are NOT_CLONABLE', (_what, wrap) => {
    const s = new AutoSerializer()
    const clonable = nest(257, wrap)
    const copy = s.cloneDecoded(clonable)
    expect(copy).toEqual(clonable)
    expect(copy).not.toBe(clonable)
    expect(s.cloneDecoded(nest(258, wrap))).toBe(NOT_CLONABLE)
  })
})

describe('StandardSerializer refuses what MessagePack would not give back, saying what and how to fix it', () => {
  const alternative = 'use AutoSerializer (JS-only format)'
  class Bytes extends Uint8Array {}
  it.each<[string, unknown, string]>([
    [
      'a Uint16Array',
      new Uint16Array(1),
      `a Uint16Array at value: copy it into a Uint8Array or ${alternative}`,
    ],
    [
      'an ArrayBuffer',
      new ArrayBuffer(1),
      `a ArrayBuffer at value: copy it into a Uint8Array or ${alternative}`,
    ],
    [
      'a DataView',
      new DataView(new ArrayBuffer(1)),
      `a DataView at value: copy it into a Uint8Array or ${alternative}`,
    ],
    [
      'a subclass of Uint8Array',
      new Bytes(1),
      `a Bytes at value: copy it into a Uint8Array or ${alternative}`,
    ],
    ['an invalid Date', new Date(Number.NaN), 'an invalid Date at value: use null'],
    [
      'a BigInt above 2^64 - 1',
      2n ** 64n,
      'a BigInt outside the 64-bit range at value: store it as a string with String(x)',
    ],
    [
      'a BigInt below -2^63',
      -(2n ** 63n) - 1n,
      'a BigInt outside the 64-bit range at value: store it as a string with String(x)',
    ],
    ['a function', () => 1, 'a function at value: cache the data the function computes, not the function'],
    ['a symbol', Symbol('s'), 'a symbol at value: use a string'],
    ['a symbol-keyed property', { [Symbol('s')]: 1 }, 'a symbol-keyed property at value: use string keys'],
  ])('%s', (_what, value, message) => {
    const err = thrown(() => new StandardSerializer().serialize(value))
    expect(err).toBeInstanceOf(SerializationError)
    expect(err.code).toBe('UNSUPPORTED_VALUE')
    expect(err.message).toBe(`StandardSerializer cannot serialize ${message}`)
  })

  it('accepts the whole 64-bit range', () => {
    const s = new StandardSerializer()
    expect(roundTrip(s, 2n ** 64n - 1n)).toBe(2n ** 64n - 1n)
    expect(roundTrip(s, -(2n ** 63n))).toBe(-(2n ** 63n))
  })

  it('a class instance without a class name is named "object"', () => {
    const err = thrown(() => new StandardSerializer().serialize({ a: Object.create(Object.create(null)) }))
    expect(err.code).toBe('UNSUPPORTED_VALUE')
    expect(err.message).toBe(
      'Cannot serialize class instance object at value.a: return value.a.toJSON() or a plain object',
    )
  })
})

describe('JsonSerializer', () => {
  it('refuses a BigInt and NaN with typed errors that say what to do (not JSON.stringify TypeErrors)', () => {
    const s = new JsonSerializer()
    const bigint = thrown(() => s.serialize({ n: 1n }))
    expect(bigint).toBeInstanceOf(SerializationError)
    expect(bigint.message).toBe(
      'JsonSerializer cannot serialize a BigInt at value.n: convert it with String(x) or use StandardSerializer or AutoSerializer',
    )
    expect(thrown(() => s.serialize([Number.NaN])).message).toBe(
      'JsonSerializer cannot serialize NaN at value[0]: use null or a finite number',
    )
    expect(thrown(() => s.serialize(Buffer.from('x'))).message).toBe(
      'JsonSerializer cannot serialize binary data at value: encode it with base64 or use the standard serializer',
    )
  })

  it('reads bytes that are not JSON as DESERIALIZE_FAILED, with the parser error as its cause', () => {
    const err = thrown(() => new JsonSerializer().deserialize(Buffer.from('{')))
    expect(err).toBeInstanceOf(SerializationError)
    expect(err.code).toBe('DESERIALIZE_FAILED')
    expect(err.message).toMatch(/^Stored json bytes could not be decoded \(.+\): the entry is corrupt/)
    expect(err.cause).toBeInstanceOf(SyntaxError)
  })
})

describe('AutoSerializer (msgpack-js)', () => {
  it('writes an object as a plain MessagePack map with the smallest header (no msgpackr records)', () => {
    expect(Buffer.from(new AutoSerializer().serialize({ a: 1 })).toString('hex')).toBe('81a16101')
  })

  it('gives BigInts back as BigInts, small or beyond 64 bits', () => {
    const s = new AutoSerializer()
    expect(roundTrip(s, { small: 5n, big: 2n ** 70n })).toStrictEqual({ small: 5n, big: 2n ** 70n })
  })

  it('decodes bytes into memory of their own: writing into the stored bytes later changes nothing', () => {
    const s = new AutoSerializer()
    const stored = Buffer.from(s.serialize({ b: Buffer.from([1, 2, 3]) }))
    const value = s.deserialize(stored) as { b: Buffer }
    stored.fill(0)
    expect([...value.b]).toEqual([1, 2, 3])
  })

  it('refuses msgpackr structured-clone references written by someone else', () => {
    const shared = { x: 1 }
    const bytes = new Packr({ structuredClone: true, useRecords: false }).pack({ a: shared, b: shared })
    const err = thrown(() => new AutoSerializer().deserialize(bytes))
    expect(err.code).toBe('DESERIALIZE_FAILED')
  })

  it.each<[string, unknown, string]>([
    [
      'a function',
      [() => 1],
      'a function at value[0]: cache the data the function computes, not the function',
    ],
    ['a symbol', { s: Symbol('s') }, 'a symbol at value.s: use a string'],
    [
      'an invalid Date',
      new Map([['d', new Date(Number.NaN)]]),
      'an invalid Date at value.<value 0>: use null',
    ],
    [
      'a symbol-keyed property',
      new Set([{ [Symbol('s')]: 1 }]),
      'a symbol-keyed property at value.<element 0>: use string keys',
    ],
    [
      'an own __proto__ key',
      new Map([[JSON.parse('{"__proto__":1}'), 1]]),
      'an own "__proto__" key at value.<key 0>: rename the key (it would be read back as "__proto_")',
    ],
  ])('refuses %s, naming where it is and the fix', (_what, value, message) => {
    const err = thrown(() => new AutoSerializer().serialize(value))
    expect(err.code).toBe('UNSUPPORTED_VALUE')
    expect(err.message).toBe(`AutoSerializer cannot serialize ${message}`)
  })

  it('refuses a cycle and a class instance, naming them', () => {
    const s = new AutoSerializer()
    const cycle: unknown[] = []
    cycle.push(cycle)
    expect(thrown(() => s.serialize(cycle)).message).toBe(
      'AutoSerializer cannot serialize a circular reference at value[0]: return a tree-shaped value',
    )
    const nameless = thrown(() => s.serialize([Object.create(Object.create(null))]))
    expect(nameless.code).toBe('UNSUPPORTED_VALUE')
    expect(nameless.message).toBe(
      'Cannot serialize class instance object at value[0]: return value[0].toJSON() or a plain object',
    )
  })
})

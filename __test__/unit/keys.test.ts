import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalArgs, keyFromArgs, keyFromUserKey } from '../../src/cache-api.js'
import { ConfigurationError, SerializationError } from '../../src/errors.js'
import { validateNamespace } from '../../src/keys/index.js'

const key = (...args: unknown[]) => keyFromArgs('ns', args)

describe('default keys', () => {
  it('have the documented format ck:{namespace}:{64 hex}', () => {
    expect(key(1)).toMatch(/^ck:ns:[0-9a-f]{64}$/)
  })

  it('are the blake2b-512 of the canonical text truncated to 32 bytes', async () => {
    const { createHash } = await import('node:crypto')
    const expected = createHash('blake2b512').update('a1[n42;]').digest('hex').slice(0, 64)
    expect(canonicalArgs([42])).toBe('a1[n42;]')
    expect(key(42)).toBe(`ck:ns:${expected}`)
  })

  it('keep values of different types apart', () => {
    const distinct: unknown[][] = [
      [1],
      ['1'],
      [1n],
      [true],
      ['true'],
      [null],
      [undefined],
      [[]],
      [{}],
      [[1, 2]],
      ['1,2'],
      [['1,2']],
      [['1', '2']],
      [new Date(0)],
      [0],
      [new Uint8Array([1])],
      [new Int8Array([1])],
      [new Uint8Array([1]).buffer],
      [new Map([[1, 2]])],
      [{ 1: 2 }],
      [new Set([1])],
      [[1]],
      [1, 2],
      [[1, 2], undefined],
      ['a', 'b'],
      ['ab'],
      [{ a: 'b' }],
      [{ ab: '' }],
    ]
    const keys = distinct.map((args) => key(...args))
    expect(new Set(keys).size).toBe(distinct.length)
  })

  it('normalise what should be equal: key order, -0, Buffer vs Uint8Array, Map and Set order', () => {
    expect(key({ a: 1, b: 2 })).toBe(key({ b: 2, a: 1 }))
    expect(key(-0)).toBe(key(0))
    expect(key(Buffer.from([1, 2]))).toBe(key(new Uint8Array([1, 2])))
    expect(
      key(
        new Map([
          ['x', 1],
          ['y', 2],
        ]),
      ),
    ).toBe(
      key(
        new Map([
          ['y', 2],
          ['x', 1],
        ]),
      ),
    )
    expect(key(new Set([3, 1]))).toBe(key(new Set([1, 3])))
    expect(key(Object.assign(Object.create(null), { a: 1 }))).toBe(key({ a: 1 }))
  })

  it('are deterministic for any JSON-like value', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (args) => {
        expect(key(...args)).toBe(key(...structuredClone(args)))
      }),
    )
  })

  it('differ for different strings and numbers (no collisions in the canonical text)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.double(), fc.integer())),
        fc.array(fc.oneof(fc.string(), fc.double(), fc.integer())),
        (a, b) => {
          const same =
            a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (v === 0 && b[i] === 0))
          expect(canonicalArgs(a) === canonicalArgs(b)).toBe(same)
        },
      ),
    )
  })

  it('reject functions, symbols, class instances and cycles, naming the position and the fix', () => {
    class User {}
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const cases: Array<[unknown[], RegExp]> = [
      [[1, () => 1], /argument 2 \(a function at args\[1\]\)/],
      [[Symbol('s')], /argument 1 \(a symbol at args\[0\]\)/],
      [[{ user: new User() }], /argument 1 \(class instance User at args\[0\]\.user\)/],
      [[cyclic], /circular reference/],
      [[new Date(Number.NaN)], /invalid Date/],
    ]
    for (const [args, message] of cases) {
      expect(() => key(...args)).toThrow(SerializationError)
      expect(() => key(...args)).toThrow(message)
      expect(() => key(...args)).toThrow(/pass a plain value or give key: \(\.\.\.args\) => string/)
    }
  })
})

describe('user keys', () => {
  it('are stored as ck:{namespace}:{key}', () => {
    expect(keyFromUserKey('users', 'user:42')).toBe('ck:users:user:42')
  })

  it('are hashed when longer than 250 bytes', () => {
    const long = 'é'.repeat(200)
    const k = keyFromUserKey('users', long)
    expect(k).toMatch(/^ck:users:#[0-9a-f]{64}$/)
    expect(Buffer.byteLength(k)).toBeLessThanOrEqual(250)
    expect(keyFromUserKey('users', `${long}x`)).not.toBe(k)
  })

  it('must be non-empty strings', () => {
    expect(() => keyFromUserKey('users', '')).toThrow(SerializationError)
    expect(() => keyFromUserKey('users', 42)).toThrow(/non-empty string, got number/)
  })
})

describe('namespaces', () => {
  it('accept names and Class.method; refuse colons, slashes (wrap separator), globs and spaces', () => {
    expect(validateNamespace('UserService.find')).toBe('UserService.find')
    expect(validateNamespace('app.users-v2')).toBe('app.users-v2')
    for (const bad of ['', 'a:b', 'a*', 'a b', 'a?', '[a]', 'x'.repeat(129), 'app/users', 5, undefined]) {
      expect(() => validateNamespace(bad)).toThrow(ConfigurationError)
    }
  })
})

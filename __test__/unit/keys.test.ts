import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, SerializationError } from '../../src/errors.js'
import { canonicalArgs, keyFromArgs, keyFromUserKey } from '../../src/index.js'
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

  // Values built from the characters the canonical text itself uses, so that a missing length prefix
  // or delimiter would make two different argument lists share a text, and pairs derived from each
  // other by moving characters or elements across a boundary (split, merge, shift into a key).
  const tricky = fc.string({
    unit: fc.constantFrom('s', 'a', 'o', 'n', 'N', 'U', ':', ';', '[', ']', '{', '}', '0', '1', '2'),
    maxLength: 5,
  })
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      tricky,
      fc.integer({ min: -3, max: 12 }),
      fc.constantFrom(null, undefined, true, false),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(tricky, tie('node'), { maxKeys: 3 }),
    ),
  })).node
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      )
    }
    return v
  }
  const sameArgs = (a: unknown[], b: unknown[]) => isDeepStrictEqual(sorted(a), sorted(b))

  it("differ whenever the arguments differ, for values made of the canonical text's own characters", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 }), fc.array(value, { maxLength: 3 }), (a, b) => {
        expect(canonicalArgs(a) === canonicalArgs(b)).toBe(sameArgs(a, b))
      }),
      { numRuns: 3000 },
    )
  })

  // A strict reader of the documented canonical format: if every text reads back as exactly the
  // arguments it came from, no two different argument lists can share a text.
  function readCanonical(text: string): unknown[] {
    let at = 0
    const take = (n: number) => {
      if (at + n > text.length) throw new Error(`text ends early at ${at}`)
      const out = text.slice(at, at + n)
      at += n
      return out
    }
    const until = (end: string) => {
      const stop = text.indexOf(end, at)
      if (stop < 0) throw new Error(`no ${end} after ${at}`)
      const out = text.slice(at, stop)
      at = stop + 1
      return out
    }
    const count = (end: string) => {
      const digits = until(end)
      if (!/^(0|[1-9][0-9]*)$/.test(digits)) throw new Error(`bad count ${digits} at ${at}`)
      return Number(digits)
    }
    const one = (): unknown => {
      const tag = take(1)
      switch (tag) {
        case 'N':
          return null
        case 'U':
          return undefined
        case 'T':
          return true
        case 'F':
          return false
        case 'n':
          return Number(until(';'))
        case 's':
          return take(count(':'))
        case 'a': {
          const n = count('[')
          const items = Array.from({ length: n }, one)
          if (take(1) !== ']') throw new Error('array not closed')
          return items
        }
        case 'o': {
          const n = count('{')
          const obj: Record<string, unknown> = {}
          for (let i = 0; i < n; i++) {
            if (take(1) !== 's') throw new Error('object key is not a string')
            const k = take(count(':'))
            obj[k] = one()
          }
          if (take(1) !== '}') throw new Error('object not closed')
          return obj
        }
        default:
          throw new Error(`unknown tag ${tag} at ${at - 1}`)
      }
    }
    const args = one()
    if (at !== text.length) throw new Error(`trailing text at ${at}`)
    return args as unknown[]
  }

  it('read back as exactly the arguments they came from (so distinct arguments never share a text)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), (args) => {
        expect(sorted(readCanonical(canonicalArgs(args)))).toStrictEqual(sorted(args))
      }),
      { numRuns: 3000 },
    )
  })

  it('differ when a string is split in two, arrays are merged, or text moves between a key and its value', () => {
    fc.assert(
      fc.property(tricky, tricky, fc.array(value, { maxLength: 2 }), (x, y, rest) => {
        const pairs: Array<[unknown[], unknown[]]> = [
          [
            [x + y, ...rest],
            [x, y, ...rest],
          ],
          [
            [x + y, ...rest],
            [x, ...rest, y],
          ],
          [
            [`${x}s:`, y],
            [x, `s:${y}`],
          ],
          [[[x], [y]], [[x, y]]],
          [
            [[x, y], rest],
            [[x], [y, rest]],
          ],
          [[{ [x + y]: rest }], [{ [x]: y + JSON.stringify(rest) }]],
          [[{ [x]: y }], [{ [x + y]: '' }]],
          [[`${x}`, 1], [`${x}1`]],
        ]
        for (const [a, b] of pairs) expect(canonicalArgs(a) === canonicalArgs(b)).toBe(sameArgs(a, b))
      }),
      { numRuns: 2000 },
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

import { describe, expect, it } from 'vitest'
import { CachekitError, ConfigurationError, SerializationError } from '../../src/errors.js'
import { canonicalArgs, keyFromArgs, keyFromUserKey } from '../../src/index.js'
import { validateNamespace } from '../../src/keys/index.js'
import { wrapNamespace } from '../../src/keys/keys.js'

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

// The canonical text is the input of every default key: another version or another process that
// writes it differently computes other keys, so each type's spelling is part of the format.
describe('the canonical text of call arguments spells each type as documented', () => {
  it.each<[string, unknown, string]>([
    ['a bigint', 5n, 'b5;'],
    ['a Date (its epoch milliseconds)', new Date(1234), 'd1234;'],
    ['a Buffer (its bytes in hex)', Buffer.from([1, 0xab]), 'B2:01ab'],
    ['a Uint8Array', new Uint8Array([0xff]), 'B1:ff'],
    [
      'a view of part of a buffer (only the viewed bytes)',
      new Uint8Array([1, 2, 3, 4]).subarray(1, 3),
      'B2:0203',
    ],
    ['another typed array (class name, byte length, bytes)', new Uint16Array([0x0102]), 'tUint16Array2:0201'],
    ['an ArrayBuffer', new Uint8Array([7, 8]).buffer, 'A2:0708'],
    [
      'a Map (entries sorted by key text)',
      new Map<unknown, unknown>([
        ['b', 1],
        ['a', 2],
      ]),
      'm2{s1:an2;s1:bn1;}',
    ],
    ['a Set (elements sorted by text)', new Set(['b', 'a', 'c']), 'S3[s1:as1:bs1:c]'],
    ['a plain object (keys sorted)', { b: 1, a: [true] }, 'o2{s1:aa1[T]s1:bn1;}'],
    ['-0 as 0', -0, 'n0;'],
  ])('%s', (_what, value, text) => {
    expect(canonicalArgs([value])).toBe(`a1[${text}]`)
  })

  it('does not depend on the insertion order of object keys, Map entries or Set elements', () => {
    const orders = [
      ['a', 'b', 'c', 'd'],
      ['d', 'c', 'b', 'a'],
      ['b', 'd', 'a', 'c'],
      ['c', 'a', 'd', 'b'],
    ]
    const texts = orders.map((order) =>
      canonicalArgs([
        Object.fromEntries(order.map((k) => [k, 1])),
        new Map(order.map((k) => [k, 1])),
        new Set(order),
      ]),
    )
    for (const text of texts) expect(text).toBe(texts[0])
  })
})

describe('default keys of calls whose arguments differ only inside', () => {
  const key = (...args: unknown[]) => keyFromArgs('ns', args)
  it.each<[string, unknown, unknown]>([
    ['a bigint', 1n, 2n],
    ['a Date', new Date(1), new Date(2)],
    ['a Buffer', Buffer.from([1]), Buffer.from([2])],
    ['a typed array', new Int16Array([1]), new Int16Array([2])],
    ['an ArrayBuffer', new Uint8Array([1]).buffer, new Uint8Array([2]).buffer],
    ['a Map value', new Map([['k', 1]]), new Map([['k', 2]])],
    ['a Map key', new Map([['k', 1]]), new Map([['j', 1]])],
    ['a Set', new Set([1]), new Set([2])],
  ])('%s are different', (_what, a, b) => {
    expect(key(a)).not.toBe(key(b))
  })
})

describe('arguments that cannot be written down', () => {
  it('a symbol-keyed property is refused (two calls differing there would share an entry)', () => {
    const err = thrown(() => canonicalArgs([{ a: 1, [Symbol('s')]: 2 }]))
    expect(err).toBeInstanceOf(SerializationError)
    expect(err.code).toBe('UNSUPPORTED_KEY_ARGUMENT')
    expect(err.message).toBe(
      'Cannot build a cache key from argument 1 (a symbol-keyed property at args[0]): ' +
        'pass a plain value or give key: (...args) => string',
    )
  })

  it('the message names the path inside arrays, Maps and Sets', () => {
    expect(thrown(() => canonicalArgs([0, [1, () => 0]])).message).toContain('(a function at args[1][1])')
    expect(thrown(() => canonicalArgs([new Set([1, Symbol('x')])])).message).toContain(
      '(a symbol at args[0].<element 1>)',
    )
    expect(thrown(() => canonicalArgs([new Map([['k', () => 0]])])).message).toContain(
      '(a function at args[0].<value 0>)',
    )
  })

  it('a class instance is named by its class, or plainly when its class has no name', () => {
    class Point {}
    expect(thrown(() => canonicalArgs([new Point()])).message).toContain('(class instance Point at args[0])')
    const nameless = Object.create(Object.create(null))
    expect(thrown(() => canonicalArgs([nameless])).message).toContain('(class instance at args[0])')
    const emptyName = Object.create({ constructor: { name: '' } })
    expect(thrown(() => canonicalArgs([emptyName])).message).toContain('(class instance at args[0])')
  })
})

describe('namespaces', () => {
  it('of exactly the maximum length (128 bytes) are accepted, one byte more is refused', () => {
    expect(validateNamespace('n'.repeat(128))).toBe('n'.repeat(128))
    expect(validateNamespace('é'.repeat(64))).toBe('é'.repeat(64))
    expect(() => validateNamespace(`${'é'.repeat(64)}n`)).toThrow(ConfigurationError)
  })

  it('are refused with INVALID_NAMESPACE, the value quoted, and the characters allowed', () => {
    const err = thrown(() => validateNamespace('a:b'))
    expect(err).toBeInstanceOf(ConfigurationError)
    expect(err.code).toBe('INVALID_NAMESPACE')
    expect(err.message).toBe(
      'Invalid namespace "a:b": use 1-128 bytes of letters, digits and . _ - $ @ ' +
        '(no colons, slashes, spaces or glob characters)',
    )
    expect(thrown(() => validateNamespace(5)).message).toMatch(/^Invalid namespace 5: use 1-128 bytes/)
    expect(thrown(() => validateNamespace(undefined, 'wrap name')).message).toMatch(
      /^Invalid wrap name undefined:/,
    )
    expect(thrown(() => validateNamespace('')).message).toMatch(/^Invalid namespace "": /)
    expect(thrown(() => validateNamespace({})).message).toMatch(/^Invalid namespace \[object Object\]: /)
    expect(thrown(() => wrapNamespace('users', 'get user')).message).toMatch(
      /^Invalid wrap name "get user": /,
    )
  })
})

describe('keys the caller chooses', () => {
  it('are kept as written up to exactly 250 bytes, and hashed beyond', () => {
    const prefix = 'ck:ns:'
    const longest = 'k'.repeat(250 - prefix.length)
    expect(keyFromUserKey('ns', longest)).toBe(prefix + longest)
    expect(keyFromUserKey('ns', `${longest}k`)).toMatch(/^ck:ns:#[0-9a-f]{64}$/)
  })

  it('must be non-empty strings: INVALID_KEY says what it got and what to pass', () => {
    const empty = thrown(() => keyFromUserKey('ns', ''))
    expect(empty).toBeInstanceOf(SerializationError)
    expect(empty.code).toBe('INVALID_KEY')
    expect(empty.message).toBe(
      'A cache key must be a non-empty string, got an empty string: ' +
        'use a string such as "user:" + id (as the key, or as what your key function returns)',
    )
    expect(thrown(() => keyFromUserKey('ns', 42)).message).toMatch(
      /^A cache key must be a non-empty string, got number: /,
    )
  })
})

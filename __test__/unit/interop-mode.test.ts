import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InteropPlainEnvelope } from '../../src/envelope/interop.js'
import { cache, createCache, MemoryBackend, RedisBackend } from '../../src/index.js'
import { canonicalInteropArgs, canonicalInteropValue } from '../../src/serializers/canonical-msgpack.js'
import { decodeInteropValue } from '../../src/serializers/interop-decode.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'

const MASTER = '61'.repeat(32)
const code = (c: string) => expect.objectContaining({ code: c })

describe('interop mode at wrap time', () => {
  const backend = () => new MemoryBackend()
  const wrap = (
    options: Record<string, unknown>,
    fn: (...a: never[]) => unknown = async (id: number) => id,
  ) =>
    cache(fn as (...a: unknown[]) => Promise<unknown>, {
      namespace: 'users',
      interop: 'get_user',
      backend: backend(),
      ...options,
    })

  it('keys a call {namespace}:{operation}:{hash}, with no prefix', () => {
    expect(wrap({}).key(42)).toBe(
      'users:get_user:61598716255080080f6456eb065c2e51badfaa4320b0efe97469c29cffee8875',
    )
  })

  it('needs a namespace that is a protocol segment, and refuses the reserved ones', () => {
    expect(() =>
      cache(
        async function getUser(id: number) {
          return id
        },
        { interop: 'get_user', backend: backend() },
      ),
    ).toThrow(code('NAMESPACE_REQUIRED'))
    for (const namespace of ['Users', 'ns', 'nsapi', 'a..b', 'users/v2', '-x']) {
      expect(() => wrap({ namespace })).toThrow(code('INVALID_INTEROP_SEGMENT'))
    }
    expect(() => wrap({ interop: 'getUser' })).toThrow(code('INVALID_INTEROP_SEGMENT'))
  })

  it('refuses what would give keys or values another SDK does not compute', () => {
    expect(() => wrap({ key: () => 'k' })).toThrow(code('INTEROP_CONFLICT'))
    expect(() => wrap({ serializer: 'json' })).toThrow(code('INTEROP_CONFLICT'))
    expect(() => wrap({ serializer: 'msgpack-js' })).toThrow(code('INTEROP_CONFLICT'))
    expect(() => wrap({ cacheUndefined: true })).toThrow(code('INTEROP_CONFLICT'))
    expect(() => wrap({ backend: null })).toThrow(code('INTEROP_CONFLICT'))
    expect(() =>
      wrap({ backend: new RedisBackend({ url: 'redis://127.0.0.1:1', keyPrefix: 't:default:' }) }),
    ).toThrow(
      expect.objectContaining({ code: 'INTEROP_CONFLICT', message: expect.stringMatching(/t:default:/) }),
    )
    expect(() => wrap({ backend: new WithoutPrefixDelete(new MemoryBackend()) })).toThrow(
      code('INTEROP_CONFLICT'),
    )
    expect(() => cache.local(async (id: number) => id, { namespace: 'users', interop: 'get_user' })).toThrow(
      code('INTEROP_CONFLICT'),
    )
    expect(() => wrap({ interop: { operation: 'get_user', aritty: 1 } })).toThrow(code('UNKNOWN_OPTION'))
    expect(() => wrap({ interop: { operation: 'get_user', arity: -1 } })).toThrow(code('INVALID_OPTION'))
  })

  it('asks for an explicit arity when fn.length does not count every parameter', () => {
    const needsArity = [
      async (a: number, b = 2) => a + b,
      async (...ids: number[]) => ids,
      async (a: number, { x } = { x: 1 }) => a + x,
      (async (a: number, b: number) => a + b).bind(null),
    ]
    for (const fn of needsArity) expect(() => wrap({}, fn)).toThrow(code('INTEROP_ARITY_REQUIRED'))
    // Defaults inside a destructuring pattern do not change length; comparisons are not defaults.
    const plain = [
      async ({ a = 1 }: { a?: number }) => a,
      async (a: number, b: string) => `${a}${b}`,
      async (a: number) => a === 1,
      async (x: number) => x >= 1,
    ]
    for (const fn of plain) expect(() => wrap({}, fn)).not.toThrow()
    expect(
      wrap({ interop: { operation: 'get_user', arity: 2 } }, async (a: number, b = 2) => a + b).key(1, 2),
    ).toMatch(/^users:get_user:[0-9a-f]{64}$/)
  })

  it('refuses a call with a different number of arguments, as a rejection', async () => {
    const get = wrap({ interop: { operation: 'get_user', arity: 2 } }, async (a: number, b = 2) => a + b)
    await expect(get(1)).rejects.toThrow(code('INTEROP_ARITY_MISMATCH'))
    await expect((get as (...a: unknown[]) => Promise<unknown>)(1, 2, 3)).rejects.toThrow(
      code('INTEROP_ARITY_MISMATCH'),
    )
    expect(await get(1, 2)).toBe(3)
  })

  it('takes "default" or a lowercase canonical UUID as tenant, never a function', () => {
    const secure = (tenant: unknown) =>
      cache.secure(async (id: number) => id, {
        namespace: 'users',
        interop: 'get_user',
        backend: backend(),
        masterKey: MASTER,
        tenant,
      } as never)
    expect(() => secure(undefined)).not.toThrow()
    expect(() => secure('550e8400-e29b-41d4-a716-446655440000')).not.toThrow()
    expect(() => secure('550E8400-E29B-41D4-A716-446655440000')).toThrow(
      expect.objectContaining({ code: 'INVALID_TENANT', message: expect.stringMatching(/550e8400-e29b/) }),
    )
    expect(() => secure('acme')).toThrow(code('INVALID_TENANT'))
    expect(() => secure(() => 'default')).toThrow(code('INTEROP_CONFLICT'))
  })

  it('two different functions under one namespace and operation on one store are refused', () => {
    const store = backend()
    cache(async (id: number) => id, { namespace: 'users', interop: 'get_user', backend: store })
    expect(() =>
      cache(async (id: number) => id + 1, { namespace: 'users', interop: 'get_user', backend: store }),
    ).toThrow(code('NAMESPACE_IN_USE'))
    expect(() =>
      cache(async (id: number) => id + 1, { namespace: 'users', interop: 'get_other', backend: store }),
    ).not.toThrow()
  })
})

describe('interop entries in the store', () => {
  it('a plain entry is the canonical MessagePack of the value, nothing around it', async () => {
    const store = new MemoryBackend()
    const get = cache(async (_id: number) => ({ name: 'alice', age: 30 }), {
      namespace: 'users',
      interop: 'get_user',
      backend: store,
    })
    expect(await get(42)).toEqual({ age: 30, name: 'alice' })
    expect((await store.get(get.key(42)))?.toString('hex')).toBe('82a36167651ea46e616d65a5616c696365')
  })

  it('an encrypted entry is nonce | ciphertext | tag, and holds no plaintext', async () => {
    const store = new MemoryBackend()
    const get = cache.secure(async (_id: number) => ({ card: '4111111111111111' }), {
      namespace: 'users',
      interop: 'get_user',
      backend: store,
      masterKey: MASTER,
    })
    await get(7)
    const raw = (await store.get(get.key(7))) as Buffer
    expect(raw.length).toBe(12 + canonicalInteropValue({ card: '4111111111111111' }).length + 16)
    expect(raw.includes('4111')).toBe(false)
  })

  it('a hit returns what the miss returned, for every value interop can store', async () => {
    const leaf = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.string({ unit: 'grapheme' }),
      fc.boolean(),
      fc.constant(null),
      fc.date({
        noInvalidDate: true,
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
      }),
      fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    )
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node')),
        fc.dictionary(
          fc.string().filter((k) => k !== '__proto__'),
          tie('node'),
        ),
      ),
    })).node
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const store = new MemoryBackend()
        const here = cache(async () => v, { namespace: 'p', interop: 'v', backend: store })
        const there = cache(async () => v, { namespace: 'p', interop: 'v', backend: store, l1: false })
        const miss = await here()
        expect(isDeepStrictEqual(await here(), miss)).toBe(true)
        expect(isDeepStrictEqual(await there(), miss)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  it('numbers keep their kind: -0 and fractions are float64, safe integers are integers', () => {
    expect(canonicalInteropValue(-0).toString('hex')).toBe('cb8000000000000000')
    expect(canonicalInteropValue(0.1).toString('hex')).toBe('cb3fb999999999999a')
    expect(canonicalInteropValue(2).toString('hex')).toBe('02')
    expect(Object.is(decodeInteropValue(canonicalInteropValue(-0)), -0)).toBe(true)
    expect(decodeInteropValue(canonicalInteropValue(2n ** 63n))).toBe(2n ** 63n)
    expect(decodeInteropValue(canonicalInteropValue(2n ** 53n - 1n))).toBe(2 ** 53 - 1)
    // An argument that is an integral float beyond 2^53 is the integer it is, as in Python.
    expect(canonicalInteropArgs([2 ** 60]).toString('hex')).toBe('91cf1000000000000000')
    expect(canonicalInteropArgs([2 ** 60]).equals(canonicalInteropArgs([2n ** 60n]))).toBe(true)
  })

  it('a Date value is written as Python writes a UTC datetime, and read back as the same Date', () => {
    const at = new Date(Date.UTC(2024, 0, 1, 12, 30, 45, 123))
    const bytes = canonicalInteropValue(at)
    expect(bytes.toString()).toContain('2024-01-01T12:30:45.123000+00:00')
    expect(canonicalInteropValue(new Date(Date.UTC(2024, 0, 1))).toString()).toContain(
      '2024-01-01T00:00:00+00:00',
    )
    expect(decodeInteropValue(bytes)).toEqual(at)
  })

  it('undefined properties are left out, and every other value outside interop is refused with its path', () => {
    expect(decodeInteropValue(canonicalInteropValue({ a: 1, b: undefined }))).toEqual({ a: 1 })
    const refused: Array<[unknown, RegExp]> = [
      [[undefined], /value\[0\]/],
      [{ m: new Map() }, /value\.m/],
      [new Set([1]), /Set/],
      [{ x: Number.NaN }, /NaN/],
      [2n ** 64n, /2\^64/],
      ['\ud800', /surrogate/],
      [new Uint16Array(1), /Uint16Array/],
      [{ __datetime__: true, value: '2024-01-01T00:00:00+00:00' }, /sentinel/],
    ]
    for (const [value, message] of refused) {
      expect(() => canonicalInteropValue(value)).toThrow(
        expect.objectContaining({
          code: 'INTEROP_UNSUPPORTED_VALUE',
          message: expect.stringMatching(message),
        }),
      )
    }
    expect(() => canonicalInteropArgs([undefined])).toThrow(code('INTEROP_UNSUPPORTED_ARGUMENT'))
    expect(() => canonicalInteropArgs([{ [Symbol('s')]: 1 }])).toThrow(code('INTEROP_UNSUPPORTED_ARGUMENT'))
  })

  it('argument maps sort keys by UTF-8 bytes, and sets sort and deduplicate by encoding', () => {
    // U+10000 is a surrogate pair in UTF-16 (sorts before U+FF61 there) but 4 bytes in UTF-8 (after it).
    expect(canonicalInteropArgs([{ '\u{10000}': 1, '\uff61': 2 }]).toString('hex')).toBe(
      '9182a3efbda102a4f090808001',
    )
    expect(
      canonicalInteropArgs([
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ]).equals(canonicalInteropArgs([{ a: 2, b: 1 }])),
    ).toBe(true)
    expect(canonicalInteropArgs([new Set([2, 2.0, 1])]).toString('hex')).toBe('91920102')
  })
})

describe('the strict interop reader', () => {
  const refuses = (bytes: Buffer) =>
    expect(() => decodeInteropValue(bytes)).toThrow(code('DESERIALIZE_FAILED'))

  it('refuses trailing bytes, truncation, over-claiming counts, deep nesting, invalid UTF-8 and CK frames', () => {
    refuses(Buffer.from('0100', 'hex'))
    refuses(Buffer.from('92', 'hex'))
    refuses(Buffer.from('dcffff01', 'hex'))
    refuses(Buffer.from('dfffffffff', 'hex'))
    refuses(Buffer.from('db7fffffff', 'hex'))
    refuses(Buffer.alloc(2000, 0x91))
    refuses(Buffer.from('a2c328', 'hex'))
    refuses(Buffer.from('434b03', 'hex'))
    refuses(Buffer.from('c1', 'hex'))
    refuses(Buffer.alloc(0))
    refuses(Buffer.from('8192c0', 'hex'))
  })

  it('keeps a leading BOM and an own __proto__ key', () => {
    expect(decodeInteropValue(canonicalInteropValue('\ufeffx'))).toBe('\ufeffx')
    const decoded = decodeInteropValue(Buffer.from('81a95f5f70726f746f5f5f01', 'hex')) as object
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.keys(decoded)).toEqual(['__proto__'])
  })

  it('a corrupt stored entry is a miss, deleted, and the function runs', async () => {
    const store = new MemoryBackend()
    let calls = 0
    const get = cache(
      async (_id: number) => {
        calls++
        return 'fresh'
      },
      { namespace: 'users', interop: 'get_user', backend: store, l1: false, logger: { warn() {} } },
    )
    await store.set(get.key(1), Buffer.from('0100', 'hex'), 60)
    expect(await get(1)).toBe('fresh')
    expect(calls).toBe(1)
    expect((await store.get(get.key(1)))?.toString('hex')).toBe(
      canonicalInteropValue('fresh').toString('hex'),
    )
  })

  it('an encrypted entry that does not authenticate fails closed by default', async () => {
    const store = new MemoryBackend()
    const get = cache.secure(async (_id: number) => 'fresh', {
      namespace: 'users',
      interop: 'get_user',
      backend: store,
      l1: false,
      masterKey: MASTER,
      logger: { warn() {} },
    })
    await store.set(get.key(1), new InteropPlainEnvelope().wrap(canonicalInteropValue('forged')), 60)
    await expect(get(1)).rejects.toThrow(expect.objectContaining({ name: 'DecryptionError' }))
  })
})

describe('interop wraps of a by-key cache', () => {
  it('key under the cache namespace, and invalidate() reaches them', async () => {
    const store = new MemoryBackend()
    const users = createCache({ namespace: 'users', backend: store })
    let calls = 0
    const get = users.wrap(
      async (_id: number) => {
        calls++
        return { n: calls }
      },
      { interop: 'get_user' },
    )
    expect(get.key(42)).toBe(
      'users:get_user:61598716255080080f6456eb065c2e51badfaa4320b0efe97469c29cffee8875',
    )
    await get(42)
    expect((await store.get(get.key(42)))?.toString('hex')).toBe(
      canonicalInteropValue({ n: 1 }).toString('hex'),
    )
    await users.invalidate()
    expect(await store.get(get.key(42))).toBeNull()
    await users.close()
  })
})

describe('the interop/v2 draft, behind { version: "v2-draft" }', () => {
  const events = Array.from({ length: 50 }, () => 'GET /api/users/42 200 OK')

  it('stores the v1 value in the v2 container, LZ4-compressed when smaller, plain or encrypted', async () => {
    const store = new MemoryBackend()
    const plain = cache(async (_id: number) => ({ events }), {
      namespace: 'logs',
      interop: { operation: 'recent', version: 'v2-draft' },
      backend: store,
    })
    expect(await plain(1)).toEqual({ events })
    const raw = (await store.get(plain.key(1))) as Buffer
    expect(raw.subarray(0, 4).toString('hex')).toBe('c1029301')
    expect(raw.length).toBeLessThan(canonicalInteropValue({ events }).length)
    const sealed = cache.secure(async (_id: number) => ({ events }), {
      namespace: 'logs-enc',
      interop: { operation: 'recent', version: 'v2-draft' },
      backend: store,
      masterKey: MASTER,
    })
    expect(await sealed(1)).toEqual({ events })
    expect(((await store.get(sealed.key(1))) as Buffer).includes('GET /api')).toBe(false)
    expect(await sealed(1)).toEqual({ events })
  })

  it('a v1 reader and a v2 reader each treat the other format as corrupt (a miss), never as data', async () => {
    const store = new MemoryBackend()
    const quiet = { warn() {} }
    const v2 = cache(async (_id: number) => 'v2', {
      namespace: 'mix',
      interop: { operation: 'op', version: 'v2-draft' },
      backend: store,
      l1: false,
      logger: quiet,
    })
    await v2(1)
    const reader = cache(async (_id: number) => 'recomputed', {
      namespace: 'mix',
      interop: 'op2',
      backend: store,
      l1: false,
      logger: quiet,
    })
    await store.set(reader.key(1), (await store.get(v2.key(1))) as Buffer, 60)
    expect(await reader(1)).toBe('recomputed')
    await store.set(v2.key(2), canonicalInteropValue('a v1 value'), 60)
    expect(await v2(2)).toBe('v2')
  })
})

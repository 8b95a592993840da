import { tableFromArrays } from 'apache-arrow'
import { Redis } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { cache, cacheControl, keyFromArgs, MemoryBackend, RedisBackend } from '../../src/index.js'
import { BackendError, ConfigurationError, SerializationError } from '../../src/errors.js'
import { JsonSerializer, type Serializer } from '../../src/serializers/index.js'

const quiet = { warn: vi.fn(), debug: () => {} }

describe('cache(fn) on the memory backend', () => {
  it('runs the function on a miss and serves the next call from L1', async () => {
    const backend = new MemoryBackend()
    const fn = vi.fn(async (id: number) => ({ id, name: `user${id}` }))
    const getUser = cache(async (id: number) => fn(id), { namespace: 'users', ttl: 60, backend })
    expect(await getUser(1)).toEqual({ id: 1, name: 'user1' })
    expect(await getUser(1)).toEqual({ id: 1, name: 'user1' })
    expect(fn).toHaveBeenCalledTimes(1)
    const info = getUser.info()
    expect(info).toMatchObject({
      hits: 1,
      misses: 1,
      l1Hits: 1,
      l2Hits: 0,
      errors: 0,
      backend: 'memory',
      l2: true,
    })
    expect(backend.size).toBe(1)
  })

  it('serves from L2 when L1 does not have it, and refills L1', async () => {
    const backend = new MemoryBackend()
    const fn = vi.fn(async (id: number) => id * 2)
    const a = cache(async (id: number) => fn(id), { namespace: 'shared', backend })
    const b = cache(async (id: number) => fn(id), { namespace: 'shared', backend })
    expect(await a(21)).toBe(42)
    expect(await b(21)).toBe(42)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(b.info()).toMatchObject({ l2Hits: 1, misses: 0 })
    expect(await b(21)).toBe(42)
    expect(b.info()).toMatchObject({ l1Hits: 1 })
  })

  it('hands every caller its own copy: mutating a result never changes the next one', async () => {
    const getList = cache(async () => ({ items: [1, 2, 3] }), { namespace: 'list', backend: null })
    const first = await getList()
    first.items.push(4)
    const second = await getList()
    expect(second.items).toEqual([1, 2, 3])
    second.items.pop()
    expect((await getList()).items).toEqual([1, 2, 3])
  })

  it('copies binary data too: writing into the bytes of a hit never reaches the next hit', async () => {
    for (const serializer of ['msgpack', 'msgpack-js', 'raw'] as const) {
      const get = cache(
        async () => (serializer === 'raw' ? Buffer.from([1, 2, 3]) : { b: new Uint8Array([1, 2, 3]) }),
        { namespace: `bincopy-${serializer}`, backend: null, serializer },
      )
      const bytesOf = (v: unknown) => (serializer === 'raw' ? (v as Uint8Array) : (v as { b: Uint8Array }).b)
      bytesOf(await get())[0] = 9
      const hit = bytesOf(await get())
      expect([...hit], serializer).toEqual([1, 2, 3])
      hit[1] = 9
      expect([...bytesOf(await get())], serializer).toEqual([1, 2, 3])
    }
  })

  it('copies Arrow tables: writing into the vectors of a hit never reaches the next hit', async () => {
    const get = cache(async () => tableFromArrays({ a: Int32Array.from([1, 2, 3]) }), {
      namespace: 'arrowcopy',
      backend: null,
      serializer: 'arrow',
    })
    await get()
    const hit = await get()
    ;(hit.getChild('a')?.data[0]?.values as Int32Array)[0] = 99
    expect([...((await get()).getChild('a')?.toArray() ?? [])]).toEqual([1, 2, 3])
  })

  it('copy mode: hits cloned from the decoded template never share state with each other', async () => {
    const make = () => ({ d: new Date(5), b: Buffer.from([1, 2]), nested: { list: [{ n: 1 }] } })
    for (const serializer of ['msgpack', 'msgpack-js'] as const) {
      const get = cache(async () => make(), {
        namespace: `template-${serializer}`,
        backend: null,
        serializer,
      })
      for (let i = 0; i < 4; i++) {
        const hit = await get()
        expect(hit, `${serializer} hit ${i}`).toEqual(make())
        hit.d.setTime(0)
        hit.b[0] = 9
        hit.nested.list[0] = { n: 2 }
        hit.nested.list.push({ n: 3 })
      }
      expect(get.info().l1Hits).toBe(3)
    }
  })

  it('copy mode: values a serializer cannot clone are decoded on every hit', async () => {
    const plain = new JsonSerializer()
    const custom: Serializer = {
      format: 'json',
      isMsgpack: false,
      serialize: (v) => plain.serialize(v),
      deserialize: (b) => plain.deserialize(b),
    }
    const proto = () => JSON.parse('{"__proto__":{"a":1},"x":[1]}') as { x: number[] }
    for (const [name, serializer] of [
      ['custom', custom],
      ['json', plain],
    ] as const) {
      const get = cache(async () => proto(), { namespace: `noclone-${name}`, backend: null, serializer })
      for (let i = 0; i < 3; i++) {
        const hit = await get()
        expect(Object.hasOwn(hit, '__proto__'), name).toBe(true)
        expect(hit.x, name).toEqual([1])
        hit.x.push(2)
      }
    }
  })

  it('frozen L1 mode returns one deep-frozen object', async () => {
    const getCfg = cache(async () => ({ nested: { a: 1 } }), {
      namespace: 'cfg',
      backend: null,
      l1: { mode: 'frozen' },
    })
    const first = await getCfg()
    const second = await getCfg()
    expect(second).toBe(first)
    expect(Object.isFrozen(first.nested)).toBe(true)
    expect(() => {
      ;(first.nested as { a: number }).a = 2
    }).toThrow(TypeError)
  })

  it('remembered keys tell apart primitives of different types, and match keyFromArgs', async () => {
    const fn = vi.fn(async (x: unknown) => typeof x)
    const get = cache(async (x: unknown) => fn(x), { namespace: 'keymemo', backend: null })
    const args: unknown[] = [1, '1', 1n, true, 'true', null, undefined, 'null', Number.NaN, 0]
    for (let round = 0; round < 2; round++) {
      for (const arg of args) {
        expect(await get(arg)).toBe(typeof arg)
        expect(get.key(arg)).toBe(keyFromArgs('keymemo', [arg]))
      }
    }
    expect(fn).toHaveBeenCalledTimes(args.length)
    // -0 has the canonical text of 0: the same entry.
    expect(get.key(-0)).toBe(get.key(0))
    expect(await get(-0)).toBe('number')
    expect(fn).toHaveBeenCalledTimes(args.length)
    // Several arguments and containers go through their canonical text.
    const pair = cache(async (a: number, b: number) => a + b, { namespace: 'keymemo', backend: null })
    expect(pair.key(1, 2)).toBe(keyFromArgs('keymemo', [1, 2]))
    expect(await pair(1, 2)).toBe(3)
    expect(await pair(1, 2)).toBe(3)
    expect(pair.info().l1Hits).toBe(1)
    expect(get.key({ a: [1] })).toBe(keyFromArgs('keymemo', [{ a: [1] }]))
    const long = 'x'.repeat(1000)
    expect(get.key(long)).toBe(keyFromArgs('keymemo', [long]))
  })

  it('a remembered key follows the argument, not a mutated container', async () => {
    const fn = vi.fn(async (o: { n: number }) => o.n)
    const get = cache(async (o: { n: number }) => fn(o), { namespace: 'keymemo-obj', backend: null })
    const arg = { n: 1 }
    expect(await get(arg)).toBe(1)
    arg.n = 2
    expect(await get(arg)).toBe(2)
    expect(await get({ n: 1 })).toBe(1)
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('keeps an average latency over hits that are timed on a sample', async () => {
    // A clock that only moves when the function or a hit moves it: the mean is then exact.
    let now = 0
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now)
    try {
      const get = cache(
        async (n: number) => {
          now += 640 // the miss takes 640 ms
          return n
        },
        { namespace: 'latency', backend: null },
      )
      await get(1)
      expect(get.info().avgLatencyMs).toBe(640)
      // 127 hits: the one sampled hit (call 64) reads the clock twice; it counts for 64 hits.
      for (let i = 0; i < 127; i++) {
        if (i === 62) clock.mockImplementationOnce(() => now).mockImplementationOnce(() => now + 0.5)
        expect(await get(1)).toBe(1)
      }
      const info = get.info()
      expect(info).toMatchObject({ l1Hits: 127, misses: 1, hits: 127 })
      expect(info.avgLatencyMs).toBeCloseTo((640 + 0.5 * 64) / 128, 10)
    } finally {
      clock.mockRestore()
    }
  })

  it('runs concurrent misses of one key once (single-flight) and gives each caller its own copy', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const fn = vi.fn(async (id: number) => {
      await gate
      return { id }
    })
    const get = cache(async (id: number) => fn(id), { namespace: 'flight', backend: new MemoryBackend() })
    const calls = [get(7), get(7), get(7), get(8)]
    release()
    const results = await Promise.all(calls)
    expect(fn).toHaveBeenCalledTimes(2)
    expect(results.map((r) => r.id)).toEqual([7, 7, 7, 8])
    expect(results[1]).not.toBe(results[2])
    expect(get.info()).toMatchObject({ coalesced: 2, misses: 2, inFlight: 0 })
  })

  it('shares a rejection with the callers that joined it and caches nothing', async () => {
    const fn = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 5))
      throw new Error('db down')
    })
    const get = cache(async () => fn(), { namespace: 'failing', backend: null })
    const results = await Promise.allSettled([get(), get()])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    await expect(get()).rejects.toThrow('db down')
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('invalidate removes one entry from L1 and L2', async () => {
    const backend = new MemoryBackend()
    let version = 0
    const get = cache(async (id: number) => `${id}@${++version}`, { namespace: 'inv', backend })
    expect(await get(1)).toBe('1@1')
    expect(await get(2)).toBe('2@2')
    expect(await get.invalidate(1)).toBe(true)
    expect(await backend.exists(get.key(1))).toBe(false)
    expect(await get(1)).toBe('1@3')
    expect(await get(2)).toBe('2@2')
  })

  it('clear removes every entry of the function, including ones other caches wrote, and nothing else', async () => {
    const backend = new MemoryBackend()
    const mine = cache(async (n: number) => n, { namespace: 'clr', backend })
    const other = cache(async (n: number) => n, { namespace: 'clr', backend })
    const unrelated = cache(async (n: number) => n, { namespace: 'clr2', backend })
    await mine(1)
    await other(2)
    await unrelated(3)
    expect(await mine.clear()).toBe(2)
    expect(await backend.exists(other.key(2))).toBe(false)
    expect(await backend.exists(unrelated.key(3))).toBe(true)
  })

  it('refresh recomputes and overwrites; bypass neither reads nor writes', async () => {
    let version = 0
    const backend = new MemoryBackend()
    const get = cache(async (id: number) => `${id}v${++version}`, { namespace: 'rb', backend })
    expect(await get(1)).toBe('1v1')
    expect(await get.refresh(1)).toBe('1v2')
    expect(await get(1)).toBe('1v2')
    expect(await get.bypass(1)).toBe('1v3')
    expect(await get(1)).toBe('1v2')
    expect(get.info()).toMatchObject({ refreshes: 1, bypasses: 1 })
  })

  it('sets the TTL on the backend and caps L1 by what L2 has left', async () => {
    const backend = new MemoryBackend()
    // One function wrapped twice stands for the same code in two processes sharing the backend.
    let result = 'x'
    const load = async () => result
    const get = cache(load, { namespace: 'ttl', ttl: 120, backend })
    await get()
    const ttl = await backend.ttl(get.key())
    expect(ttl).toBeGreaterThan(118)
    expect(ttl).toBeLessThanOrEqual(120)
    // Another cache reading the entry from L2 with 1 s left must not keep it for its own 120 s.
    await backend.set(get.key(), (await backend.get(get.key())) as Buffer, 1)
    result = 'fresh'
    const reader = cache(load, { namespace: 'ttl', ttl: 120, backend })
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      expect(await reader()).toBe('x')
      vi.setSystemTime(Date.now() + 1500)
      expect(await reader()).toBe('fresh')
    } finally {
      vi.useRealTimers()
    }
  })

  it('treats a corrupt L2 entry as a miss, deletes it, counts and logs it', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn(), debug: () => {} }
    const get = cache(async () => ({ ok: true }), { namespace: 'corrupt', backend, l1: false, logger })
    await get()
    const stored = (await backend.get(get.key())) as Buffer
    stored[stored.length - 1] = (stored.at(-1) ?? 0) ^ 0xff
    await backend.set(get.key(), stored, 60)
    expect(await get()).toEqual({ ok: true })
    expect(get.info()).toMatchObject({ integrityErrors: 1, errors: 1, misses: 2 })
    expect(logger.warn).toHaveBeenCalledOnce()
    // the recomputed value replaced the corrupt bytes
    expect(await get()).toEqual({ ok: true })
    expect(get.info().l2Hits).toBe(1)
  })

  it('counts and logs a failed L2 write without failing the call', async () => {
    const backend = new MemoryBackend()
    vi.spyOn(backend, 'set').mockRejectedValue(new Error('disk full'))
    const get = cache(async () => 5, { namespace: 'wfail', backend, logger: quiet })
    expect(await get()).toBe(5)
    expect(get.info()).toMatchObject({ l2WriteErrors: 1, errors: 1 })
  })

  it('counts a failed L2 read and computes instead', async () => {
    const backend = new MemoryBackend()
    vi.spyOn(backend, 'getWithTtl').mockRejectedValue(new Error('timeout'))
    const get = cache(async () => 6, { namespace: 'rfail', backend, logger: quiet })
    expect(await get()).toBe(6)
    expect(get.info()).toMatchObject({ l2ReadErrors: 1, misses: 1 })
  })

  it('without L1 an L2 read is one plain get (no TTL lookup); its failures count as before', async () => {
    const backend = new MemoryBackend()
    let sign = 1
    const load = async (n: number) => sign * n * 2
    const writer = cache(load, { namespace: 'nol1', backend })
    expect(await writer(4)).toBe(8)
    const withTtl = vi.spyOn(backend, 'getWithTtl')
    const get = vi.spyOn(backend, 'get')
    sign = -1
    const reader = cache(load, { namespace: 'nol1', backend, l1: false })
    expect(await reader(4)).toBe(8)
    expect(await reader(4)).toBe(8)
    expect(withTtl).not.toHaveBeenCalled()
    expect(get).toHaveBeenCalledTimes(2)
    expect(reader.info()).toMatchObject({ l2Hits: 2, misses: 0, l1: null })
    get.mockRejectedValue(new Error('timeout'))
    const failing = cache(async () => 6, { namespace: 'nol1fail', backend, l1: false, logger: quiet })
    expect(await failing()).toBe(6)
    expect(failing.info()).toMatchObject({ l2ReadErrors: 1, misses: 1 })
    get.mockImplementation(() => {
      throw new Error('sync failure')
    })
    expect(await failing()).toBe(6)
    expect(failing.info()).toMatchObject({ l2ReadErrors: 2, misses: 2 })
  })

  it('rejects a result it cannot serialize, naming the type and the fix', async () => {
    class User {
      constructor(readonly id: number) {}
    }
    const get = cache(async () => new User(1), { namespace: 'cls', backend: null })
    await expect(get()).rejects.toThrow(SerializationError)
    await expect(get()).rejects.toThrow(/class instance User.*toJSON\(\) or a plain object/)
  })

  it('rejects arguments it cannot key, with the position and the fix', async () => {
    const get = cache(async (_a: number, _b: unknown) => 1, { namespace: 'args', backend: null })
    await expect(get(1, () => 2)).rejects.toThrow(/argument 2 .*give key: \(\.\.\.args\) => string/)
  })

  it('uses a custom key function', async () => {
    const get = cache(async (user: { id: number; at: Date }) => user.id, {
      namespace: 'custom',
      backend: null,
      key: (user) => `user:${user.id}`,
    })
    expect(get.key({ id: 5, at: new Date() })).toBe('ck:custom:user:5')
    await get({ id: 5, at: new Date(1) })
    await get({ id: 5, at: new Date(2) })
    expect(get.info().l1Hits).toBe(1)
  })

  it('needs a namespace for anonymous functions, at wrap time', () => {
    expect(() => cache(async () => 1)).toThrow(ConfigurationError)
    expect(() => cache(async () => 1)).toThrow(/anonymous function.*namespace/)
    const named = async function loadThing() {
      return 1
    }
    expect(cache(named, { backend: null }).key()).toMatch(/^ck:loadThing:[0-9a-f]{64}$/)
  })

  it('accepts cache(options)(fn) and rejects a bad ttl at wrap time', async () => {
    const get = cache({ namespace: 'curried', backend: null, ttl: 5 })(async (x: number) => x + 1)
    expect(await get(1)).toBe(2)
    expect(get.info().ttl).toBe(5)
    expect(() => cache(async function f() {}, { ttl: 0 })).toThrow(/ttl must be a whole number/)
    expect(() => cache(async function f() {}, { ttl: 1.5 })).toThrow(ConfigurationError)
  })

  it('typed controls through cacheControl()', async () => {
    const get = cache(async (n: number) => n, { namespace: 'ctl', backend: null })
    await get(3)
    const control = cacheControl(get)
    expect(control.info().misses).toBe(1)
    expect(await control.invalidate(3)).toBe(true)
    expect(() => cacheControl(async () => 1)).toThrow(/not cached/)
  })
})

describe('every serializer through L2 (envelope round trip)', () => {
  const cases: Array<[string, unknown, (v: unknown) => void]> = [
    ['msgpack', { a: [1, 'x'], d: new Date(3) }, (v) => expect(v).toEqual({ a: [1, 'x'], d: new Date(3) })],
    [
      'auto',
      { m: new Map([[1, new Set([2n])]]), u: undefined, z: -0 },
      (v) => {
        expect(v).toEqual({ m: new Map([[1, new Set([2n])]]), u: undefined, z: -0 })
        expect(Object.is((v as { z: number }).z, -0)).toBe(true)
      },
    ],
    ['json', { a: [1, null] }, (v) => expect(v).toEqual({ a: [1, null] })],
    ['raw', Buffer.from('bytes'), (v) => expect(Buffer.from(v as Buffer).toString()).toBe('bytes')],
  ]
  for (const [serializer, value, check] of cases) {
    it(`${serializer}: a second cache reads the first one's entry`, async () => {
      const backend = new MemoryBackend()
      const namespace = `ser-${serializer}`
      const options = { namespace, backend, serializer: serializer as 'msgpack' }
      let result: unknown = value
      const load = async (): Promise<unknown> => result
      await cache(load, options)()
      result = 'recomputed'
      const reader = cache(load, options)
      check(await reader())
      expect(reader.info()).toMatchObject({
        l2Hits: 1,
        errors: 0,
        serializer: serializer === 'auto' ? 'msgpack-js' : serializer,
      })
    })
  }

  it('arrow: loads apache-arrow on first use and round-trips a Table', async () => {
    const { tableFromArrays } = await import('apache-arrow')
    const backend = new MemoryBackend()
    const options = { namespace: 'ser-arrow', backend, serializer: 'arrow' as const }
    let result: unknown = tableFromArrays({ x: Int32Array.from([1, 2]) })
    const load = async (): Promise<unknown> => result
    await cache(load, options)()
    result = null
    const reader = cache(load, options)
    const table = (await reader()) as { numRows: number }
    expect(table.numRows).toBe(2)
    expect(reader.info().l2Hits).toBe(1)
  })

  it('an entry written by another serializer is a miss, not a wrong value', async () => {
    const backend = new MemoryBackend()
    let result = { a: 1 }
    const load = async () => result
    await cache(load, { namespace: 'ser-mix', backend, serializer: 'json' })()
    result = { a: 2 }
    const reader = cache(load, { namespace: 'ser-mix', backend, logger: quiet })
    expect(await reader()).toEqual({ a: 2 })
    expect(reader.info().integrityErrors).toBe(1)
  })
})

describe('synchronous functions', () => {
  it('are served from L1 and return plain values, not Promises', () => {
    const fn = vi.fn((a: number, b: number) => a + b)
    const add = cache.local(fn, { namespace: 'add' })
    expect(add(1, 2)).toBe(3)
    expect(add(1, 2)).toBe(3)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(add.info()).toMatchObject({ backend: 'none', l2: false, l1Hits: 1 })
  })

  it('can use an in-process MemoryBackend as L2', () => {
    const backend = new MemoryBackend()
    const fn = vi.fn((n: number) => ({ n }))
    const a = cache(fn, { namespace: 'syncl2', backend })
    const b = cache(fn, { namespace: 'syncl2', backend })
    expect(a(1)).toEqual({ n: 1 })
    expect(b(1)).toEqual({ n: 1 })
    expect(fn).toHaveBeenCalledTimes(1)
    expect(b.info().l2Hits).toBe(1)
  })

  it('refuse a network backend at wrap time, saying what to do', () => {
    const client = new Redis({ lazyConnect: true })
    const backend = new RedisBackend({ client })
    expect(() => cache((n: number) => n, { namespace: 'syncredis', backend })).toThrow(ConfigurationError)
    expect(() => cache((n: number) => n, { namespace: 'syncredis', backend })).toThrow(/declare it async/)
    expect(() => cache(async (n: number) => n, { namespace: 'asyncredis', backend })).not.toThrow()
    client.disconnect()
  })

  it('a Redis read that fails rejects with BackendError (GET and GET+PTTL)', async () => {
    const client = new Redis({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    const backend = new RedisBackend({ client })
    await expect(backend.get('k')).rejects.toThrow(BackendError)
    await expect(backend.get('k')).rejects.toThrow(/Redis GET failed/)
    await expect(backend.getWithTtl('k')).rejects.toThrow(BackendError)
    await expect(backend.getWithTtl('k')).rejects.toThrow(/Redis GET\+PTTL failed/)
    client.disconnect()
  })

  it('refuse a Promise returned by a function not declared async', () => {
    const get = cache((n: number) => Promise.resolve(n), { namespace: 'sneaky', backend: null })
    expect(() => get(1)).toThrow(/returned a Promise/)
  })

  it('async: true makes a Promise-returning plain function async', async () => {
    const fn = vi.fn((n: number) => Promise.resolve(n * 3))
    const get = cache(fn, { namespace: 'declared', backend: null, async: true })
    expect(await get(2)).toBe(6)
    expect(await get(2)).toBe(6)
    expect(fn).toHaveBeenCalledTimes(1)
  })
})

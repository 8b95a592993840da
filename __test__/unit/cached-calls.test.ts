import { describe, expect, it, vi } from 'vitest'
import { ConfigurationError, SerializationError } from '../../src/errors.js'
import { cache, cacheControl, MemoryBackend } from '../../src/index.js'

const _quiet = { warn: vi.fn(), debug: () => {} }

describe('cache(fn): misses, hits and controls', () => {
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

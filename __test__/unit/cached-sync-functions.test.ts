import { Redis } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { BackendError, ConfigurationError } from '../../src/errors.js'
import { cache, MemoryBackend, RedisBackend } from '../../src/index.js'

const _quiet = { warn: vi.fn(), debug: () => {} }

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

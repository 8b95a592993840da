import { describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'

const quiet = { warn: vi.fn(), debug: () => {} }

describe('cache(fn): the L2 read and write policy', () => {
  it('sets the TTL on the backend and caps L1 by what L2 has left', async () => {
    const backend = new MemoryBackend()
    // One function wrapped twice stands for the same code in two processes sharing the backend.
    let result = 'x'
    const load = async () => result
    const get = cache(load, { namespace: 'ttl', ttl: 120, backend, ttlJitter: false })
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
})

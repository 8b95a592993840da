import { afterEach, describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'

// With stale-while-revalidate an entry is kept in L2 for the window beyond its TTL. An entry with
// no more than that window left is past its fresh deadline: it may be served as stale, but it is
// not an L2 hit (info().l2Hits counts fresh values only; stale ones are info().stale.served).

afterEach(() => {
  vi.useRealTimers()
})

describe('an L2 entry past its fresh deadline', () => {
  it('is served as stale, not counted as a hit, from the very millisecond its TTL ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = 1_700_000_000_000
    vi.setSystemTime(start)
    const backend = new MemoryBackend()
    const load = async (id: number) => `v${id}`
    const options = {
      namespace: 'stale-deadline',
      ttl: 1,
      staleWhileRevalidate: 10,
      ttlJitter: false as const,
      backend,
    }
    await cache(load, options)(1)
    // Another process, with no L1: every call reads L2. The entry is kept 1 s + 10 s.
    const reader = cache(load, { ...options, l1: false, logger: { warn: vi.fn() } })
    vi.setSystemTime(start + 999)
    expect(await reader(1)).toBe('v1')
    expect(reader.info()).toMatchObject({ l2Hits: 1, stale: { served: { swr: 0 } } })
    vi.setSystemTime(start + 1000)
    expect(await reader(1)).toBe('v1')
    expect(reader.info()).toMatchObject({ l2Hits: 1, stale: { served: { swr: 1 } } })
  })
})

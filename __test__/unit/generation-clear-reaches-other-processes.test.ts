import { afterEach, describe, expect, it, vi } from 'vitest'
import { CACHE_DEFAULTS, cache, MemoryBackend } from '../../src/index.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'

// On a store without prefix delete, clear() moves the namespace to a new generation. Another
// process learns of it when it re-reads the generation: once CACHE_DEFAULTS.generationRefreshMs
// has passed since its last read, in the background, never on every call. Two processes are two
// backend objects over one store (each has its own generation, as two processes would).

const REFRESH_MS = CACHE_DEFAULTS.generationRefreshMs

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** Reads of the namespace's generation key that reached the store. */
function generationReads(store: MemoryBackend, namespace: string): () => number {
  const get = vi.spyOn(store, 'get')
  return () => get.mock.calls.filter(([key]) => key === `ck:!generation:${namespace}`).length
}

describe('a clear on a store without prefix delete reaches other processes', () => {
  it('the generation is re-read once the refresh interval has passed, not a millisecond sooner, and not per call', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const store = new MemoryBackend()
    const reads = generationReads(store, 'gen-cadence')
    const get = cache(async (id: number) => id, {
      namespace: 'gen-cadence',
      backend: new WithoutPrefixDelete(store),
      l1: false,
    })
    await get(1)
    await get(2)
    expect(reads()).toBe(1)
    vi.setSystemTime(1_700_000_000_000 + REFRESH_MS - 1)
    await get(3)
    expect(reads()).toBe(1)
    vi.setSystemTime(1_700_000_000_000 + REFRESH_MS)
    await get(4)
    await vi.waitFor(() => expect(reads()).toBe(2))
    await get(5)
    expect(reads()).toBe(2)
  })

  it('a synchronous function adopts the generation another process stored, and sees that process clear it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const store = new MemoryBackend()
    let version = 1
    const compute = (id: number) => `${id}:v${version}`
    const writer = cache(async (id: number) => compute(id), {
      namespace: 'gen-sync-adopt',
      backend: new WithoutPrefixDelete(store),
      l1: false,
    })
    expect(await writer(1)).toBe('1:v1')
    const reader = cache.local(compute, {
      namespace: 'gen-sync-adopt',
      backend: new WithoutPrefixDelete(store),
      l1: false,
    })
    version = 2
    // The entry the other process wrote, under the generation it stored: a hit.
    expect(reader(1)).toBe('1:v1')
    expect(reader.info()).toMatchObject({ l2Hits: 1, misses: 0 })
    await writer.clear()
    vi.setSystemTime(1_700_000_000_000 + REFRESH_MS)
    reader(1) // starts the background re-read of the generation
    await vi.waitFor(() => expect(reader(1)).toBe('1:v2'))
  })
})

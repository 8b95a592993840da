import { describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

// A refresh started while a call of the same key is still reading L2 becomes that key's flight.
// When the older call ends (its read found a value) it must not end the refresh's flight: the
// refresh is still running, and callers that arrive meanwhile must join it instead of starting
// another read or computation.

describe('single-flight across a refresh', () => {
  it('the refresh is still in flight, and joined, after the call it overtook has ended', async () => {
    const store = new FaultyBackend(new MemoryBackend())
    let release = () => {}
    let runs = 0
    const load = cache(
      async (id: number) => {
        runs++
        if (runs > 1) await new Promise<void>((resolve) => (release = resolve))
        return `v${runs}:${id}`
      },
      { namespace: 'flight-refresh', backend: store, l1: false, logger: { warn: vi.fn() } },
    )
    expect(await load(1)).toBe('v1:1')

    store.hang(['get', 'getWithTtl'])
    const reading = load(1)
    await vi.waitFor(() => expect(store.pending).toBe(1))
    const refreshing = load.refresh(1)
    await vi.waitFor(() => expect(runs).toBe(2))
    store.release()
    expect(await reading).toBe('v1:1')

    expect(load.info().inFlight).toBe(1)
    const late = load(1)
    expect(load.info().coalesced).toBe(1)
    release()
    expect(await refreshing).toBe('v2:1')
    expect(await late).toBe('v2:1')
    expect(runs).toBe(2)
    expect(load.info().inFlight).toBe(0)
  })
})

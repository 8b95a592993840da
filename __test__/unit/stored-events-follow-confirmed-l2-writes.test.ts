import { describe, expect, it, vi } from 'vitest'
import type { CacheObserver } from '../../src/cache/events.js'
import { BackendError } from '../../src/errors.js'
import { cache, createCache, keyFromUserKey, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'

// `stored` tells observers (the invalidation bus) that L2 now holds a new value for a key: only
// after the store confirmed the write, never for a write that failed, and with the logical key
// (the one other processes' L1 holds), not the key as stored.

const watching = (observer: CacheObserver) => ({
  attach: (c: { events: { observe(o: CacheObserver): unknown } }) => c.events.observe(observer),
})

describe('stored events', () => {
  it("follow a cached call's confirmed L2 write, and not a failed one", async () => {
    const backend = new FaultyBackend(new MemoryBackend())
    const stored: string[] = []
    const get = cache(async (id: number) => `v${id}`, {
      namespace: 'stored-calls',
      backend,
      logger: { warn: vi.fn() },
      reliability: { breaker: false },
      observe: watching({ stored: (_ns, key) => stored.push(key) }),
    })
    await get(1)
    expect(stored).toStrictEqual([get.key(1)])
    backend.fail(new BackendError('REDIS_ERROR', 'refused'), ['set'])
    await get(2)
    expect(stored).toStrictEqual([get.key(1)])
  })

  it('follow every entry of a confirmed by-key write, under its logical key', async () => {
    const stored: string[] = []
    // A store without prefix delete keeps keys as <key>@<generation>; the event carries <key>.
    const c = createCache({
      namespace: 'stored-bykey',
      backend: new WithoutPrefixDelete(new MemoryBackend()),
      logger: { warn: vi.fn() },
      observe: watching({ stored: (_ns, key) => stored.push(key) }),
    })
    await c.set('a', 1)
    await c.setMany([
      ['b', 2],
      ['c', 3],
    ])
    expect(stored).toStrictEqual(['a', 'b', 'c'].map((key) => keyFromUserKey('stored-bykey', key)))
  })
})

import { describe, expect, it, vi } from 'vitest'
import type { CacheObserver } from '../../src/cache/events.js'
import { createCache, keyFromUserKey, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn() })

/** An `observe` instrument that attaches one observer to every cache built with it. */
const watching = (observer: CacheObserver) => ({
  attach: (c: { events: { observe(o: CacheObserver): unknown } }) => c.events.observe(observer),
})

describe('by-key reads answered by L1', () => {
  it('a cache without L2 returns what was set, from L1', async () => {
    const c = createCache({ namespace: 'bykey-l1-get', logger: quiet() })
    await c.set('user:1', { name: 'Ada' })
    expect(await c.get('user:1')).toStrictEqual({ name: 'Ada' })
    expect(await c.getMany(['user:1', 'user:2'])).toStrictEqual([{ name: 'Ada' }, undefined])
    expect(c.info()).toMatchObject({ l1Hits: 2, misses: 1 })
  })

  it('a get issued while the cache is still opening answers from L1 what a set issued before it stored', async () => {
    // Before the cache is ready, get() cannot take the synchronous L1 path: it waits for the cache
    // to open, and must then look in L1 before it concludes there is nothing.
    const c = createCache({ namespace: 'bykey-l1-opening', logger: quiet() })
    const setting = c.set('user:1', { name: 'Ada' })
    const getting = c.get('user:1')
    await setting
    expect(await getting).toStrictEqual({ name: 'Ada' })
    expect(c.info()).toMatchObject({ l1Hits: 1, misses: 0 })
  })

  it('get and getMany send nothing to the store when L1 holds every key', async () => {
    const store = new FaultyBackend(new MemoryBackend())
    const c = createCache({ namespace: 'bykey-l1-only-reads', backend: store, logger: quiet() })
    await c.setMany([
      ['a', 1],
      ['b', 2],
    ])
    const sent = store.calls.length
    expect(await c.get('a')).toBe(1)
    expect(await c.getMany(['a', 'b'])).toStrictEqual([1, 2])
    expect(store.calls.slice(sent)).toStrictEqual([])
    expect(await c.getMany(['a', 'missing'])).toStrictEqual([1, undefined])
    expect(store.calls.slice(sent)).toStrictEqual(['getMany'])
  })
})

describe('by-key writes are reported to observers', () => {
  it('each entry of set and setMany is one write, with its payload size', async () => {
    const writes: Array<[string, number]> = []
    const c = createCache({
      namespace: 'bykey-writes',
      backend: new MemoryBackend(),
      logger: quiet(),
      observe: watching({ write: (_ns, key, bytes) => writes.push([key, bytes]) }),
    })
    await c.set('one', 'x')
    await c.setMany([
      ['two', 'yy'],
      ['three', 'zzz'],
    ])
    // Standard msgpack: a fixstr header byte, then the UTF-8 text.
    const key = (userKey: string) => keyFromUserKey('bykey-writes', userKey)
    expect(writes).toStrictEqual([
      [key('one'), 2],
      [key('two'), 3],
      [key('three'), 4],
    ])
  })
})

import { describe, expect, it, vi } from 'vitest'
import { BackendError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'

// Stores that cannot delete by prefix (Memcached) clear a namespace by moving it to a new generation.

describe('clear() on a store without prefix delete', () => {
  it('makes every entry of the namespace unreachable without any prefix delete', async () => {
    const store = new MemoryBackend()
    const backend = new WithoutPrefixDelete(store)
    let version = 1
    const get = cache(async (id: number) => `${id}:v${version}`, { namespace: 'gen', backend })
    expect(await get(1)).toBe('1:v1')
    expect(await get(2)).toBe('2:v1')
    version = 2
    expect(await get(1)).toBe('1:v1')
    await get.clear()
    expect(await get(1)).toBe('1:v2')
    expect(await get(2)).toBe('2:v2')
    expect(backend.prefixDeletes).toEqual([])
  })

  it('stores keys with the generation appended, under one generation key per namespace', async () => {
    const store = new MemoryBackend()
    const get = cache(async () => 1, { namespace: 'gen-keys', backend: new WithoutPrefixDelete(store) })
    await get()
    const generation = (await store.get('ck:!generation:gen-keys'))?.toString()
    expect(generation).toMatch(/^[0-9a-f]{16}$/)
    expect(await store.exists(`${get.key()}@${generation}`)).toBe(true)
    expect(await store.exists(get.key())).toBe(false)
  })

  it('another process sees the clear within the refresh interval', async () => {
    const store = new MemoryBackend()
    let version = 1
    const load = async () => `v${version}`
    const here = cache(load, { namespace: 'gen-procs', backend: new WithoutPrefixDelete(store), l1: false })
    const there = cache(load, { namespace: 'gen-procs', backend: new WithoutPrefixDelete(store), l1: false })
    expect(await here()).toBe('v1')
    expect(await there()).toBe('v1')
    version = 2
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      await here.clear()
      expect(await here()).toBe('v2')
      // `there` still uses the generation it read; after the refresh interval it re-reads it.
      vi.setSystemTime(Date.now() + 1100)
      await there() // starts the background refresh
      await vi.waitFor(async () => expect(await there()).toBe('v2'))
    } finally {
      vi.useRealTimers()
    }
  })

  it("a by-key cache's invalidate() reaches its wraps; invalidate(prefix) is refused as unsupported", async () => {
    const backend = new WithoutPrefixDelete(new MemoryBackend())
    const c = createCache({ namespace: 'gen-bykey', backend })
    let version = 1
    const byId = c.wrap(async (id: number) => `${id}:v${version}`, { name: 'byId' })
    await c.set('k', 'old')
    expect(await byId(1)).toBe('1:v1')
    version = 2
    await c.invalidate()
    expect(await c.get('k')).toBeUndefined()
    expect(await byId(1)).toBe('1:v2')
    await expect(c.invalidate('user:')).rejects.toThrow(BackendError)
    await expect(c.invalidate('user:')).rejects.toMatchObject({ code: 'UNSUPPORTED' })
  })

  it('synchronous functions on an in-process store without prefix delete use the generation too', () => {
    const backend = new WithoutPrefixDelete(new MemoryBackend())
    let version = 1
    const get = cache.local(() => `v${version}`, { namespace: 'gen-sync', backend, l1: false })
    expect(get()).toBe('v1')
    version = 2
    expect(get()).toBe('v1')
  })
})

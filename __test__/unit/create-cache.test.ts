import { afterEach, describe, expect, it, vi } from 'vitest'
import { BackendError, ConfigurationError } from '../../src/errors.js'
import { cache, createCache, detectBackend, MemoryBackend } from '../../src/index.js'

describe('createCache on the memory backend', () => {
  it('get / set / has / ttl / delete', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'bykey', backend, ttl: 100 })
    expect(await c.get('missing')).toBeUndefined()
    expect(await c.has('missing')).toBe(false)
    expect(await c.ttl('missing')).toBeNull()
    await c.set('user:1', { name: 'Ada' })
    await c.set('short', 1, { ttl: 5 })
    expect(await c.get('user:1')).toEqual({ name: 'Ada' })
    expect(await c.has('user:1')).toBe(true)
    expect(await c.ttl('user:1')).toBeGreaterThan(95)
    expect(await c.ttl('short')).toBeLessThanOrEqual(5)
    expect(await backend.exists('ck:bykey:user:1')).toBe(true)
    expect(await c.delete('user:1')).toBe(true)
    expect(await c.get('user:1')).toBeUndefined()
    expect(c.info()).toMatchObject({ namespace: 'bykey', backend: 'memory', misses: 2, l1Hits: 1 })
  })

  it('returns copies: mutating what get() returned changes nothing stored', async () => {
    const c = createCache({ namespace: 'copies', backend: null })
    await c.set('k', { list: [1] })
    const first = await c.get<{ list: number[] }>('k')
    first?.list.push(2)
    expect(await c.get('k')).toEqual({ list: [1] })
  })

  it('getMany answers from L1 first and fetches the rest in one backend call', async () => {
    const backend = new MemoryBackend()
    const writer = createCache({ namespace: 'many', backend })
    await writer.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ])
    const reader = createCache({ namespace: 'many', backend })
    await reader.get('a')
    const spy = vi.spyOn(backend, 'getMany')
    expect(await reader.getMany(['a', 'b', 'x', 'c'])).toEqual([1, 2, undefined, 3])
    expect(spy).toHaveBeenCalledOnce()
    expect(spy).toHaveBeenCalledWith(['ck:many:b', 'ck:many:x', 'ck:many:c'])
  })

  it('invalidate(prefix) removes matching keys only; invalidate() the whole namespace', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'pfx', backend })
    await c.setMany([
      ['user:1', 1],
      ['user:2', 2],
      ['order:1', 3],
    ])
    await backend.set('ck:pfx2:user:1', Buffer.from('other namespace'), 60)
    expect(await c.invalidate('user:')).toBe(2)
    expect(await c.has('user:1')).toBe(false)
    expect(await c.has('order:1')).toBe(true)
    expect(await c.invalidate()).toBe(1)
    expect(await backend.exists('ck:pfx2:user:1')).toBe(true)
  })

  it('set rejects with BackendError when the backend write fails', async () => {
    const backend = new MemoryBackend()
    vi.spyOn(backend, 'set').mockRejectedValue(new BackendError('REDIS_ERROR', 'down'))
    const c = createCache({ namespace: 'strict', backend, logger: { warn: () => {}, debug: () => {} } })
    await expect(c.set('k', 1)).rejects.toThrow(BackendError)
    expect(c.info().l2WriteErrors).toBe(1)
  })

  it('wrap shares the backend and L1 of the cache', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'host', backend })
    const fn = vi.fn()
    const double = c.wrap(
      async (n: number) => {
        fn(n)
        return n * 2
      },
      { name: 'double' },
    )
    expect(await double(4)).toBe(8)
    expect(await double(4)).toBe(8)
    expect(fn).toHaveBeenCalledOnce()
    expect(await backend.exists(double.key(4))).toBe(true)
    expect(c.info().l1?.entries).toBe(1)
  })

  it('close() closes the backend it uses', async () => {
    const backend = new MemoryBackend()
    const close = vi.spyOn(backend, 'close')
    const c = createCache({ namespace: 'closing', backend })
    await c.close()
    expect(close).toHaveBeenCalledOnce()
  })
})

describe('backend detection from the environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('follows the Python rules', () => {
    expect(detectBackend({})).toEqual({ kind: 'none', source: 'no backend variable set' })
    expect(detectBackend({ REDIS_URL: 'redis://r:6379' })).toMatchObject({
      kind: 'redis',
      url: 'redis://r:6379',
    })
    expect(detectBackend({ CACHEKIT_REDIS_URL: 'redis://a', REDIS_URL: 'redis://b' })).toMatchObject({
      url: 'redis://a',
      source: 'CACHEKIT_REDIS_URL',
    })
  })

  it('refuses more than one CACHEKIT_* backend', () => {
    expect(() => detectBackend({ CACHEKIT_REDIS_URL: 'redis://a', CACHEKIT_API_KEY: 'k' })).toThrow(
      /Several backends are configured \(CACHEKIT_REDIS_URL, CACHEKIT_API_KEY\)/,
    )
  })

  it('says which backends are not supported yet', () => {
    for (const name of ['CACHEKIT_API_KEY', 'CACHEKIT_MEMCACHED_SERVERS', 'CACHEKIT_FILE_CACHE_DIR']) {
      expect(() => detectBackend({ [name]: 'x' })).toThrow(ConfigurationError)
      expect(() => detectBackend({ [name]: 'x' })).toThrow(/not supported yet in this version/)
    }
  })

  it('is what cache() uses when no backend is given', () => {
    vi.stubEnv('CACHEKIT_REDIS_URL', '')
    vi.stubEnv('REDIS_URL', '')
    vi.stubEnv('CACHEKIT_FILE_CACHE_DIR', '/tmp/x')
    expect(() => cache(async function f() {})).toThrow(/not supported yet/)
    vi.stubEnv('CACHEKIT_FILE_CACHE_DIR', '')
    const local = cache(async function g() {})
    expect(local.info()).toMatchObject({ backend: 'none', l2: false })
  })
})

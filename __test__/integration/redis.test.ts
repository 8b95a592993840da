import { Redis } from 'ioredis'
import { Unpackr } from 'msgpackr'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { DecryptionError, IntegrityError } from '../../src/errors.js'
import { cache, createCache, RedisBackend } from '../../src/index.js'
import { ByteStorage } from '../../src/native/index.js'

const url = inject('redisUrl')
const KEY = '1'.repeat(64)
const OTHER_KEY = '2'.repeat(64)
const quiet = () => ({ warn: vi.fn(), debug: () => {} })

let raw: Redis
let backend: RedisBackend
let seq = 0
const ns = (name: string) => `it.${name}.${process.pid}.${++seq}`

beforeAll(() => {
  raw = new Redis(url)
  backend = new RedisBackend({ url })
})

afterAll(async () => {
  await backend.close()
  raw.disconnect()
})

describe('cache() on a real Redis', () => {
  it('misses, then hits; the value is in Redis when the call resolves (write-through)', async () => {
    const fn = vi.fn()
    const get = cache(
      async (id: number) => {
        fn(id)
        return { id, name: 'Ada' }
      },
      { namespace: ns('users'), ttl: 300, backend },
    )
    expect(await get(42)).toEqual({ id: 42, name: 'Ada' })
    const stored = await raw.getBuffer(get.key(42))
    expect(stored).not.toBeNull()
    // the stored bytes are a protocol 1.1 envelope around plain msgpack
    const { data, format } = new ByteStorage().retrieve(stored as Buffer)
    expect(format).toBe('msgpack')
    expect(new Unpackr({ useRecords: false }).unpack(data)).toEqual({ id: 42, name: 'Ada' })
    expect(await get(42)).toEqual({ id: 42, name: 'Ada' })
    expect(fn).toHaveBeenCalledTimes(1)
    expect(get.info()).toMatchObject({ backend: 'redis', misses: 1, hits: 1, l1Hits: 1 })
  })

  it('concurrent L2 reads of one turn share one MGET (L1 off), each caller getting its own value', async () => {
    const get = cache(async (id: number) => ({ id }), { namespace: ns('batch'), backend, l1: false })
    for (let id = 0; id < 20; id++) await get(id)
    const mget = vi.spyOn(backend.client, 'mgetBuffer')
    const single = vi.spyOn(backend.client, 'getBuffer')
    try {
      const values = await Promise.all(Array.from({ length: 20 }, (_, id) => get(id)))
      expect(values).toEqual(Array.from({ length: 20 }, (_, id) => ({ id })))
      // the first read went at once; the 19 issued while it was in flight shared one MGET
      expect(single).toHaveBeenCalledOnce()
      expect(mget).toHaveBeenCalledOnce()
      expect(mget.mock.calls[0]).toHaveLength(19)
      expect(get.info()).toMatchObject({ l2Hits: 20 })
    } finally {
      mget.mockRestore()
      single.mockRestore()
    }
  })

  it('concurrent L2 reads with L1 on share one script call (GET + PTTL of every key) and fill L1', async () => {
    let result = 'stored'
    const load = async (id: number) => ({ id, result })
    const writer = cache(load, { namespace: ns('batch-ttl'), backend, ttl: 90 })
    for (let id = 0; id < 10; id++) await writer(id)
    result = 'recomputed'
    const reader = cache(load, { namespace: writer.info().namespace, backend, ttl: 90 })
    await backend.getManyWithTtl(['warm-up']) // the server learns the script (EVAL after NOSCRIPT)
    const script = vi.spyOn(backend.client, 'callBuffer')
    try {
      const values = await Promise.all(Array.from({ length: 10 }, (_, id) => reader(id)))
      expect(values).toEqual(Array.from({ length: 10 }, (_, id) => ({ id, result: 'stored' })))
      expect(script).toHaveBeenCalledOnce()
      expect(reader.info()).toMatchObject({ l2Hits: 10, misses: 0, l1: { entries: 10 } })
      expect(await reader(3)).toEqual({ id: 3, result: 'stored' })
      expect(reader.info().l1Hits).toBe(1)
    } finally {
      script.mockRestore()
    }
  })

  it('RedisBackend.getManyWithTtl answers values and remaining TTLs, and works before the script is loaded', async () => {
    await raw.script('FLUSH')
    await raw.set('ttl-a', 'A', 'EX', 100)
    await raw.set('ttl-b', 'B')
    const entries = await backend.getManyWithTtl(['ttl-a', 'ttl-missing', 'ttl-b'])
    expect(entries[0]?.value.toString()).toBe('A')
    expect(entries[0]?.ttlMs).toBeGreaterThan(90_000)
    expect(entries[1]).toBeNull()
    expect(entries[2]).toMatchObject({ ttlMs: null })
  })

  it('sets the TTL on the Redis key: exactly with ttlJitter: false, within ±10 % by default', async () => {
    const exact = cache(async () => 1, { namespace: ns('ttl'), ttl: 77, backend, ttlJitter: false })
    await exact()
    const ttl = await raw.ttl(exact.key())
    expect(ttl).toBeGreaterThan(75)
    expect(ttl).toBeLessThanOrEqual(77)
    const spread = cache(async () => 1, { namespace: ns('ttl-jitter'), ttl: 77, backend })
    await spread()
    const jittered = await raw.ttl(spread.key())
    expect(jittered).toBeGreaterThanOrEqual(68)
    expect(jittered).toBeLessThanOrEqual(85)
  })

  it('serves a fresh process-local cache from L2', async () => {
    const namespace = ns('l2')
    // One function wrapped twice stands for the same code in another process.
    let result = 'first'
    const load = async () => result
    await cache(load, { namespace, backend })()
    result = 'second'
    const other = cache(load, { namespace, backend })
    expect(await other()).toBe('first')
    expect(other.info()).toMatchObject({ l2Hits: 1, misses: 0 })
  })

  it('invalidate deletes the Redis key and the L1 entry', async () => {
    let n = 0
    const get = cache(async (id: number) => `${id}:${++n}`, { namespace: ns('inv'), backend })
    expect(await get(1)).toBe('1:1')
    expect(await get.invalidate(1)).toBe(true)
    expect(await raw.exists(get.key(1))).toBe(0)
    expect(await get(1)).toBe('1:2')
  })

  it('clear deletes keys written by others (SCAN by prefix), not other namespaces', async () => {
    const namespace = ns('clear')
    const get = cache(async (id: number) => id, { namespace, backend })
    await get(1)
    // keys this process never wrote, as another process would have
    const foreign = Array.from({ length: 1200 }, (_, i) => `ck:${namespace}:foreign${i}`)
    await raw.mset(...foreign.flatMap((k) => [k, 'x']))
    await raw.set(`ck:${namespace}x:keep`, 'x')
    await raw.set(`ck:${namespace}:*literal`, 'x')
    expect(await get.clear()).toBe(1202)
    expect(await raw.exists(foreign[0] as string, foreign[1199] as string, get.key(1))).toBe(0)
    expect(await raw.exists(`ck:${namespace}x:keep`)).toBe(1)
  })

  it('a plain cache treats a corrupt entry as a miss and deletes it', async () => {
    const logger = quiet()
    const c = createCache({ namespace: ns('corrupt'), backend, logger })
    await c.set('k', { a: 1 })
    const key = `ck:${c.namespace}:k`
    const stored = (await raw.getBuffer(key)) as Buffer
    stored[stored.length - 1] = (stored.at(-1) ?? 0) ^ 0x01
    await raw.set(key, stored)
    const fresh = createCache({ namespace: c.namespace, backend, logger })
    expect(await fresh.get('k')).toBeUndefined()
    expect(await raw.exists(key)).toBe(0)
    expect(fresh.info()).toMatchObject({ integrityErrors: 1, errors: 1 })
    expect(logger.warn).toHaveBeenCalled()
  })

  it('createCache: get/set/has/ttl/delete and a pipelined getMany', async () => {
    const c = createCache({ namespace: ns('bykey'), backend, ttl: 120 })
    await c.setMany([
      ['a', 1],
      ['b', { two: 2 }],
    ])
    await c.set('c', 'three', { ttl: 30 })
    expect(await c.has('a')).toBe(true)
    expect(await c.ttl('c')).toBeLessThanOrEqual(30)
    expect(await c.ttl('nope')).toBeNull()
    const reader = createCache({ namespace: c.namespace, backend })
    const spy = vi.spyOn(backend.client, 'mgetBuffer')
    expect(await reader.getMany(['a', 'nope', 'b', 'c'])).toEqual([1, undefined, { two: 2 }, 'three'])
    expect(spy).toHaveBeenCalledOnce()
    spy.mockRestore()
    expect(await c.delete('a')).toBe(true)
    expect(await reader.get('a')).toBeUndefined()
    expect(await c.invalidate()).toBe(2)
  })
})

describe('cache.secure on a real Redis', () => {
  it('stores no plaintext in Redis', async () => {
    const get = cache.secure(async (id: number) => ({ ssn: `123-45-${id}` }), {
      namespace: ns('sec'),
      masterKey: KEY,
      backend,
    })
    expect(await get(6789)).toEqual({ ssn: '123-45-6789' })
    const stored = (await raw.getBuffer(get.key(6789))) as Buffer
    expect(stored.includes('123-45')).toBe(false)
    expect(stored.includes('ssn')).toBe(false)
  })

  it('a ciphertext copied to another key does not decrypt (fails closed)', async () => {
    const get = cache.secure(async (id: number) => `secret${id}`, {
      namespace: ns('copy'),
      masterKey: KEY,
      backend,
      l1: false,
      logger: quiet(),
    })
    await get(1)
    await raw.set(get.key(2), (await raw.getBuffer(get.key(1))) as Buffer)
    await expect(get(2)).rejects.toThrow(DecryptionError)
    expect(get.info().decryptErrors).toBe(1)
  })

  it('a ciphertext of one tenant does not decrypt for another', async () => {
    const get = cache.secure(async (tenant: string) => `data of ${tenant}`, {
      namespace: ns('tenant'),
      masterKey: KEY,
      backend,
      l1: false,
      tenant: (tenant) => tenant,
      key: () => 'shared-key',
      logger: quiet(),
    })
    expect(await get('acme')).toBe('data of acme')
    // same Redis key (custom key ignores the tenant), other tenant: must not read acme's data
    await expect(get('globex')).rejects.toThrow(DecryptionError)
  })

  it('a wrong master key or a flipped bit is never returned as data', async () => {
    const namespace = ns('tamper')
    let result = 'genuine'
    const load = async () => result
    await cache.secure(load, { namespace, masterKey: KEY, backend })()
    result = 'recomputed'
    const wrongKey = cache.secure(load, {
      namespace,
      masterKey: OTHER_KEY,
      backend,
      logger: quiet(),
    })
    await expect(wrongKey()).rejects.toThrow(DecryptionError)

    const k = wrongKey.key()
    const stored = (await raw.getBuffer(k)) as Buffer
    stored[20] = (stored[20] ?? 0) ^ 0x04
    await raw.set(k, stored)
    const flipped = cache.secure(load, {
      namespace,
      masterKey: KEY,
      backend,
      logger: quiet(),
    })
    const err = await flipped().catch((e: unknown) => e)
    expect(err instanceof DecryptionError || err instanceof IntegrityError).toBe(true)

    const lenient = cache.secure(load, {
      namespace,
      masterKey: KEY,
      backend,
      onDecryptError: 'miss',
      logger: quiet(),
    })
    expect(await lenient()).toBe('recomputed')
    expect(lenient.info()).toMatchObject({ decryptErrors: 1, misses: 1 })
  })
})

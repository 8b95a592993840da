import { afterEach, describe, expect, it, vi } from 'vitest'
import { CachekitError, ConfigurationError, DecryptionError, KeyError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'
import { ByteStorage, TenantKeys } from '../../src/native/index.js'
import { StandardSerializer } from '../../src/serializers/index.js'

const KEY = 'a'.repeat(64)
const OTHER_KEY = 'b'.repeat(64)
const quiet = () => ({ warn: vi.fn(), debug: () => {} })

describe('cache.secure on the memory backend', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('stores no plaintext and reads its own entries back', async () => {
    const backend = new MemoryBackend()
    // One function wrapped twice stands for the same code in two processes sharing the backend.
    let prefix = 'secret'
    const load = async (id: number) => ({ ssn: `${prefix}-${id}` })
    const get = cache.secure(load, {
      namespace: 'sec',
      masterKey: KEY,
      backend,
    })
    expect(await get(1)).toEqual({ ssn: 'secret-1' })
    const raw = (await backend.get(get.key(1))) as Buffer
    expect(raw.includes('secret-1')).toBe(false)
    prefix = 'recomputed'
    const reader = cache.secure(load, {
      namespace: 'sec',
      masterKey: KEY,
      backend,
    })
    expect(await reader(1)).toEqual({ ssn: 'secret-1' })
    expect(reader.info()).toMatchObject({ l2Hits: 1, encrypted: true })
  })

  it('fails closed when an entry is moved to another key, and counts it', async () => {
    const backend = new MemoryBackend()
    const logger = quiet()
    const get = cache.secure(async (id: number) => `v${id}`, {
      namespace: 'move',
      masterKey: KEY,
      backend,
      l1: false,
      logger,
    })
    await get(1)
    await backend.set(get.key(2), (await backend.get(get.key(1))) as Buffer, 60)
    await expect(get(2)).rejects.toThrow(DecryptionError)
    expect(get.info()).toMatchObject({ decryptErrors: 1, errors: 1 })
    expect(logger.warn).toHaveBeenCalled()
  })

  it("with onDecryptError: 'miss' recomputes instead, still counting it", async () => {
    const backend = new MemoryBackend()
    let result = 'old'
    const load = async () => result
    const writer = cache.secure(load, { namespace: 'rot', masterKey: OTHER_KEY, backend })
    await writer()
    result = 'new'
    const reader = cache.secure(load, {
      namespace: 'rot',
      masterKey: KEY,
      backend,
      onDecryptError: 'miss',
      logger: quiet(),
    })
    expect(await reader()).toBe('new')
    expect(reader.info()).toMatchObject({ decryptErrors: 1, misses: 1 })
  })

  it('reads entries written with a previous key during rotation', async () => {
    const backend = new MemoryBackend()
    let result = 'written-with-old'
    const load = async () => result
    await cache.secure(load, {
      namespace: 'rotate',
      masterKey: OTHER_KEY,
      backend,
    })()
    result = 'recomputed'
    const rotated = cache.secure(load, {
      namespace: 'rotate',
      masterKey: KEY,
      previousMasterKeys: [OTHER_KEY],
      backend,
    })
    expect(await rotated()).toBe('written-with-old')
  })

  it('keeps tenants apart: under one cache key, a tenant cannot read another tenant’s entry', async () => {
    const backend = new MemoryBackend()
    // The custom key ignores the tenant, so both tenants' calls use the same cache key: only the
    // tenant bound into the encryption keeps them apart (a tenant function that was ignored would
    // serve acme's value to globex here).
    const get = cache.secure(async (tenant: string, id: number) => `${tenant}:${id}`, {
      namespace: 'tenants',
      masterKey: KEY,
      backend,
      l1: false,
      key: (_tenant, id) => `doc:${id}`,
      tenant: (tenant) => tenant,
      logger: quiet(),
    })
    expect(await get('acme', 1)).toBe('acme:1')
    expect(get.key('globex', 1)).toBe(get.key('acme', 1))
    await expect(get('globex', 1)).rejects.toThrow(DecryptionError)
    const stored = (await backend.get(get.key('acme', 1))) as Buffer
    const context = { cacheKey: get.key('acme', 1), format: 'msgpack' }
    expect(() => TenantKeys.derive(KEY, 'acme').open(stored, context)).not.toThrow()
    expect(() => TenantKeys.derive(KEY, 'globex').open(stored, context)).toThrow(DecryptionError)
  })

  it("with onDecryptError: 'miss' a tenant's call recomputes its own value over another tenant's entry", async () => {
    const backend = new MemoryBackend()
    const get = cache.secure(async (tenant: string, id: number) => `${tenant}:${id}`, {
      namespace: 'tenants-miss',
      masterKey: KEY,
      backend,
      l1: false,
      key: (_tenant, id) => `doc:${id}`,
      tenant: (tenant) => tenant,
      onDecryptError: 'miss',
      logger: quiet(),
    })
    expect(await get('acme', 1)).toBe('acme:1')
    expect(await get('globex', 1)).toBe('globex:1')
    expect(get.info()).toMatchObject({ decryptErrors: 1 })
  })

  it('a by-key cache with a tenant function seals each key under its own tenant', async () => {
    const backend = new MemoryBackend()
    const c = createCache({
      namespace: 'bykey-tenants',
      masterKey: KEY,
      backend,
      tenant: (key) => key.split(':')[0] as string,
    })
    await c.set('acme:invoice', { total: 1 })
    const stored = (await backend.get('ck:bykey-tenants:acme:invoice')) as Buffer
    const context = { cacheKey: 'ck:bykey-tenants:acme:invoice', format: 'msgpack' }
    expect(TenantKeys.derive(KEY, 'acme').open(stored, context).format).toBe('msgpack')
    expect(() => TenantKeys.derive(KEY, 'default').open(stored, context)).toThrow(DecryptionError)
  })

  it('needs a master key, says how to make one, and validates it at wrap time', () => {
    vi.stubEnv('CACHEKIT_MASTER_KEY', '')
    expect(() => cache.secure(async function f() {}, { backend: null })).toThrow(ConfigurationError)
    expect(() => cache.secure(async function f() {}, { backend: null })).toThrow(/openssl rand -hex 32/)
    expect(() => cache.secure(async function f() {}, { backend: null, masterKey: 'abc' })).toThrow(KeyError)
  })

  it('takes the master key from CACHEKIT_MASTER_KEY', async () => {
    vi.stubEnv('CACHEKIT_MASTER_KEY', KEY)
    const get = cache.secure(async () => 1, { namespace: 'envkey', backend: new MemoryBackend() })
    expect(await get()).toBe(1)
    expect(get.info().encrypted).toBe(true)
  })

  it('createCache with a masterKey encrypts by-key entries', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'vault', masterKey: KEY, backend })
    await c.set('card', { pan: '4111111111111111' })
    const stored = (await backend.get('ck:vault:card')) as Buffer
    expect(stored.includes('4111')).toBe(false)
    // Not a plain envelope (a compressed but unencrypted entry would pass the check above) ...
    expect(() => new ByteStorage().retrieve(stored)).toThrow(CachekitError)
    // ... but AES-GCM under this master key, the default tenant and this cache key.
    const opened = TenantKeys.derive(KEY, 'default').open(stored, {
      cacheKey: 'ck:vault:card',
      format: 'msgpack',
    })
    expect(new StandardSerializer().deserialize(opened.data)).toEqual({ pan: '4111111111111111' })
    expect(() =>
      TenantKeys.derive(OTHER_KEY, 'default').open(stored, { cacheKey: 'ck:vault:card', format: 'msgpack' }),
    ).toThrow(DecryptionError)
    expect(await c.get('card')).toEqual({ pan: '4111111111111111' })
    expect(c.info().encrypted).toBe(true)
  })
})

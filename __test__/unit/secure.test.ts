import { afterEach, describe, expect, it, vi } from 'vitest'
import { cache, createCache, MemoryBackend } from '../../src/cache-api.js'
import { ConfigurationError, DecryptionError, KeyError } from '../../src/errors.js'

const KEY = 'a'.repeat(64)
const OTHER_KEY = 'b'.repeat(64)
const quiet = () => ({ warn: vi.fn(), debug: () => {} })

describe('cache.secure on the memory backend', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('stores no plaintext and reads its own entries back', async () => {
    const backend = new MemoryBackend()
    const get = cache.secure(async (id: number) => ({ ssn: `secret-${id}` }), {
      namespace: 'sec',
      masterKey: KEY,
      backend,
    })
    expect(await get(1)).toEqual({ ssn: 'secret-1' })
    const raw = (await backend.get(get.key(1))) as Buffer
    expect(raw.includes('secret-1')).toBe(false)
    const reader = cache.secure(async (_id: number) => ({ ssn: 'recomputed' }), {
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
    const writer = cache.secure(async () => 'old', { namespace: 'rot', masterKey: OTHER_KEY, backend })
    await writer()
    const reader = cache.secure(async () => 'new', {
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
    await cache.secure(async () => 'written-with-old', {
      namespace: 'rotate',
      masterKey: OTHER_KEY,
      backend,
    })()
    const rotated = cache.secure(async () => 'recomputed', {
      namespace: 'rotate',
      masterKey: KEY,
      previousMasterKeys: [OTHER_KEY],
      backend,
    })
    expect(await rotated()).toBe('written-with-old')
  })

  it('keeps tenants apart: one tenant cannot read another tenant’s ciphertext', async () => {
    const backend = new MemoryBackend()
    const get = cache.secure(async (tenant: string, id: number) => `${tenant}:${id}`, {
      namespace: 'tenants',
      masterKey: KEY,
      backend,
      l1: false,
      tenant: (tenant) => tenant,
      logger: quiet(),
    })
    expect(await get('acme', 1)).toBe('acme:1')
    await backend.set(get.key('globex', 1), (await backend.get(get.key('acme', 1))) as Buffer, 60)
    await expect(get('globex', 1)).rejects.toThrow(DecryptionError)
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
    expect(((await backend.get('ck:vault:card')) as Buffer).includes('4111')).toBe(false)
    expect(await c.get('card')).toEqual({ pan: '4111111111111111' })
    expect(c.info().encrypted).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import {
  ByteStorage,
  CachekitError,
  checksum,
  checksumHex,
  DecompressionBombError,
  DecryptionError,
  InputTooLargeError,
  KeyError,
  limits,
  lz4Compress,
  lz4Decompress,
  MalformedEnvelopeError,
  SizeMismatchError,
  TenantKeys,
} from '../../src/index.js'

const json = Buffer.from(
  JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `user-${i}` }))),
)

describe('ByteStorage', () => {
  it('takes Buffers and plain Uint8Arrays, and a default format', () => {
    const s = new ByteStorage({ format: 'json' })
    expect(s.format).toBe('json')
    const env = s.store(new Uint8Array(json))
    expect(s.retrieve(new Uint8Array(env)).format).toBe('json')
    expect(s.retrieve(env).data.equals(json)).toBe(true)
    expect(s.store(json, 'raw').length).toBeLessThan(json.length)
  })

  it('async variants give the same bytes and map errors to classes', async () => {
    const s = new ByteStorage()
    const env = await s.storeAsync(json)
    expect(s.retrieve(env).data.equals(json)).toBe(true)
    expect((await s.retrieveAsync(env)).data.equals(json)).toBe(true)
    await expect(s.retrieveAsync(Buffer.from([0x94]))).rejects.toBeInstanceOf(MalformedEnvelopeError)
  })

  it('rejects wrong argument types with a CachekitError, not a crash', () => {
    const s = new ByteStorage()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong types from untyped callers
    const untyped = s as any
    expect(() => untyped.store('not bytes')).toThrow(CachekitError)
    expect(() => untyped.retrieve(42)).toThrow(CachekitError)
  })

  it('returns independent buffers (mutating one result never changes another)', () => {
    const s = new ByteStorage()
    const env = s.store(json)
    const a = s.retrieve(env).data
    a.fill(0)
    expect(s.retrieve(env).data.equals(json)).toBe(true)
  })
})

describe('TenantKeys', () => {
  const keys = TenantKeys.derive('ab'.repeat(32), 'tenant-a')

  it('seal/open and their async forms agree', async () => {
    const sealed = keys.seal(json, { cacheKey: 'k:1' })
    expect((await keys.openAsync(sealed, { cacheKey: 'k:1' })).data.equals(json)).toBe(true)
    const sealed2 = await keys.sealAsync(json, { cacheKey: 'k:1', format: 'json' })
    expect(keys.open(sealed2, { cacheKey: 'k:1', format: 'json' }).format).toBe('json')
    const ctx = { cacheKey: 'k:2', format: 'msgpack', compressed: false }
    const ct = await keys.encryptAsync(json, ctx)
    expect((await keys.decryptAsync(ct, ctx)).equals(json)).toBe(true)
    await expect(keys.decryptAsync(ct, { ...ctx, cacheKey: 'k:3' })).rejects.toBeInstanceOf(DecryptionError)
  })

  it('binds cache key, tenant and format', () => {
    const sealed = keys.seal(json, { cacheKey: 'k:1' })
    expect(() => keys.open(sealed, { cacheKey: 'k:2' })).toThrow(DecryptionError)
    expect(() => keys.open(sealed, { cacheKey: 'k:1', format: 'json' })).toThrow(DecryptionError)
    const other = TenantKeys.derive('ab'.repeat(32), 'tenant-b')
    expect(() => other.open(sealed, { cacheKey: 'k:1' })).toThrow(DecryptionError)
  })

  it('never repeats a nonce', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++)
      seen.add(keys.seal(json, { cacheKey: 'k' }).subarray(0, 12).toString('hex'))
    expect(seen.size).toBe(1000)
  })

  it('refuses bad keys, tenants and empty cache keys with messages that say what to do', () => {
    expect(() => TenantKeys.derive('00')).toThrow(/64 hex characters.*openssl rand -hex 32/)
    expect(() => TenantKeys.derive(Buffer.alloc(31))).toThrow(KeyError)
    expect(() => TenantKeys.derive('ab'.repeat(32), '')).toThrow(KeyError)
    expect(() => keys.seal(json, { cacheKey: '' })).toThrow(KeyError)
    expect(() =>
      TenantKeys.derive('ab'.repeat(32), 't', {
        previousKeys: ['11'.repeat(32), '22'.repeat(32), '33'.repeat(32), '44'.repeat(32)],
      }),
    ).toThrow(/at most 3/)
  })

  it('does not expose key material', () => {
    const text = JSON.stringify(Object.getOwnPropertyNames(Object.getPrototypeOf(keys)))
    expect(text).not.toMatch(/key[^s]/i)
    expect(String(keys)).not.toContain('ab'.repeat(8))
  })
})

describe('free functions', () => {
  it('checksum is xxHash3-64', () => {
    expect(checksumHex(Buffer.alloc(0))).toBe('2d06800538d394c2')
    expect(checksum(Buffer.alloc(0))).toBe(0x2d06800538d394c2n)
  })

  it('raw LZ4 block round-trips and enforces the protocol bounds', () => {
    const block = lz4Compress(json)
    expect(lz4Decompress(block, json.length).equals(json)).toBe(true)
    expect(() => lz4Decompress(block, json.length + 1)).toThrow(SizeMismatchError)
    expect(() => lz4Decompress(block, block.length * 1001)).toThrow(DecompressionBombError)
    expect(() => lz4Decompress(block, 2 ** 40)).toThrow(InputTooLargeError)
    expect(() => lz4Decompress(block, -1)).toThrow(CachekitError)
  })

  it('reports the protocol limits', () => {
    expect(limits()).toMatchObject({
      maxSize: 536870912,
      maxCompressionRatio: 1000,
      lz4MaxExpansion: 255,
      maxPreviousKeys: 3,
    })
  })
})

import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ByteStorage, TenantKeys } from '../../src/index.js'

// The facade returns small results through a 64 KiB scratch buffer and large ones as native
// Buffers; both paths must give equal, independent bytes.
const SIZES = [0, 1, 100, 1024, 64 * 1024 - 40, 64 * 1024, 64 * 1024 + 1, 300 * 1024]

describe('output paths (scratch and native Buffer)', () => {
  const storage = new ByteStorage()
  const keys = TenantKeys.derive(randomBytes(32), 'paths')

  it.each(SIZES)('store/retrieve and seal/open %i random bytes', (size) => {
    const data = randomBytes(size)
    const env = storage.store(data)
    const { data: out, format } = storage.retrieve(env)
    expect(out.equals(data)).toBe(true)
    expect(format).toBe('msgpack')
    const sealed = keys.seal(data, { cacheKey: 'k' })
    expect(keys.open(sealed, { cacheKey: 'k' }).data.equals(data)).toBe(true)
    const ctx = { cacheKey: 'k', format: 'raw', compressed: false }
    const ct = keys.encrypt(data, ctx)
    expect(ct.length).toBe(size + 28)
    expect(keys.decrypt(ct, ctx).equals(data)).toBe(true)
  })

  it('keeps results independent of each other and of the scratch', () => {
    const a = storage.retrieve(storage.store(Buffer.from('first value'))).data
    const b = storage.retrieve(storage.store(Buffer.from('second value!'))).data
    expect(a.toString()).toBe('first value')
    expect(b.toString()).toBe('second value!')
  })

  it('carries non-ASCII and very long format names', () => {
    for (const format of ['msgpack', 'формат-ü', 'f'.repeat(300), '']) {
      const env = storage.store(Buffer.from('x'), format)
      expect(storage.retrieve(env).format).toBe(format)
      if (format !== '') {
        expect(
          keys.open(keys.seal(Buffer.from('x'), { cacheKey: 'k', format }), { cacheKey: 'k', format }).format,
        ).toBe(format)
      }
    }
  })
})

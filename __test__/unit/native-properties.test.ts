import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteStorage, CachekitError, DecryptionError, IntegrityError, TenantKeys } from '../../src/index.js'

const storage = new ByteStorage()
const keys = TenantKeys.derive('42'.repeat(32), 'props')

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat({ max: 500 }))
    .map(([unit, n]) => new Uint8Array(Buffer.concat(Array.from({ length: n }, () => Buffer.from(unit))))),
)

describe('native core properties (fast-check)', () => {
  it('store/retrieve round-trips any bytes and any format string', () => {
    fc.assert(
      fc.property(payload, fc.string({ maxLength: 64 }), (data, format) => {
        const { data: out, format: f } = storage.retrieve(storage.store(data, format))
        expect(Buffer.compare(out, data)).toBe(0)
        expect(f).toBe(format)
      }),
      { numRuns: 300 },
    )
  })

  it('seal/open round-trips any bytes under any cache key', () => {
    fc.assert(
      fc.property(payload, fc.string({ minLength: 1, maxLength: 80 }), (data, cacheKey) => {
        const { data: out } = keys.open(keys.seal(data, { cacheKey }), { cacheKey })
        expect(Buffer.compare(out, data)).toBe(0)
      }),
      { numRuns: 200 },
    )
  })

  it('a single bit flip anywhere in an envelope is an IntegrityError or the original data', () => {
    fc.assert(
      fc.property(payload, fc.nat(), (data, at) => {
        const envelope = storage.store(data)
        const bit = at % (envelope.length * 8)
        const bad = Buffer.from(envelope)
        bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7))
        try {
          const { data: out } = storage.retrieve(bad)
          // only a flip in the format name can leave the payload readable, and then it is intact
          expect(Buffer.compare(out, data)).toBe(0)
        } catch (err) {
          expect(err).toBeInstanceOf(CachekitError)
          expect(err instanceof IntegrityError || (err as CachekitError).code === 'INPUT_TOO_LARGE').toBe(
            true,
          )
        }
      }),
      { numRuns: 500 },
    )
  })

  it('every truncation of an envelope is refused with a typed error', () => {
    const envelope = storage.store(
      Buffer.from(JSON.stringify({ user: 42, name: 'cachekit', tags: ['a', 'b'] })),
    )
    for (let n = 0; n < envelope.length; n++) {
      expect(() => storage.retrieve(envelope.subarray(0, n))).toThrow(IntegrityError)
    }
  })

  it('every bit flip and truncation of a ciphertext fails authentication', () => {
    const context = { cacheKey: 'users:42', format: 'msgpack', compressed: false }
    const sealed = keys.encrypt(Buffer.from('never returned altered'), context)
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const bad = Buffer.from(sealed)
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7))
      expect(() => keys.decrypt(bad, context)).toThrow(DecryptionError)
    }
    for (let n = 0; n < sealed.length; n++) {
      expect(() => keys.decrypt(sealed.subarray(0, n), context)).toThrow(DecryptionError)
    }
  })
})

import { describe, expect, it } from 'vitest'
import {
  DecryptionError,
  KeyError,
  MalformedEnvelopeError,
  TenantKeys,
  validateMsgpack,
} from '../../src/index.js'
import { hex, type Json, loadVectors, named } from '../support/vectors.js'

const doc = loadVectors('encryption.json')
const ctx = (v: Json) => ({
  cacheKey: v.cache_key as string,
  format: v.format as string,
  compressed: v.compressed as boolean,
  ...(v.original_type === undefined ? {} : { originalType: v.original_type as string }),
})

describe('encryption.json through the Node binding', () => {
  const keys = TenantKeys.derive(doc.master_key_hex, doc.tenant_id)

  it('derives the pinned fingerprint', () => {
    expect(keys.fingerprint).toBe(doc.derived_key_fingerprint_hex)
    expect(keys.tenant).toBe(doc.tenant_id)
  })

  it.each(named(doc.vectors))('decrypts %s and round-trips it', (_n, v: Json) => {
    expect(keys.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
    const sealed = keys.encrypt(hex(v.plaintext_hex), ctx(v))
    expect(sealed.length).toBe(v.ciphertext_hex.length / 2)
    expect(keys.decrypt(sealed, ctx(v)).toString('hex')).toBe(v.plaintext_hex)
  })

  it.each(named(doc.aad_reject_vectors))('refuses %s', (_n, v: Json) => {
    expect(() => keys.decrypt(hex(v.ciphertext_hex), ctx(v))).toThrow(DecryptionError)
  })

  it.each(named(doc.decrypted_container.vectors))(
    'never unwraps container %s with the wrong reader',
    (_n, v: Json) => {
      const plain = keys.decrypt(hex(v.ciphertext_hex), ctx(v))
      expect(plain.toString('hex')).toBe(v.plaintext_hex)
      if (v.reader === 'plain_msgpack') {
        // one document: the envelope array itself, not the map inside it
        expect(validateMsgpack(plain)).toBe(plain.length)
      } else if (v.reader === 'interop') {
        expect(() => validateMsgpack(plain)).toThrow()
      } else if (v.reader === 'bytestorage_envelope') {
        expect(() => keys.open(hex(v.ciphertext_hex), { cacheKey: v.cache_key, format: v.format })).toThrow(
          MalformedEnvelopeError,
        )
      }
    },
  )

  it('decrypts keyring entries with the current or a previous key', () => {
    const kr = doc.keyring
    const [k1, k2] = kr.entries
    const ring12 = TenantKeys.derive(k1.master_key_hex, kr.tenant_id, { previousKeys: [k2.master_key_hex] })
    const ring21 = TenantKeys.derive(k2.master_key_hex, kr.tenant_id, { previousKeys: [k1.master_key_hex] })
    expect(ring12.fingerprint).toBe(k1.derived_key_fingerprint_hex)
    expect(ring12.previousFingerprints).toEqual([k2.derived_key_fingerprint_hex])
    for (const v of kr.vectors) {
      expect(ring12.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
      expect(ring21.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
    }
    const onlyK2 = TenantKeys.derive(k2.master_key_hex, kr.tenant_id)
    expect(() => onlyK2.decrypt(hex(kr.vectors[0].ciphertext_hex), ctx(kr.vectors[0]))).toThrow(
      DecryptionError,
    )
  })

  it.each(named(doc.keyring.configuration.vectors))('keyring configuration %s', (_n, v: Json) => {
    const load = () =>
      TenantKeys.derive(v.current_master_key_hex, 'default', {
        previousKeys: v.decrypt_only_master_keys_hex,
      })
    if (v.verdict === 'accept') expect(load).not.toThrow()
    else expect(load).toThrow(KeyError)
  })

  it('uses the literal "default" tenant when none is given', () => {
    const dt = doc.default_tenant
    const k = TenantKeys.derive(doc.master_key_hex)
    expect(k.tenant).toBe('default')
    expect(k.fingerprint).toBe(dt.derived_key_fingerprint_hex)
    const v = dt.vectors[0]
    expect(k.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
  })

  it('applies the master key input rules to hex and raw keys', () => {
    const mki = doc.master_key_input
    for (const v of mki.accept_vectors) {
      const fromHex = TenantKeys.derive(v.master_key_hex)
      const fromRaw = TenantKeys.derive(hex(v.master_key_hex))
      expect(fromHex.fingerprint).toBe(v.derived_key_fingerprint_hex)
      expect(fromRaw.fingerprint).toBe(v.derived_key_fingerprint_hex)
      expect(fromHex.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
    }
    for (const v of mki.reject_vectors) {
      expect(() => TenantKeys.derive(v.master_key_hex), v.name).toThrow(KeyError)
    }
    for (const v of mki.raw_reject_vectors) {
      expect(() => TenantKeys.derive(hex(v.raw_key_hex)), v.name).toThrow(KeyError)
    }
  })
})

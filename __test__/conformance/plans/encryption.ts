import { expect } from 'vitest'
import {
  ByteStorage,
  DecryptionError,
  KeyError,
  MalformedEnvelopeError,
  TenantKeys,
  validateMsgpack,
} from '../../../src/index.js'
import type { FilePlan, RowCheck } from '../../support/conformance.js'
import { hex, type Json } from '../../support/vectors.js'

interface Context {
  cacheKey: string
  format: string
  compressed: boolean
  originalType?: string
}

/** The AAD context a row names, as the binding takes it. */
const ctx = (v: Json): Context => ({
  cacheKey: v.cache_key as string,
  format: v.format as string,
  compressed: v.compressed as boolean,
  ...(v.original_type === undefined ? {} : { originalType: v.original_type as string }),
})

/** AAD v0x03: the version byte, then `u32be(len) ‖ utf8` per component. */
function aadComponents(aadHex: string): string[] {
  const aad = hex(aadHex)
  expect(aad[0]).toBe(0x03)
  const parts: string[] = []
  let at = 1
  while (at < aad.length) {
    const len = aad.readUInt32BE(at)
    parts.push(aad.subarray(at + 4, at + 4 + len).toString('utf8'))
    at += 4 + len
  }
  expect(at).toBe(aad.length)
  return parts
}

/**
 * The binding does not expose its AAD builder, so `aad_hex` is checked as the AAD of the context the
 * binding is given: its components are the tenant and the row's context, in order. Decrypting under
 * that context (the other checks) then proves the binding builds these bytes; Rust compares them
 * directly (crates/core/tests/encryption.rs).
 */
const aadPinned = (tenantOf: (doc: Json) => string): RowCheck => ({
  title: 'pins for %s the AAD of the tenant and context the binding is given',
  run: (v: Json, doc: Json) => {
    const c = ctx(v)
    const expected = [tenantOf(doc), c.cacheKey, c.format, c.compressed ? 'True' : 'False']
    if (c.originalType !== undefined) expected.push(c.originalType)
    expect(aadComponents(v.aad_hex)).toEqual(expected)
  },
})

/** One context per AAD component, each differing from the row's in that component only. */
function oneComponentOff(c: Context): Array<[string, Context]> {
  const { originalType, ...four } = c
  return [
    ['cache key', { ...c, cacheKey: `${c.cacheKey}:other` }],
    ['format', { ...c, format: c.format === 'msgpack' ? 'json' : 'msgpack' }],
    ['compressed flag', { ...c, compressed: !c.compressed }],
    originalType === undefined
      ? ['original type added', { ...c, originalType: 'msgpack' }]
      : ['original type removed', four],
  ]
}

const mainKeys = (doc: Json) => TenantKeys.derive(doc.master_key_hex, doc.tenant_id)
const mainTenant = (doc: Json) => doc.tenant_id as string
const storage = new ByteStorage()

export const encryptionPlan: FilePlan = {
  file: 'encryption.json',
  checks: {
    vectors: [
      aadPinned(mainTenant),
      {
        title: 'decrypts %s, and seals its plaintext to a ciphertext of the same length that decrypts back',
        run: (v: Json, doc: Json) => {
          const keys = mainKeys(doc)
          expect(keys.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
          const sealed = keys.encrypt(hex(v.plaintext_hex), ctx(v))
          expect(sealed.length).toBe(v.ciphertext_hex.length / 2)
          expect(keys.decrypt(sealed, ctx(v)).toString('hex')).toBe(v.plaintext_hex)
        },
      },
      {
        title: 'refuses %s under a tenant or context that differs in one AAD component',
        run: (v: Json, doc: Json) => {
          const keys = mainKeys(doc)
          const otherTenant = TenantKeys.derive(doc.master_key_hex, `${doc.tenant_id}-other`)
          expect(() => otherTenant.decrypt(hex(v.ciphertext_hex), ctx(v)), 'tenant').toThrow(DecryptionError)
          for (const [component, c] of oneComponentOff(ctx(v))) {
            expect(() => keys.decrypt(hex(v.ciphertext_hex), c), component).toThrow(DecryptionError)
          }
        },
      },
    ],
    aad_reject_vectors: [
      aadPinned(mainTenant),
      {
        title: 'refuses %s, whose ciphertext decrypts only under the context it was sealed with',
        run: (v: Json, doc: Json) => {
          const keys = mainKeys(doc)
          const source = (doc.vectors as Json[]).find((s) => s.name === v.sealed_as)
          expect(source?.ciphertext_hex).toBe(v.ciphertext_hex)
          expect(keys.decrypt(hex(v.ciphertext_hex), ctx(source)).toString('hex')).toBe(source.plaintext_hex)
          expect(() => keys.decrypt(hex(v.ciphertext_hex), ctx(v))).toThrow(DecryptionError)
        },
      },
    ],
    'decrypted_container.vectors': [
      aadPinned(mainTenant),
      {
        title: 'decrypts container %s and never unwraps it with the wrong reader',
        run: (v: Json, doc: Json) => {
          const keys = mainKeys(doc)
          const plain = keys.decrypt(hex(v.ciphertext_hex), ctx(v))
          expect(plain.toString('hex')).toBe(v.plaintext_hex)
          if (v.reader === 'plain_msgpack') {
            // one document: the envelope array itself, not the map inside it
            expect(validateMsgpack(plain)).toBe(plain.length)
          } else if (v.reader === 'interop') {
            expect(() => validateMsgpack(plain)).toThrow()
          } else if (v.reader === 'bytestorage_envelope') {
            expect(() =>
              keys.open(hex(v.ciphertext_hex), { cacheKey: v.cache_key, format: v.format }),
            ).toThrow(MalformedEnvelopeError)
          } else {
            // cachekit-py's checksummed arrow/orjson containers: this package does not read them, and
            // its envelope reader refuses their plaintext
            expect(() => storage.retrieve(plain)).toThrow(MalformedEnvelopeError)
          }
        },
      },
    ],
    'keyring.entries': [
      {
        title: 'derives the pinned fingerprint of keyring entry %s',
        run: (e: Json, doc: Json) => {
          expect(TenantKeys.derive(e.master_key_hex, doc.keyring.tenant_id).fingerprint).toBe(
            e.derived_key_fingerprint_hex,
          )
        },
      },
    ],
    'keyring.vectors': [
      aadPinned((doc) => doc.keyring.tenant_id),
      {
        title: 'decrypts %s with its key current or previous, and refuses it without that key',
        run: (v: Json, doc: Json) => {
          const kr = doc.keyring
          const sealer = (kr.entries as Json[]).find((e) => e.id === v.encrypted_with)
          const other = (kr.entries as Json[]).find((e) => e.id !== v.encrypted_with)
          expect(sealer.derived_key_fingerprint_hex).toBe(v.key_fingerprint_hex)
          const current = TenantKeys.derive(sealer.master_key_hex, kr.tenant_id, {
            previousKeys: [other.master_key_hex],
          })
          const previous = TenantKeys.derive(other.master_key_hex, kr.tenant_id, {
            previousKeys: [sealer.master_key_hex],
          })
          expect(previous.previousFingerprints).toEqual([v.key_fingerprint_hex])
          for (const keys of [current, previous]) {
            expect(keys.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
          }
          const without = TenantKeys.derive(other.master_key_hex, kr.tenant_id)
          expect(() => without.decrypt(hex(v.ciphertext_hex), ctx(v))).toThrow(DecryptionError)
        },
      },
    ],
    'keyring.configuration.vectors': [
      {
        title: 'judges keyring configuration %s as the row says, at load',
        run: (v: Json) => {
          const load = () =>
            TenantKeys.derive(v.current_master_key_hex, 'default', {
              previousKeys: v.decrypt_only_master_keys_hex,
            })
          if (v.verdict === 'accept') expect(load).not.toThrow()
          else expect(load).toThrow(KeyError)
        },
      },
    ],
    'default_tenant.vectors': [
      aadPinned((doc) => doc.default_tenant.tenant_id),
      {
        title: 'decrypts %s with keys derived without a tenant (the literal "default")',
        run: (v: Json, doc: Json) => {
          const keys = TenantKeys.derive(doc.master_key_hex)
          expect(keys.tenant).toBe('default')
          expect(keys.fingerprint).toBe(doc.default_tenant.derived_key_fingerprint_hex)
          expect(keys.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
        },
      },
    ],
    'master_key_input.accept_vectors': [
      aadPinned((doc) => doc.master_key_input.tenant_id),
      {
        title: 'accepts master key %s as hex and as raw bytes, and decrypts its entry',
        run: (v: Json) => {
          const fromHex = TenantKeys.derive(v.master_key_hex)
          const fromRaw = TenantKeys.derive(hex(v.master_key_hex))
          expect(fromHex.fingerprint).toBe(v.derived_key_fingerprint_hex)
          expect(fromRaw.fingerprint).toBe(v.derived_key_fingerprint_hex)
          expect(fromHex.decrypt(hex(v.ciphertext_hex), ctx(v)).toString('hex')).toBe(v.plaintext_hex)
        },
      },
    ],
    'master_key_input.reject_vectors': [
      {
        title: 'refuses master key %s given as hex',
        run: (v: Json) => {
          expect(() => TenantKeys.derive(v.master_key_hex)).toThrow(KeyError)
        },
      },
    ],
    'master_key_input.raw_reject_vectors': [
      {
        title: 'refuses master key %s given as raw bytes',
        run: (v: Json) => {
          expect(() => TenantKeys.derive(hex(v.raw_key_hex))).toThrow(KeyError)
        },
      },
    ],
  },
}

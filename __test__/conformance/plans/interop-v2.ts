import { isDeepStrictEqual } from 'node:util'
import { expect } from 'vitest'
import { InteropV2SealedEnvelope, readInteropV2, writeInteropV2 } from '../../../src/envelope/index.js'
import { CachekitError, IntegrityError, TenantKeys } from '../../../src/index.js'
import { canonicalInteropValue } from '../../../src/serializers/canonical-msgpack.js'
import { decodeInteropValue } from '../../../src/serializers/interop-decode.js'
import type { FilePlan } from '../../support/conformance.js'
import { fromTagged } from '../../support/tagged-json.js'
import { construct, hex, type Json } from '../../support/vectors.js'

const asBool = (v: unknown) => v === true || v === 'True'

/** The context an AAD v0x03 encodes: 0x03, then u32be length + UTF-8 of tenant, key, format, flag. */
function contextOf(aadHex: string): {
  tenant: string
  cacheKey: string
  format: string
  compressed: boolean
} {
  const aad = hex(aadHex)
  expect(aad[0]).toBe(0x03)
  const parts: string[] = []
  for (let at = 1; at < aad.length; ) {
    const n = aad.readUInt32BE(at)
    parts.push(aad.subarray(at + 4, at + 4 + n).toString('utf8'))
    at += 4 + n
  }
  expect(parts).toHaveLength(4)
  const [tenant, cacheKey, format, flag] = parts as [string, string, string, string]
  return { tenant, cacheKey, format, compressed: flag === 'True' }
}

export const interopV2Plan: FilePlan = {
  file: 'interop-v2.json',
  checks: {
    container_vectors: [
      {
        title: 'reads %s as the pinned value bytes and value',
        run: (v: Json) => {
          const inner = readInteropV2(hex(v.container_hex))
          expect(inner.toString('hex')).toBe(v.value_msgpack_hex)
          expect(isDeepStrictEqual(decodeInteropValue(inner), fromTagged(v.value))).toBe(true)
        },
      },
      {
        title: 'writes %s as a container that reads back to the same bytes (LZ4 only when smaller)',
        run: (v: Json) => {
          const value = canonicalInteropValue(fromTagged(v.value))
          expect(value.toString('hex')).toBe(v.value_msgpack_hex)
          const written = writeInteropV2(value)
          expect(readInteropV2(written).equals(value)).toBe(true)
          const compressible = v.name === 'lz4_roundtrip_compressible'
          // Method 1 only where LZ4 is smaller (the draft says writers SHOULD use method 0 otherwise).
          expect(written[3]).toBe(compressible ? 1 : 0)
          if (compressible) expect(written.length).toBeLessThan(value.length)
          if (v.name === 'method0_issue_example') expect(written.toString('hex')).toBe(v.container_hex)
        },
      },
    ],
    constructed_container_vectors: [
      {
        title: 'reads %s (1000 x payload length beyond 32 bits, computed without overflow)',
        run: (v: Json) => {
          const container = construct(v.container_construction)
          expect(container.length).toBe(Number(v.container_len))
          expect(readInteropV2(container).equals(construct(v.value_construction))).toBe(true)
        },
      },
    ],
    reject_vectors: [
      {
        title: 'refuses %s',
        run: (v: Json) => {
          expect(() => readInteropV2(hex(v.container_hex))).toThrow(IntegrityError)
        },
      },
    ],
    aad_vectors: [
      {
        title:
          '%s: the AAD (not exposed by the binding) differs from v1 only in "True": a v2 ciphertext opens only under it',
        run: (v: Json, doc: Json) => {
          const e = doc.encryption_vectors[0]
          const keys = TenantKeys.derive(e.master_key_hex, v.tenant_id)
          const context = { cacheKey: v.cache_key, format: v.format, compressed: asBool(v.compressed) }
          expect(keys.decrypt(hex(e.ciphertext_hex), context).toString('hex')).toBe(e.plaintext_hex)
          expect(() => keys.decrypt(hex(e.ciphertext_hex), { ...context, compressed: false })).toThrow(
            CachekitError,
          )
        },
      },
    ],
    encryption_vectors: [
      {
        title: 'opens %s through the v2 envelope',
        run: (v: Json) => {
          expect(TenantKeys.derive(v.master_key_hex, v.tenant_id).fingerprint).toBe(
            v.derived_key_fingerprint_hex,
          )
          const envelope = new InteropV2SealedEnvelope({ masterKey: v.master_key_hex, tenant: v.tenant_id })
          const { data } = envelope.unwrap(hex(v.ciphertext_hex), v.format, v.cache_key)
          expect(data.equals(readInteropV2(hex(v.plaintext_hex)))).toBe(true)
        },
      },
    ],
    crypto_reject_vectors: [
      {
        title: "refuses %s, which opens only under the other mode's flag",
        run: (v: Json) => {
          const keys = TenantKeys.derive(v.master_key_hex, v.tenant_id)
          const context = contextOf(v.aad_hex)
          expect(context.tenant).toBe(v.tenant_id)
          const { tenant: _tenant, ...given } = context
          expect(() => keys.decrypt(hex(v.ciphertext_hex), given)).toThrow(CachekitError)
          expect(() =>
            keys.decrypt(hex(v.ciphertext_hex), { ...given, compressed: !given.compressed }),
          ).not.toThrow()
        },
      },
    ],
  },
}

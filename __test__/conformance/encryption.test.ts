import { describe, expect, it } from 'vitest'
import { TenantKeys } from '../../src/index.js'
import { loadVectors } from '../support/vectors.js'

// Row by row the file runs through plans/encryption.ts; these are its document-level facts.
const doc = loadVectors('encryption.json')

describe('encryption.json, document level', () => {
  it('derives the pinned fingerprint of the main master key and tenant', () => {
    const keys = TenantKeys.derive(doc.master_key_hex, doc.tenant_id)
    expect(keys.fingerprint).toBe(doc.derived_key_fingerprint_hex)
    expect(keys.tenant).toBe(doc.tenant_id)
  })
})

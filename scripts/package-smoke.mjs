// Run inside a fresh project that installed the packed cachekit tarballs (see test-package.sh).
import assert from 'node:assert/strict'
import { ByteStorage, checksumHex, TenantKeys } from 'cachekit'

const value = Buffer.from(JSON.stringify({ user: 42, name: 'cachekit', from: 'esm' }))
const storage = new ByteStorage()
assert.deepEqual(storage.retrieve(storage.store(value)).data, value)
const keys = TenantKeys.derive('61'.repeat(32), 'cross-sdk-test')
assert.equal(keys.fingerprint, '96179a9bc881aa7ca83f04b78a66afd3')
assert.deepEqual(keys.open(keys.seal(value, { cacheKey: 'k' }), { cacheKey: 'k' }).data, value)
assert.equal(checksumHex(Buffer.alloc(0)), '2d06800538d394c2')
console.log('esm: ok')

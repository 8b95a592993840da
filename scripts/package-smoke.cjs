// Run inside a fresh project that installed the packed cachekit tarballs (see test-package.sh).
const assert = require('node:assert/strict')
const { ByteStorage, CachekitError, TenantKeys } = require('cachekit')

const value = Buffer.from(JSON.stringify({ user: 42, name: 'cachekit', from: 'cjs' }))
const storage = new ByteStorage()
assert.deepEqual(storage.retrieve(storage.store(value)).data, value)
const keys = TenantKeys.derive(Buffer.alloc(32, 0x61), 'cross-sdk-test')
assert.equal(keys.fingerprint, '96179a9bc881aa7ca83f04b78a66afd3')
assert.throws(
  () => storage.retrieve(Buffer.from([0x94])),
  (err) => err instanceof CachekitError && err.code === 'MALFORMED_ENVELOPE',
)
console.log('cjs: ok')

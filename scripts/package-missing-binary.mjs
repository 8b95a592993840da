// Run in a project that installed cachekit without its platform package (see test-package.sh).
import assert from 'node:assert/strict'

try {
  await import('cachekit')
  assert.fail('cachekit loaded without a native binary')
} catch (err) {
  assert.equal(err.name, 'NativeLoadError', String(err))
  assert.equal(err.code, 'NATIVE_LOAD_FAILED')
  assert.match(err.message, new RegExp(`${process.platform}-${process.arch}`))
  assert.match(err.message, /npm install cachekit --include=optional/)
  console.log(`missing binary: ok (${err.message.slice(0, 90)}...)`)
}

// The training workload for the profile-guided build: the cache's hot paths at typical sizes.
// Loads the binding directly (the instrumented build), not dist/.
import { createRequire } from 'node:module'
import { jsonBytes, randomData, SIZES } from './data.mjs'

const native = createRequire(import.meta.url)('../native/binding.cjs')
const storage = new native.ByteStorage()
const keys = native.TenantKeys.derive('61'.repeat(32), 'pgo')
const ctx = { cacheKey: 'pgo:key', format: 'msgpack', compressed: false }
for (const make of [jsonBytes, randomData]) {
  for (const [, size] of SIZES) {
    const data = make(size)
    const rounds = Math.max(20, Math.floor(20_000_000 / (size + 1000)))
    for (let i = 0; i < rounds; i++) {
      storage.retrieve(storage.store(data))
      keys.open(keys.seal(data, { cacheKey: 'pgo:key' }), { cacheKey: 'pgo:key' })
      keys.decrypt(keys.encrypt(data, ctx), ctx)
      native.checksum(data)
    }
  }
}
console.log('training done')

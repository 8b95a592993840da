import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

// Each scenario runs in its own Node process: before the async tasks owned their input, shrinking
// or detaching the caller's buffer while a task ran crashed the process (SIGSEGV), which would
// take the test worker down with it instead of failing one test. The child uses the binding the
// `src/native` facade forwards these calls to unchanged.
const binding = createRequire(import.meta.url).resolve('../../native/binding.cjs')

const CHILD = `
const b = require(process.env.CK_BINDING)
const [call, mutation] = process.argv.slice(1)
const size = 8 * 1024 * 1024
const storage = new b.ByteStorage()
const keys = b.TenantKeys.derive('ab'.repeat(32), 'async-input')
const ctx = { cacheKey: 'k', format: 'msgpack', compressed: false }
const value = Buffer.alloc(size)
for (let i = 0; i < size; i += 4) value.writeUInt32LE((i * 2654435761) >>> 0, i)
const input = {
  storeAsync: value, retrieveAsync: storage.store(value), sealAsync: value,
  openAsync: keys.seal(value, { cacheKey: 'k' }), encryptAsync: value, decryptAsync: keys.encrypt(value, ctx),
}[call]
const start = {
  storeAsync: (v) => storage.storeAsync(v), retrieveAsync: (v) => storage.retrieveAsync(v),
  sealAsync: (v) => keys.sealAsync(v, { cacheKey: 'k' }), openAsync: (v) => keys.openAsync(v, { cacheKey: 'k' }),
  encryptAsync: (v) => keys.encryptAsync(v, ctx), decryptAsync: (v) => keys.decryptAsync(v, ctx),
}[call]
// What each call's result must be when computed from the bytes it was given.
const original = {
  storeAsync: (r) => storage.retrieve(r).data, retrieveAsync: (r) => r.data,
  sealAsync: (r) => keys.open(r, { cacheKey: 'k' }).data, openAsync: (r) => r.data,
  encryptAsync: (r) => keys.decrypt(r, ctx), decryptAsync: (r) => r,
}[call]
const ab = new ArrayBuffer(input.length, { maxByteLength: input.length })
const view = new Uint8Array(ab)
view.set(input)
const pending = start(view)
if (mutation === 'shrink') {
  ab.resize(0)
} else {
  const moved = new Uint8Array(structuredClone(ab, { transfer: [ab] }))
  moved.fill(0xee)
}
// Churn the heap so freed memory is reused while the task runs.
const churn = []
for (let i = 0; i < 64; i++) churn.push(Buffer.alloc(1024 * 1024, i))
pending.then(
  (result) => console.log(Buffer.compare(original(result), value) === 0 ? 'same-bytes' : 'different-bytes'),
  (err) => console.log('rejected ' + err.message),
)
`

function runChild(call: string, mutation: 'shrink' | 'detach'): string {
  const child = spawnSync(process.execPath, ['-e', CHILD, call, mutation], {
    env: { ...process.env, CK_BINDING: binding },
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (child.signal !== null || child.status !== 0) {
    return `crashed (signal ${child.signal}, status ${child.status}): ${child.stderr.slice(0, 400)}`
  }
  return child.stdout.trim()
}

const CALLS = ['storeAsync', 'retrieveAsync', 'sealAsync', 'openAsync', 'encryptAsync', 'decryptAsync']

describe('async native calls own their input', () => {
  it.each(CALLS)('%s computes from the bytes at call time when the resizable buffer shrinks to 0', (call) => {
    expect(runChild(call, 'shrink')).toBe('same-bytes')
  })

  it.each(CALLS)('%s computes from the bytes at call time when the buffer is transferred away', (call) => {
    expect(runChild(call, 'detach')).toBe('same-bytes')
  })
})

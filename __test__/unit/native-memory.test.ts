import { describe, expect, it } from 'vitest'
import { ByteStorage, DecompressionBombError, InputTooLargeError } from '../../src/index.js'

/** An envelope whose few bytes declare `declared` original bytes. */
function hostile(declared: number): Buffer {
  const block = Buffer.from([0x50, 0, 0, 0, 0, 0])
  const size = Buffer.alloc(5)
  size[0] = 0xce
  size.writeUInt32BE(declared, 1)
  return Buffer.concat([
    Buffer.from([0x94, 0xc4, block.length]),
    block,
    Buffer.from([0x98, 0, 0, 0, 0, 0, 0, 0, 0]),
    size,
    Buffer.from([0xa7]),
    Buffer.from('msgpack'),
  ])
}

describe('hostile size claims', () => {
  it('refuses an envelope declaring 512 MiB from a few bytes without allocating it', () => {
    const storage = new ByteStorage()
    const envelope = hostile(512 * 1024 * 1024)
    global.gc?.()
    const before = process.memoryUsage()
    for (let i = 0; i < 50; i++) {
      expect(() => storage.retrieve(envelope)).toThrow(DecompressionBombError)
    }
    const after = process.memoryUsage()
    // 50 allocations of 512 MiB would show as gigabytes; allow ordinary noise
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024)
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024)
    expect(() => storage.retrieve(hostile(0xffffffff))).toThrow(InputTooLargeError)
  })
})

describe('large results', () => {
  it('are garbage-collected like ordinary Buffers (memory stays bounded in a tight loop)', () => {
    const storage = new ByteStorage()
    const value = Buffer.alloc(1024 * 1024, 7)
    // 1 MiB of zeros-ish compresses to ~4 KiB; random-ish bytes keep the envelope above the scratch size
    for (let i = 0; i < value.length; i += 4) value.writeUInt32LE((i * 2654435761) >>> 0, i)
    const before = process.memoryUsage().rss
    let peak = before
    for (let i = 0; i < 1500; i++) {
      const envelope = storage.store(value)
      expect(envelope.length).toBeGreaterThan(64 * 1024)
      if (i % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss)
    }
    // 1500 MiB of results were created; unaccounted native memory would keep most of it alive
    expect(peak - before).toBeLessThan(512 * 1024 * 1024)
  })
})

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ByteStorage, DecompressionBombError, InputTooLargeError } from '../../src/index.js'

const BINDING = createRequire(import.meta.url).resolve('../../native/binding.cjs')

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

/** A bin32 envelope around ~600 KiB of bytes that are no LZ4 block, declaring 512 MiB: within the
 * protocol's 1000:1 ratio, far beyond the 255:1 an LZ4 block can encode. */
function garbageClaiming512MiB(): Buffer {
  const block = Buffer.alloc(600 * 1024)
  for (let i = 0; i < block.length; i++) block[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff
  const head = Buffer.from([0x94, 0xc6, 0, 0, 0, 0])
  head.writeUInt32BE(block.length, 2)
  const size = Buffer.from([0xce, 0, 0, 0, 0])
  size.writeUInt32BE(512 * 1024 * 1024, 1)
  return Buffer.concat([
    head,
    block,
    Buffer.from([0x98, 0, 0, 0, 0, 0, 0, 0, 0]),
    size,
    Buffer.from([0xa7]),
    Buffer.from('msgpack'),
  ])
}

describe('hostile size claims', () => {
  it('refuses an envelope declaring 512 MiB from a few bytes (the 1000:1 ratio) and above 512 MiB', () => {
    const storage = new ByteStorage()
    expect(() => storage.retrieve(hostile(512 * 1024 * 1024))).toThrow(DecompressionBombError)
    expect(() => storage.retrieve(hostile(0xffffffff))).toThrow(InputTooLargeError)
  })

  it('refuses a 600 KiB garbage block claiming 512 MiB as a bomb, sync and async', async () => {
    const storage = new ByteStorage()
    expect(() => storage.retrieve(garbageClaiming512MiB())).toThrow(DecompressionBombError)
    await expect(storage.retrieveAsync(garbageClaiming512MiB())).rejects.toBeInstanceOf(
      DecompressionBombError,
    )
  })

  it('never brings the 512 MiB it claims into memory (peak resident size of a fresh process)', () => {
    // Peak RSS is a high-water mark, so an allocation that was zero-filled and freed again still
    // shows; a fresh process keeps the baseline free of what other tests allocated. That nothing
    // of the declared size is allocated at all is counted in crates/core/tests/allocation_bounds.rs.
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-bomb-'))
    const file = join(dir, 'envelope.bin')
    writeFileSync(file, garbageClaiming512MiB())
    const script = `
      const envelope = require('node:fs').readFileSync(process.env.CK_ENVELOPE)
      const storage = new (require(process.env.CK_BINDING).ByteStorage)()
      const before = process.resourceUsage().maxRSS
      let code = 'none'
      for (let i = 0; i < 3; i++) {
        try { storage.retrieve(envelope) } catch (err) { code = err.message.split(':')[0] }
      }
      console.log(JSON.stringify({ code, growthKiB: process.resourceUsage().maxRSS - before }))`
    try {
      const child = spawnSync(process.execPath, ['-e', script], {
        env: { ...process.env, CK_BINDING: BINDING, CK_ENVELOPE: file },
        encoding: 'utf8',
      })
      expect(child.status, child.stderr).toBe(0)
      const { code, growthKiB } = JSON.parse(child.stdout) as { code: string; growthKiB: number }
      expect(growthKiB).toBeLessThan(64 * 1024)
      expect(code).toBe('DECOMPRESSION_BOMB')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
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

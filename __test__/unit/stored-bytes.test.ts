import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { DecryptionError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'

/** Byte ranges of a bin-encoded ByteStorage envelope: [compressed data, checksum, original size, format]. */
function layout(envelope: Buffer) {
  let at = 1 // fixarray(4)
  const bin = envelope[at] as number
  const lengthBytes = bin === 0xc4 ? 1 : bin === 0xc5 ? 2 : 4
  const length = envelope.readUIntBE(at + 1, lengthBytes)
  const data = { start: at + 1 + lengthBytes, end: at + 1 + lengthBytes + length }
  at = data.end + 1 // fixarray(8)
  const checksum = { start: at, end: at }
  for (let i = 0; i < 8; i++) checksum.end += (envelope[checksum.end] as number) === 0xcc ? 2 : 1
  at = checksum.end
  const head = envelope[at] as number
  const size = { start: at, end: at + (head < 0x80 ? 1 : head === 0xcc ? 2 : head === 0xcd ? 3 : 5) }
  return { data, checksum, size, format: { start: size.end, end: envelope.length } }
}

const quiet = () => ({ warn: vi.fn() })

async function storedEntry<T>(namespace: string, value: T, serializer = 'msgpack') {
  const backend = new MemoryBackend()
  let result: unknown = value
  const load = async () => result
  const get = cache(load, {
    namespace,
    backend,
    l1: false,
    serializer: serializer as 'msgpack',
    logger: quiet(),
  })
  await get()
  result = serializer === 'raw' ? Buffer.from('recomputed') : 'recomputed'
  const key = get.key()
  return { backend, get, key, stored: (await backend.get(key)) as Buffer }
}

describe('a corrupt entry is a miss, deleted, counted: wherever the damage is', () => {
  for (const region of ['data', 'checksum', 'size', 'format'] as const) {
    it(`a flipped byte in the ${region}`, async () => {
      const { backend, get, key, stored } = await storedEntry(`corrupt-${region}`, {
        list: [1, 2, 3],
        s: 'abc',
      })
      const range = layout(stored)[region]
      expect(range.end).toBeGreaterThan(range.start)
      const damaged = Buffer.from(stored)
      const at = Math.floor((range.start + range.end) / 2)
      damaged[at] = (damaged[at] as number) ^ 0x41
      await backend.set(key, damaged, 60)
      expect(await get()).toBe('recomputed')
      expect(get.info()).toMatchObject({ integrityErrors: 1, l2Hits: 0 })
      // The recomputed value replaced the damaged entry.
      expect(Buffer.compare((await backend.get(key)) as Buffer, damaged)).not.toBe(0)
    })
  }

  it('every single-byte flip of an envelope gives the stored value or a recomputation, never other data', async () => {
    const { backend, get, key, stored } = await storedEntry('corrupt-every', { id: 7, tags: ['a', 'b'] })
    let refused = 0
    for (let at = 0; at < stored.length; at++) {
      const damaged = Buffer.from(stored)
      damaged[at] = (damaged[at] as number) ^ 0x01
      await backend.set(key, damaged, 60)
      const value = await get()
      if (value === 'recomputed') refused++
      else expect(value).toEqual({ id: 7, tags: ['a', 'b'] })
    }
    expect(refused).toBeGreaterThan(stored.length - 3)
    expect(get.info().integrityErrors).toBe(refused)
  })

  it('values over 64 KiB (the path that bypasses the scratch buffer) are checked as strictly', async () => {
    const payload = randomBytes(96 * 1024)
    for (const region of ['data', 'checksum'] as const) {
      const { backend, get, key, stored } = await storedEntry(`corrupt-large-${region}`, payload, 'raw')
      expect(stored.length).toBeGreaterThan(64 * 1024)
      const range = layout(stored)[region]
      const damaged = Buffer.from(stored)
      const at = Math.floor((range.start + range.end) / 2)
      damaged[at] = (damaged[at] as number) ^ 0x10
      await backend.set(key, damaged, 60)
      expect(Buffer.from((await get()) as Uint8Array).toString(), region).toBe('recomputed')
      expect(get.info().integrityErrors, region).toBe(1)
    }
  })
})

/** A 26-byte envelope whose declared original size is beyond the protocol's 512 MiB. */
function claimsTooMuch(): Buffer {
  const size = Buffer.alloc(5)
  size[0] = 0xce
  size.writeUInt32BE(0xffff_fff0, 1)
  return Buffer.concat([
    Buffer.from([0x94, 0xc4, 1, 0x00]),
    Buffer.from([0x98, 0, 0, 0, 0, 0, 0, 0, 0]),
    size,
    Buffer.from([0xa7]),
    Buffer.from('msgpack'),
  ])
}

describe('hostile stored bytes', () => {
  it('an envelope claiming more than 512 MiB is a miss and is deleted, like any corrupt entry', async () => {
    const hostile = claimsTooMuch()
    expect(hostile.length).toBe(26)
    const { backend, get, key } = await storedEntry('too-large', { ok: true })
    await backend.set(key, hostile, 3600)
    expect(await get()).toBe('recomputed')
    expect(get.info().integrityErrors).toBe(1)
    expect(Buffer.compare((await backend.get(key)) as Buffer, hostile)).not.toBe(0)
  })

  it('a by-key read of it is a miss and it is deleted', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'too-large-bykey', backend, logger: quiet() })
    await backend.set('ck:too-large-bykey:k', claimsTooMuch(), 3600)
    expect(await c.get('k')).toBeUndefined()
    expect(await backend.exists('ck:too-large-bykey:k')).toBe(false)
    await backend.set('ck:too-large-bykey:k', claimsTooMuch(), 3600)
    expect(await c.getMany(['k'])).toEqual([undefined])
    expect(await backend.exists('ck:too-large-bykey:k')).toBe(false)
  })

  it('an encrypted cache fails closed on it, or with onDecryptError: "miss" recomputes and deletes it', async () => {
    const backend = new MemoryBackend()
    const masterKey = 'c'.repeat(64)
    const load = async () => 'fresh'
    const strict = cache.secure(load, {
      namespace: 'hostile-secure',
      backend,
      masterKey,
      l1: false,
      logger: quiet(),
    })
    await backend.set(strict.key(), claimsTooMuch(), 3600)
    await expect(strict()).rejects.toThrow(DecryptionError)
    const lenient = cache.secure(load, {
      namespace: 'hostile-secure',
      backend,
      masterKey,
      l1: false,
      onDecryptError: 'miss',
      logger: quiet(),
    })
    expect(await lenient()).toBe('fresh')
    expect(lenient.info().decryptErrors).toBe(1)
  })
})

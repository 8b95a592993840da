import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  ByteStorage,
  ChecksumMismatchError,
  IntegrityError,
  type Retrieved,
  SizeMismatchError,
  TenantKeys,
} from '../../src/index.js'

// Results up to 64 KiB come back through the facade's scratch buffer, larger ones as Buffers the
// native code allocates, and the async forms through a third path: each must refuse a corrupted
// checksum, LZ4 block and declared length on its own. Every case below runs on each path.

const storage = new ByteStorage()
const keys = TenantKeys.derive(randomBytes(32), 'corruption')
const cacheKey = 'corrupt:1'

/** Where the fields of a `bin` envelope start. */
function layout(envelope: Buffer): { block: number; blockLength: number; checksum: number; size: number } {
  const marker = envelope[1]
  const width = marker === 0xc4 ? 1 : marker === 0xc5 ? 2 : 4
  const blockLength = envelope.readUIntBE(2, width)
  const block = 2 + width
  const checksum = block + blockLength + 1 // after the fixarray(8) marker
  let size = checksum
  for (let i = 0; i < 8; i++) size += envelope[size] === 0xcc ? 2 : 1
  return { block, blockLength, checksum, size }
}

function flip(envelope: Buffer, at: number, mask = 0x01): Buffer {
  const bad = Buffer.from(envelope)
  bad[at] = (bad[at] as number) ^ mask
  return bad
}

/** The envelope with its declared original size changed by `delta` (same uint width). */
function resized(envelope: Buffer, delta: number): Buffer {
  const { size } = layout(envelope)
  const bad = Buffer.from(envelope)
  const marker = bad[size] as number
  if (marker === 0xce) bad.writeUInt32BE(bad.readUInt32BE(size + 1) + delta, size + 1)
  else if (marker === 0xcd) bad.writeUInt16BE(bad.readUInt16BE(size + 1) + delta, size + 1)
  else throw new Error(`test payloads are at least 256 bytes, got size marker ${marker}`)
  return bad
}

/** The corruptions, each with the error class it must produce. */
function corruptions(envelope: Buffer): [string, Buffer, new (...args: never[]) => Error][] {
  const { block, blockLength, checksum, size } = layout(envelope)
  // A checksum element is a fixint or `cc xx`: the byte before the size is always a value byte.
  const firstValueByte = envelope[checksum] === 0xcc ? checksum + 1 : checksum
  return [
    ['the first checksum byte flipped', flip(envelope, firstValueByte), ChecksumMismatchError],
    ['the last checksum byte flipped', flip(envelope, size - 1), ChecksumMismatchError],
    [
      'a literal byte in the LZ4 block flipped',
      flip(envelope, block + Math.floor(blockLength / 2)),
      ChecksumMismatchError,
    ],
    ['the first LZ4 token changed', flip(envelope, block, 0x10), IntegrityError],
    ['the declared length one byte longer', resized(envelope, 1), SizeMismatchError],
    ['the declared length one byte shorter', resized(envelope, -1), SizeMismatchError],
  ]
}

type Reader = (envelope: Buffer) => Retrieved | Promise<Retrieved>
const sealedFrom = (envelope: Buffer) =>
  keys.encrypt(envelope, { cacheKey, format: 'msgpack', compressed: true })

const READERS: [string, Reader][] = [
  ['retrieve', (e) => storage.retrieve(e)],
  ['retrieveAsync', (e) => storage.retrieveAsync(e)],
  ['open', (e) => keys.open(sealedFrom(e), { cacheKey })],
  ['openAsync', (e) => keys.openAsync(sealedFrom(e), { cacheKey })],
]

// Random bytes do not compress, so the block is mostly literals and the payload size decides the
// output path: below, near and above the 64 KiB scratch.
const SIZES = [1024, 64 * 1024 - 64, 64 * 1024 + 1, 300 * 1024]

async function outcome(read: Reader, envelope: Buffer): Promise<unknown> {
  try {
    return await read(envelope)
  } catch (err) {
    return err
  }
}

describe('corrupted envelopes on every output path', () => {
  describe.each(SIZES)('%i-byte payload', (size) => {
    const data = randomBytes(size)
    const envelope = storage.store(data)
    const cases = corruptions(envelope)

    it.each(READERS)('%s reads the intact envelope back', async (_name, read) => {
      const result = await outcome(read, envelope)
      expect((result as Retrieved).data.equals(data)).toBe(true)
    })

    for (const [name, read] of READERS) {
      it.each(cases)(`${name} refuses it with %s`, async (_what, bad, Class) => {
        const result = await outcome(read, bad)
        expect(result).toBeInstanceOf(Class)
        expect(result).toBeInstanceOf(IntegrityError)
      })
    }
  })
})

import { MalformedEnvelopeError } from '../errors.js'
import { lz4Compress, lz4Decompress, TenantKeys } from '../native/index.js'
import type { Envelope } from './envelope.js'

/**
 * The interop/v2 container, a DRAFT of the protocol that no SDK ships and Python does not read yet
 * (protocol/test-vectors/interop-v2.json): `0xC1 0x02` then the canonical MessagePack array
 * `[method, original_size, payload]`, method 0 (the v1 value bytes as they are) or 1 (one LZ4 block of
 * them). Encrypted, AES-256-GCM covers the whole container, with the AAD's compressed flag `"True"`
 * (v1 uses `"False"`, so neither mode's ciphertext opens in the other).
 *
 * Writing compresses and keeps the LZ4 block only when it is smaller. Reading is strict: the magic and
 * version, exactly a 3-element array, unsigned integers only, a bin payload, nothing after it, and the
 * declared size checked against the 512 MiB cap and the draft's 1000:1 ratio (integer arithmetic)
 * before the native decompressor, which bounds it again and checks the exact length.
 */
const MAGIC = 0xc1
const VERSION = 0x02
const METHOD_NONE = 0
const METHOD_LZ4 = 1
const MAX_UNCOMPRESSED = 512 * 1024 * 1024
const MAX_RATIO = 1000

function refuse(reason: string): never {
  throw new MalformedEnvelopeError(
    'MALFORMED_ENVELOPE',
    `Not an interop/v2 container (${reason}): the entry is corrupt or was written in another format; ` +
      'every writer of this key must use interop v2-draft',
  )
}

function uintHeader(n: number): Buffer {
  if (n <= 0x7f) return Buffer.from([n])
  if (n <= 0xff) return Buffer.from([0xcc, n])
  if (n <= 0xffff) return Buffer.from([0xcd, n >> 8, n & 0xff])
  const out = Buffer.alloc(5)
  out[0] = 0xce
  out.writeUInt32BE(n, 1)
  return out
}

function binHeader(n: number): Buffer {
  if (n <= 0xff) return Buffer.from([0xc4, n])
  if (n <= 0xffff) return Buffer.from([0xc5, n >> 8, n & 0xff])
  const out = Buffer.alloc(5)
  out[0] = 0xc6
  out.writeUInt32BE(n, 1)
  return out
}

/** The container of one v1 value's bytes. */
export function writeInteropV2(value: Uint8Array): Buffer {
  const block = value.length === 0 ? null : lz4Compress(value)
  const compressed = block !== null && block.length < value.length
  const payload = compressed ? block : value
  return Buffer.concat([
    Buffer.from([MAGIC, VERSION, 0x93, compressed ? METHOD_LZ4 : METHOD_NONE]),
    uintHeader(value.length),
    binHeader(payload.length),
    payload,
  ])
}

class Cursor {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) refuse('truncated')
    return this.bytes[this.pos++] as number
  }

  big(width: number): number {
    if (width > this.bytes.length - this.pos) refuse('truncated')
    let n = 0
    for (let i = 0; i < width; i++) n = n * 256 + (this.bytes[this.pos++] as number)
    return n
  }

  /** An unsigned-family integer, any width (signed-family markers are refused even for n >= 0). */
  uint(what: string): number {
    const tag = this.byte()
    if (tag <= 0x7f) return tag
    if (tag === 0xcc) return this.big(1)
    if (tag === 0xcd) return this.big(2)
    if (tag === 0xce) return this.big(4)
    if (tag === 0xcf) {
      const n = this.big(8)
      if (!Number.isSafeInteger(n)) refuse(`${what} beyond 2^53`)
      return n
    }
    return refuse(`${what} is not an unsigned integer`)
  }
}

/** The v1 value bytes inside a container. */
export function readInteropV2(bytes: Uint8Array): Buffer {
  const c = new Cursor(bytes)
  const magic = c.byte()
  if (magic !== MAGIC) refuse('bad magic: possibly an interop/v1 value')
  if (c.byte() !== VERSION) refuse('unsupported container version')
  const header = c.byte()
  const count =
    header === 0xdc ? c.big(2) : header === 0xdd ? c.big(4) : (header & 0xf0) === 0x90 ? header & 0x0f : -1
  if (count !== 3) refuse('the body is not an array of 3')
  const method = c.uint('method')
  if (method !== METHOD_NONE && method !== METHOD_LZ4) refuse(`unknown compression method ${method}`)
  const originalSize = c.uint('original_size')
  const binTag = c.byte()
  const length =
    binTag === 0xc4
      ? c.big(1)
      : binTag === 0xc5
        ? c.big(2)
        : binTag === 0xc6
          ? c.big(4)
          : refuse('the payload is not bin')
  if (length > bytes.length - c.pos) refuse('the payload length runs past the end')
  if (c.pos + length !== bytes.length) refuse('trailing bytes after the container')
  const payload = Buffer.from(bytes.subarray(c.pos, c.pos + length))
  if (method === METHOD_NONE) {
    if (originalSize !== length) refuse('method 0 with original_size different from the payload length')
    return payload
  }
  if (length === 0) refuse('an empty compressed payload')
  if (originalSize > MAX_UNCOMPRESSED) refuse('original_size beyond 512 MiB')
  if (originalSize > MAX_RATIO * length) refuse('a compression ratio beyond 1000:1')
  return lz4Decompress(payload, originalSize)
}

export class InteropV2PlainEnvelope implements Envelope {
  readonly encrypted = false

  wrap(payload: Uint8Array): Buffer {
    return writeInteropV2(payload)
  }

  unwrap(stored: Uint8Array, format: string) {
    return { data: readInteropV2(stored), format }
  }

  wrapAsync(payload: Uint8Array): Promise<Buffer> {
    try {
      return Promise.resolve(this.wrap(payload))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  unwrapAsync(stored: Uint8Array, format: string) {
    try {
      return Promise.resolve(this.unwrap(stored, format))
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

export class InteropV2SealedEnvelope implements Envelope {
  readonly encrypted = true
  readonly #keys: TenantKeys

  constructor(options: {
    masterKey: string | Uint8Array
    previousKeys?: Array<string | Uint8Array>
    tenant: string
  }) {
    this.#keys = TenantKeys.derive(options.masterKey, options.tenant, {
      previousKeys: options.previousKeys ?? [],
    })
  }

  wrap(payload: Uint8Array, format: string, cacheKey: string): Buffer {
    return this.#keys.encrypt(writeInteropV2(payload), { cacheKey, format, compressed: true })
  }

  unwrap(stored: Uint8Array, format: string, cacheKey: string) {
    return { data: readInteropV2(this.#keys.decrypt(stored, { cacheKey, format, compressed: true })), format }
  }

  wrapAsync(payload: Uint8Array, format: string, cacheKey: string): Promise<Buffer> {
    try {
      return Promise.resolve(this.wrap(payload, format, cacheKey))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  unwrapAsync(stored: Uint8Array, format: string, cacheKey: string) {
    try {
      return Promise.resolve(this.unwrap(stored, format, cacheKey))
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

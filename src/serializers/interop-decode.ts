import { SerializationError } from '../errors.js'
import { MAX_NESTING } from './plain.js'
import { sentinelDate } from './temporal.js'

/**
 * The strict reader of interop/v1 values: exactly one well-formed MessagePack document, canonical or
 * not (padded widths, unsorted keys and float32 are fine: other SDKs' writers may differ), and nothing
 * after it. A Python "CK" frame, trailing bytes, a truncated or over-claiming document, nesting
 * deeper than 1024 or invalid UTF-8 is a `DESERIALIZE_FAILED` error, which the cache treats as a
 * corrupt entry. Every length is checked against the bytes left before anything is allocated, so a
 * stored value costs at most a bounded multiple of its size to decode.
 *
 * What the decoded value is: maps are plain objects (a `__proto__` key is an own property); a map
 * key that is a number, boolean or nil becomes its string form, as a JavaScript object key must;
 * an integer is a number within ±(2^53 - 1), a bigint beyond; float32 and float64 are numbers; bin
 * is a Buffer of its own; an extension type is an `InteropExtension`; Python's datetime sentinel
 * (`{ __datetime__: true, value: <aware isoformat> }`) is the Date of that instant, rounded down to
 * the millisecond. Date-only and time-only sentinels stay maps (JavaScript has no such types).
 */
export class InteropExtension {
  constructor(
    readonly type: number,
    readonly data: Buffer,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

class Reader {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  fail(reason: string): never {
    throw new SerializationError(
      'DESERIALIZE_FAILED',
      `Stored interop bytes could not be decoded (${reason} at byte ${this.pos}): the entry is corrupt or was ` +
        'written by a writer that is not in interop mode; every writer of this key must use interop mode',
    )
  }

  /** Checks that `n` more bytes exist and returns where they start. */
  take(n: number): number {
    if (n > this.bytes.length - this.pos) this.fail(`a length of ${n} runs past the end`)
    const at = this.pos
    this.pos += n
    return at
  }

  uint(width: 1 | 2 | 4): number {
    const at = this.take(width)
    const b = this.bytes
    if (width === 1) return b[at] as number
    if (width === 2) return ((b[at] as number) << 8) | (b[at + 1] as number)
    return (
      (b[at] as number) * 0x1000000 +
      (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
    )
  }

  view(width: number): DataView {
    const at = this.take(width)
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, width)
  }

  /** A count of items that each take at least `perItem` bytes: refused when the input cannot hold them. */
  count(n: number, perItem: number): number {
    if (n * perItem > this.bytes.length - this.pos)
      this.fail(`a count of ${n} claims more items than bytes left`)
    return n
  }

  value(depth: number): unknown {
    if (depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING}`)
    const tag = this.uint(1)
    if (tag <= 0x7f) return tag
    if (tag >= 0xe0) return tag - 0x100
    if (tag >= 0xa0 && tag <= 0xbf) return this.string(tag & 0x1f)
    if (tag >= 0x90 && tag <= 0x9f) return this.array(tag & 0x0f, depth)
    if (tag >= 0x80 && tag <= 0x8f) return this.map(tag & 0x0f, depth)
    switch (tag) {
      case 0xc0:
        return null
      case 0xc2:
        return false
      case 0xc3:
        return true
      case 0xc4:
        return this.binary(this.uint(1))
      case 0xc5:
        return this.binary(this.uint(2))
      case 0xc6:
        return this.binary(this.uint(4))
      case 0xc7:
        return this.extension(this.uint(1))
      case 0xc8:
        return this.extension(this.uint(2))
      case 0xc9:
        return this.extension(this.uint(4))
      case 0xca:
        return this.view(4).getFloat32(0)
      case 0xcb:
        return this.view(8).getFloat64(0)
      case 0xcc:
        return this.uint(1)
      case 0xcd:
        return this.uint(2)
      case 0xce:
        return this.uint(4)
      case 0xcf:
        return safe(this.view(8).getBigUint64(0))
      case 0xd0:
        return this.view(1).getInt8(0)
      case 0xd1:
        return this.view(2).getInt16(0)
      case 0xd2:
        return this.view(4).getInt32(0)
      case 0xd3:
        return safe(this.view(8).getBigInt64(0))
      case 0xd4:
        return this.extension(1)
      case 0xd5:
        return this.extension(2)
      case 0xd6:
        return this.extension(4)
      case 0xd7:
        return this.extension(8)
      case 0xd8:
        return this.extension(16)
      case 0xd9:
        return this.string(this.uint(1))
      case 0xda:
        return this.string(this.uint(2))
      case 0xdb:
        return this.string(this.uint(4))
      case 0xdc:
        return this.array(this.uint(2), depth)
      case 0xdd:
        return this.array(this.uint(4), depth)
      case 0xde:
        return this.map(this.uint(2), depth)
      case 0xdf:
        return this.map(this.uint(4), depth)
      default:
        return this.fail('the reserved byte 0xc1')
    }
  }

  string(n: number): string {
    const at = this.take(n)
    try {
      return utf8.decode(this.bytes.subarray(at, at + n))
    } catch {
      return this.fail('a string that is not valid UTF-8')
    }
  }

  binary(n: number): Buffer {
    const at = this.take(n)
    return Buffer.from(this.bytes.subarray(at, at + n))
  }

  extension(n: number): InteropExtension {
    const type = this.view(1).getInt8(0)
    return new InteropExtension(type, this.binary(n))
  }

  array(n: number, depth: number): unknown[] {
    const out = new Array<unknown>(this.count(n, 1))
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1)
    return out
  }

  map(n: number, depth: number): unknown {
    this.count(n, 2)
    const out: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      const keyAt = this.pos
      const key = this.value(depth + 1)
      if (typeof key === 'object' && key !== null) {
        this.pos = keyAt
        this.fail('a map key that is an array, map, bin or extension')
      }
      const name = String(key)
      const child = this.value(depth + 1)
      if (name === '__proto__') {
        Object.defineProperty(out, name, {
          value: child,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      } else {
        out[name] = child
      }
    }
    if (n === 2) return sentinelDate(out, Object.keys(out)) ?? out
    return out
  }
}

function safe(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
}

/** Decodes one interop value document; every failure is a `DESERIALIZE_FAILED` SerializationError. */
export function decodeInteropValue(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes)
  if (bytes.length >= 2 && bytes[0] === 0x43 && bytes[1] === 0x4b) {
    reader.fail(
      'a Python "CK" frame: an entry of Python\'s own (auto) mode, not an interop value; check that every writer of this key uses interop mode',
    )
  }
  if (bytes.length === 0) reader.fail('no document')
  const value = reader.value(0)
  if (reader.pos !== bytes.length)
    reader.fail(`${bytes.length - reader.pos} trailing bytes after the document`)
  return value
}

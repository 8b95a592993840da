import { SerializationError } from '../errors.js'
import { MAX_NESTING } from './plain.js'
import { refuseSentinelShape } from './temporal.js'

/**
 * The canonical MessagePack of interop/v1 (docs/protocol.md §5), the one encoding two SDKs agree on
 * byte for byte: shortest integer and header widths, map keys sorted by their UTF-8 bytes at every
 * level, floats as float64, no extension types. Two profiles share the writer:
 *
 * - **args** (what a key hashes): integral numbers in [-2^63, 2^64) are integers whatever their
 *   type (Python's `2.0` and `2` hash alike; -0 is 0); a `Set` is an array of its members' encodings,
 *   sorted bytewise and deduplicated; a `Date` is float64 epoch seconds (microseconds / 10^6, then
 *   the integer rule). A JS number beyond 2^53 is encoded exactly as the integer it is, as Python
 *   encodes the float of the same value.
 * - **value** (what is stored): a non-integral number or -0 is a float64 (Python reads a float); a
 *   safe integer is an integer; a `Date` is Python's datetime sentinel map, written as Python's
 *   `isoformat()` writes a UTC datetime. Map and Set values are refused: no SDK reads them back.
 *
 * Both refuse NaN, ±Infinity, integers outside [-2^63, 2^64), lone surrogates, symbols, functions,
 * class instances and `undefined` (except as an object property, which is left out as
 * JSON.stringify does), with the path of the value and what to pass instead.
 */
export type CanonicalProfile = 'args' | 'value'

const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n
const TWO_POW_64 = 2 ** 64
const TWO_POW_63 = 2 ** 63
const utf8 = new TextEncoder()
// With the u flag a surrogate pair is one code point, so only an unpaired surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u

class Writer {
  buf = Buffer.allocUnsafe(256)
  pos = 0

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  byte(b: number): void {
    this.reserve(1)
    this.buf[this.pos++] = b
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length)
    this.buf.set(data, this.pos)
    this.pos += data.length
  }

  header(tag: number, width: 1 | 2 | 4, n: number): void {
    this.reserve(1 + width)
    this.buf[this.pos++] = tag
    if (width === 1) this.buf.writeUInt8(n, this.pos)
    else if (width === 2) this.buf.writeUInt16BE(n, this.pos)
    else this.buf.writeUInt32BE(n, this.pos)
    this.pos += width
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos))
  }
}

class Encoding {
  readonly out = new Writer()
  readonly path: Array<string | number> = []

  constructor(readonly profile: CanonicalProfile) {}

  fail(what: string, fix: string): never {
    let at = this.profile === 'args' ? 'args' : 'value'
    for (const key of this.path) at += typeof key === 'number' ? `[${key}]` : `.${key}`
    throw new SerializationError(
      this.profile === 'args' ? 'INTEROP_UNSUPPORTED_ARGUMENT' : 'INTEROP_UNSUPPORTED_VALUE',
      `Interop mode cannot ${this.profile === 'args' ? 'hash' : 'store'} ${what} at ${at}: ${fix}`,
    )
  }

  value(v: unknown, depth: number): void {
    if (depth > MAX_NESTING) {
      this.fail(`a value nested deeper than ${MAX_NESTING} levels`, 'flatten it')
    }
    switch (typeof v) {
      case 'boolean':
        this.out.byte(v ? 0xc3 : 0xc2)
        return
      case 'number':
        this.number(v)
        return
      case 'bigint':
        this.bigint(v)
        return
      case 'string':
        this.string(v)
        return
      case 'object':
        if (v === null) this.out.byte(0xc0)
        else this.object(v, depth)
        return
      case 'undefined':
        this.fail(
          'undefined',
          'pass null (Python None) instead; an undefined object property is left out, as JSON.stringify does',
        )
        return
      default:
        this.fail(
          `a ${typeof v}`,
          'pass plain data: null, boolean, number, bigint, string, bytes, array, object',
        )
    }
  }

  number(n: number): void {
    if (!Number.isFinite(n)) {
      this.fail(String(n), 'NaN and Infinity have no interop encoding; use null or a sentinel value')
    }
    const integral = Number.isInteger(n)
    if (
      this.profile === 'args'
        ? integral && n >= -TWO_POW_63 && n < TWO_POW_64
        : integral && Number.isSafeInteger(n) && !Object.is(n, -0)
    ) {
      if (Number.isSafeInteger(n)) this.safeInteger(n)
      else this.integer(BigInt(n))
      return
    }
    this.out.reserve(9)
    this.out.buf[this.out.pos++] = 0xcb
    this.out.buf.writeDoubleBE(n, this.out.pos)
    this.out.pos += 8
  }

  safeInteger(n: number): void {
    const out = this.out
    if (n >= 0) {
      if (n <= 0x7f) out.byte(n)
      else if (n <= 0xff) out.header(0xcc, 1, n)
      else if (n <= 0xffff) out.header(0xcd, 2, n)
      else if (n <= 0xffffffff) out.header(0xce, 4, n)
      else this.integer(BigInt(n))
    } else if (n >= -32) out.byte(n & 0xff)
    else if (n >= -0x80) out.header(0xd0, 1, n & 0xff)
    else if (n >= -0x8000) out.header(0xd1, 2, n & 0xffff)
    else if (n >= -0x80000000) out.header(0xd2, 4, n >>> 0)
    else this.integer(BigInt(n))
  }

  bigint(n: bigint): void {
    if (n < INT64_MIN || n > UINT64_MAX) {
      this.fail(
        `the integer ${n}`,
        'interop integers are within [-2^63, 2^64 - 1]; pass a string for larger ones',
      )
    }
    if (n >= -0x80000000n && n <= 0xffffffffn) this.safeInteger(Number(n))
    else this.integer(n)
  }

  /** Integers beyond 32 bits (always 8-byte forms, as the shortest encoding requires). */
  integer(n: bigint): void {
    const out = this.out
    out.reserve(9)
    if (n >= 0n) {
      out.buf[out.pos++] = 0xcf
      out.buf.writeBigUInt64BE(n, out.pos)
    } else {
      out.buf[out.pos++] = 0xd3
      out.buf.writeBigInt64BE(n, out.pos)
    }
    out.pos += 8
  }

  string(s: string): void {
    if (LONE_SURROGATE.test(s)) {
      this.fail(
        'a string with a lone surrogate',
        'interop strings are well-formed Unicode; fix the text or pass bytes',
      )
    }
    this.utf8(utf8.encode(s))
  }

  /** A str item from its UTF-8 bytes. */
  utf8(data: Uint8Array): void {
    const n = data.length
    if (n <= 31) this.out.byte(0xa0 | n)
    else if (n <= 0xff) this.out.header(0xd9, 1, n)
    else if (n <= 0xffff) this.out.header(0xda, 2, n)
    else this.out.header(0xdb, 4, n)
    this.out.bytes(data)
  }

  binary(data: Uint8Array): void {
    const n = data.length
    if (n <= 0xff) this.out.header(0xc4, 1, n)
    else if (n <= 0xffff) this.out.header(0xc5, 2, n)
    else this.out.header(0xc6, 4, n)
    this.out.bytes(data)
  }

  arrayHeader(n: number): void {
    if (n <= 15) this.out.byte(0x90 | n)
    else if (n <= 0xffff) this.out.header(0xdc, 2, n)
    else this.out.header(0xdd, 4, n)
  }

  mapHeader(n: number): void {
    if (n <= 15) this.out.byte(0x80 | n)
    else if (n <= 0xffff) this.out.header(0xde, 2, n)
    else this.out.header(0xdf, 4, n)
  }

  object(v: object, depth: number): void {
    if (Array.isArray(v)) {
      this.arrayHeader(v.length)
      for (let i = 0; i < v.length; i++) {
        this.path.push(i)
        this.value(v[i], depth + 1)
        this.path.pop()
      }
      return
    }
    if (v instanceof Uint8Array) {
      this.binary(v)
      return
    }
    if (v instanceof Date) {
      this.date(v)
      return
    }
    if (v instanceof Set) {
      if (this.profile === 'value')
        this.fail('a Set', 'store an array (Python reads a list); a Set is only an argument type')
      this.set(v, depth)
      return
    }
    if (v instanceof Map) {
      if (this.profile === 'value') this.fail('a Map', 'store a plain object with string keys')
      this.entries([...v.entries()], depth, 'Map')
      return
    }
    const proto = Object.getPrototypeOf(v)
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'an object'
      this.fail(
        `an instance of ${name}`,
        'pass a plain object (interop is plain data: no class instances, typed arrays other than Uint8Array, or symbols)',
      )
    }
    if (Object.getOwnPropertySymbols(v).length > 0) this.fail('an object with symbol keys', 'use string keys')
    const record = v as Record<string, unknown>
    const entries: Array<[unknown, unknown]> = []
    for (const key of Object.keys(record)) {
      const child = record[key]
      if (child !== undefined) entries.push([key, child])
    }
    if (this.profile === 'value') {
      const refusal = refuseSentinelShape(record, Object.keys(record))
      if (refusal !== undefined) this.fail('an object', refusal)
    }
    this.entries(entries, depth, 'object')
  }

  entries(entries: Array<[unknown, unknown]>, depth: number, kind: string): void {
    const sorted: Array<[Uint8Array, string, unknown]> = []
    for (const [key, child] of entries) {
      if (typeof key !== 'string')
        this.fail(`a ${kind} key of type ${typeof key}`, 'interop map keys are strings')
      if (LONE_SURROGATE.test(key))
        this.fail('a key with a lone surrogate', 'interop strings are well-formed Unicode')
      sorted.push([utf8.encode(key), key, child])
    }
    sorted.sort((a, b) => Buffer.compare(a[0], b[0]))
    this.mapHeader(sorted.length)
    for (const [bytes, key, child] of sorted) {
      this.utf8(bytes)
      this.path.push(key)
      this.value(child, depth + 1)
      this.path.pop()
    }
  }

  set(v: Set<unknown>, depth: number): void {
    const members: Buffer[] = []
    let i = 0
    for (const member of v) {
      const inner = new Encoding(this.profile)
      inner.path.push(...this.path, `<set member ${i++}>`)
      inner.value(member, depth + 1)
      members.push(inner.out.done())
    }
    members.sort(Buffer.compare)
    const unique = members.filter((m, j) => j === 0 || !m.equals(members[j - 1] as Buffer))
    this.arrayHeader(unique.length)
    for (const m of unique) this.out.bytes(m)
  }

  date(d: Date): void {
    const ms = d.getTime()
    if (Number.isNaN(ms)) this.fail('an invalid Date', 'pass a valid Date')
    if (this.profile === 'args') {
      // Python: integer microseconds since the epoch, one float64 division by 10^6 (bit-exact).
      this.number((ms * 1000) / 1_000_000)
      return
    }
    this.mapHeader(2)
    this.string('__datetime__')
    this.out.byte(0xc3)
    this.string('value')
    this.string(pythonIsoformat(d))
  }
}

/** What Python's `datetime.isoformat()` writes for this instant as a UTC datetime. */
export function pythonIsoformat(d: Date): string {
  const year = d.getUTCFullYear()
  if (year < 1 || year > 9999) {
    throw new SerializationError(
      'INTEROP_UNSUPPORTED_VALUE',
      `Interop mode cannot store the Date ${d.toISOString()}: Python datetimes hold years 1 to 9999`,
    )
  }
  const iso = d.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ for years 1..9999
  const ms = d.getUTCMilliseconds()
  return `${iso.slice(0, 19)}${ms === 0 ? '' : `.${String(ms * 1000).padStart(6, '0')}`}+00:00`
}

/** Canonical MessagePack of a call's argument array (what an interop key hashes). */
export function canonicalInteropArgs(args: readonly unknown[]): Buffer {
  const encoding = new Encoding('args')
  encoding.value(args, 0)
  return encoding.out.done()
}

/** Canonical MessagePack of a value (what an interop entry stores). */
export function canonicalInteropValue(value: unknown): Buffer {
  const encoding = new Encoding('value')
  encoding.value(value, 0)
  return encoding.out.done()
}

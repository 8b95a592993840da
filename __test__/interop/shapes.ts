/**
 * The value and argument shapes the live interop suite sends between cachekit for Node and the real
 * Python cachekit. Each shape is described once, in the protocol's tagged JSON (`$int`, `$float`,
 * `$bytes`, `$datetime`, `$set`, `$uuid`; JSON numbers are always integers), plus three tags of this
 * suite for Python types JavaScript lacks: `{"$date": iso}`, `{"$time": iso}` (Node sees their sentinel
 * maps) and `{"$tuple": [...]}` (an array in Node). The test writes these
 * descriptions to a file; `peer.py` builds the Python values from it and `jsValue` the JavaScript ones,
 * so both sides start from the same description. Big shapes are built here in code and travel whole.
 */
import { fromTagged } from '../support/tagged-json.js'
import type { Json } from '../support/vectors.js'

/** In every encrypted entry's plaintext, and never in its stored bytes. */
export const MARKER = 'PLAINTEXT-MARKER-cachekit-interop-7f3a9c'

export interface ValueShape {
  name: string
  /** What the writer returns, tagged. */
  value: Json
  /**
   * The value in Node, when the mapping changes it (tagged): what Node reads when Python wrote `value`,
   * and what Node writes. Node's value of a shape is `jsValue(inNode ?? value)`.
   */
  inNode?: Json
  /** What Python reads when Node wrote its value, when the mapping changes it (tagged). */
  inPython?: Json
}

export interface ArgumentShape {
  name: string
  /** The call's arguments, tagged; the function has exactly this many parameters. */
  args: Json[]
}

/** `levels` containers around `leaf`: a list, then a map `{"n": ...}`, alternating outwards. */
function deep(levels: number, leaf: Json): Json {
  let value = leaf
  for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { n: value }
  return value
}

/** 16 entries: one past a fixmap, inserted in descending order. */
const sixteenEntries = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${15 - i}`, i]))

/** A map whose own key is `__proto__` (a JSON.parse result, as an object literal would set the prototype). */
const protoKeys: Json = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": 1}')

// Keys outside the Basic Multilingual Plane sort differently by UTF-16 code unit (what
// Array.prototype.sort does) and by UTF-8 byte (what the protocol requires): U+10000 is
// D800 DC00 in UTF-16, below U+FF61 (FF61), but F0 90 80 80 in UTF-8, above EF BD A1.
const astralKeys: Json = {
  '\uff61': 'halfwidth ideographic full stop',
  '\u{10000}': 'linear b',
  b: 2,
  a: 1,
  é: 3,
}

const ONE_MIB = 1024 * 1024
const largeText = `${MARKER} `.repeat(Math.ceil(ONE_MIB / (MARKER.length + 1))).slice(0, ONE_MIB)

export const valueShapes: ValueShape[] = [
  { name: 'str-ascii', value: 'hello, python' },
  { name: 'str-empty', value: '' },
  { name: 'str-astral', value: 'clef \u{1D11E} face \u{1F600} cjk-ext-b \u{2070E} last \u{10FFFF}' },
  // Not normalized: "Cafe" + U+0301 must stay five code points, distinct from "Café".
  { name: 'str-combining-marks', value: 'Cafe\u0301 / Caf\u00e9 / a\u0308\u0304 / \u0915\u094d\u0937' },
  { name: 'str-leading-bom', value: '\ufeffstarts with a byte order mark' },
  { name: 'str-controls-and-nul', value: 'nul\u0000tab\tnewline\ndel\u007f' },
  { name: 'str-300-bytes', value: 'x'.repeat(300) },
  { name: 'int-zero', value: 0 },
  { name: 'int-minus-33', value: -33 },
  { name: 'int-max-safe', value: 9007199254740991 },
  { name: 'int-min-safe', value: -9007199254740991 },
  { name: 'int-2^53', value: { $int: '9007199254740992' } },
  { name: 'int-2^53+1', value: { $int: '9007199254740993' } },
  { name: 'int-minus-2^53', value: { $int: '-9007199254740992' } },
  { name: 'int-2^63-1', value: { $int: '9223372036854775807' } },
  { name: 'int-2^63', value: { $int: '9223372036854775808' } },
  { name: 'int-2^64-1', value: { $int: '18446744073709551615' } },
  { name: 'int-minus-2^63', value: { $int: '-9223372036854775808' } },
  { name: 'float-0.1', value: { $float: '0.1' } },
  { name: 'float-minus-zero', value: { $float: '-0.0' } },
  { name: 'float-1e308', value: { $float: '1e308' } },
  { name: 'float-smallest-subnormal', value: { $float: '5e-324' } },
  { name: 'float-minus-1.5', value: { $float: '-1.5' } },
  // Integral but not a safe integer: Node reads a number and writes it back as a float64.
  { name: 'float-2^60', value: { $float: '1152921504606846976' } },
  // A float64 2.0 reads as the number 2 in Node; Node cannot tell 2 from 2.0, and writes 2 as an int.
  { name: 'float-integral-2.0', value: { $float: '2.0' }, inPython: 2 },
  { name: 'bool-true', value: true },
  { name: 'bool-false', value: false },
  { name: 'null', value: null },
  { name: 'bytes', value: { $bytes: '00ff7f80c1' } },
  { name: 'bytes-empty', value: { $bytes: '' } },
  { name: 'bytes-300', value: { $bytes: '00ff'.repeat(150) } },
  { name: 'list-empty', value: [] },
  { name: 'map-empty', value: {} },
  { name: 'list-mixed', value: [1, 'two', { $float: '3.5' }, null, true, { $bytes: '01' }, [], {}] },
  { name: 'list-16', value: Array.from({ length: 16 }, (_, i) => i) },
  { name: 'tuple', value: { $tuple: ['a', 1, { $tuple: [] }] }, inPython: ['a', 1, []] },
  { name: 'map-unsorted-keys', value: { zeta: 1, alpha: { y: 2, x: [3, { d: 4, c: 5 }] }, mid: null } },
  { name: 'map-keys-outside-bmp', value: { outer: astralKeys, '\u{1F600}': astralKeys } },
  { name: 'map-16-entries', value: sixteenEntries },
  { name: 'map-integer-like-keys', value: { '10': 'ten', '2': 'two', '-1': 'minus one', '01': 'oh one' } },
  { name: 'map-proto-keys', value: protoKeys },
  { name: 'datetime-utc-ms', value: { $datetime: '2024-02-29T12:34:56.789000+00:00' } },
  { name: 'datetime-offset', value: { $datetime: '2024-02-29T23:59:59.001000+05:30' } },
  { name: 'datetime-before-epoch', value: { $datetime: '1969-07-20T20:17:40+00:00' } },
  // A Date holds milliseconds: Python's 123456 µs reads as .123, and .123 is what Node writes back.
  {
    name: 'datetime-microseconds-floored',
    value: { $datetime: '2024-01-01T12:30:45.123456+00:00' },
    inNode: { $datetime: '2024-01-01T12:30:45.123+00:00' },
    inPython: { $datetime: '2024-01-01T12:30:45.123000+00:00' },
  },
  // No instant, so no Date: Node reads Python's sentinel map as it is, and writes that map back.
  {
    name: 'datetime-naive',
    value: { $datetime: '2024-01-01T12:00:00' },
    inNode: { __datetime__: true, value: '2024-01-01T12:00:00' },
  },
  { name: 'date', value: { $date: '2024-02-29' } },
  { name: 'time', value: { $time: '12:34:56.789000' } },
  {
    name: 'nested-record',
    value: {
      user: { id: 42, name: 'Zoë \u{1F600}', roles: ['admin', 'dev'], avatar: { $bytes: 'cafe' } },
      seen: { $datetime: '2024-03-01T08:00:00.500000+00:00' },
      score: { $float: '98.6' },
    },
  },
  { name: 'secret-record', value: { secret: MARKER, card: `${MARKER}-4111111111111111` } },
  { name: 'large-1mib', value: largeText },
  { name: 'deep-100', value: deep(100, 'bottom') },
]

export const argumentShapes: ArgumentShape[] = [
  { name: 'no-args', args: [] },
  { name: 'int-42', args: [42] },
  { name: 'int-minus-1', args: [-1] },
  { name: 'int-max-safe', args: [9007199254740991] },
  { name: 'int-2^53', args: [{ $int: '9007199254740992' }] },
  { name: 'int-2^63-1', args: [{ $int: '9223372036854775807' }] },
  { name: 'int-2^64-1', args: [{ $int: '18446744073709551615' }] },
  { name: 'int-minus-2^63', args: [{ $int: '-9223372036854775808' }] },
  { name: 'float-0.1', args: [{ $float: '0.1' }] },
  // Integral floats collapse to ints in keys (-0.0 to 0): Python's 2.0 and Node's 2 hash alike.
  { name: 'float-integral-2.0', args: [{ $float: '2.0' }] },
  { name: 'float-minus-zero', args: [{ $float: '-0.0' }] },
  // Integral but at or past 2^64: stays a float64.
  { name: 'float-1e308', args: [{ $float: '1e308' }] },
  // A float64 2^60 is integral: an int in the key, as Node's number 2 ** 60 is.
  { name: 'float-2^60', args: [{ $float: '1152921504606846976' }] },
  { name: 'string-unicode', args: ['\ufeffbom, astral \u{1F600}\u{10000}, combining e\u0301'] },
  { name: 'string-empty', args: [''] },
  { name: 'string-70000', args: ['y'.repeat(70_000)] },
  { name: 'bytes', args: [{ $bytes: '00ff10' }] },
  { name: 'null', args: [null] },
  { name: 'bools', args: [true, false] },
  { name: 'list', args: [[1, 'a', null, { $float: '1.5' }]] },
  { name: 'list-empty', args: [[]] },
  { name: 'tuple', args: [{ $tuple: [1, 'a', { $tuple: [] }] }] },
  { name: 'map-empty', args: [{}] },
  { name: 'map-unsorted-keys-outside-bmp', args: [{ nested: astralKeys, ...astralKeys }] },
  { name: 'set-ints', args: [{ $set: [3, 1, 2, 300, -5] }] },
  { name: 'set-mixed', args: [{ $set: ['b', 'a', 10, { $bytes: '01' }, null] }] },
  { name: 'set-empty', args: [{ $set: [] }] },
  { name: 'set-in-list', args: [[{ $set: ['x', 'y'] }, 1]] },
  { name: 'datetime-utc', args: [{ $datetime: '2024-02-29T12:34:56.789+00:00' }] },
  { name: 'datetime-offset', args: [{ $datetime: '2024-02-29T12:34:56.789+05:30' }] },
  // Whole seconds: the epoch float collapses to an int.
  { name: 'datetime-whole-seconds', args: [{ $datetime: '2024-01-01T00:00:00+00:00' }] },
  { name: 'datetime-before-epoch', args: [{ $datetime: '1969-12-31T23:59:59.999+00:00' }] },
  { name: 'uuid', args: [{ $uuid: '6F9619FF-8B86-D011-B42D-00C04FC964FF' }] },
  { name: 'three-args', args: [{ b: 1, a: [1, 2] }, 'x', { $int: '-9007199254740993' }] },
  { name: 'deep-60', args: [deep(60, 1)] },
]

/** Tagged JSON → the JavaScript value Node passes or expects: `$date`/`$time` are sentinel maps, `$tuple` an array. */
export function jsValue(tagged: Json): unknown {
  return fromTagged(sentinels(tagged))
}

function sentinels(tagged: Json): Json {
  if (Array.isArray(tagged)) return tagged.map(sentinels)
  if (tagged === null || typeof tagged !== 'object') return tagged
  const keys = Object.keys(tagged)
  if (keys.length === 1 && keys[0] === '$date') return { __date__: true, value: tagged.$date }
  if (keys.length === 1 && keys[0] === '$time') return { __time__: true, value: tagged.$time }
  if (keys.length === 1 && keys[0] === '$tuple') return sentinels(tagged.$tuple)
  const out: Record<string, Json> = {}
  for (const key of keys)
    Object.defineProperty(out, key, { value: sentinels(tagged[key]), enumerable: true, writable: true })
  return out
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/

/**
 * Tagged JSON in one spelling per value, to compare what Python printed with what a shape says:
 * every integer as `$int`, every float as the shortest text of its float64 (`-0` kept), bytes in
 * lowercase hex, an aware datetime as its instant in epoch microseconds (a naive one as its text).
 */
export function typed(tagged: Json): Json {
  if (Array.isArray(tagged)) return tagged.map(typed)
  if (typeof tagged === 'number') {
    if (!Number.isInteger(tagged)) throw new Error(`untagged non-integer JSON number ${tagged}`)
    return { $int: String(tagged) }
  }
  if (tagged === null || typeof tagged !== 'object') return tagged
  const keys = Object.keys(tagged)
  const tag = keys.length === 1 ? keys[0] : undefined
  if (tag === '$int') return { $int: BigInt(tagged.$int).toString() }
  if (tag === '$float') {
    const x = Number(tagged.$float)
    return { $float: Object.is(x, -0) ? '-0' : String(x) }
  }
  if (tag === '$bytes') return { $bytes: String(tagged.$bytes).toLowerCase() }
  if (tag === '$datetime') return { $datetime: epochMicros(tagged.$datetime) }
  const out: Record<string, Json> = {}
  for (const key of keys)
    Object.defineProperty(out, key, { value: typed(tagged[key]), enumerable: true, writable: true })
  return out
}

function epochMicros(text: string): string {
  const match = ISO.exec(text)
  if (match === null) throw new Error(`not an ISO datetime: ${text}`)
  const [, seconds, fraction = '', offset] = match
  if (offset === undefined) return `naive ${text}`
  const wholeMs = Date.parse(`${seconds}${offset}`)
  return (BigInt(wholeMs) * 1000n + BigInt(fraction.padEnd(6, '0'))).toString()
}

/**
 * Other JavaScript spellings of some argument shapes (Node only): each must hash as its shape does,
 * so a Node call written either way reads the entry Python stored for that shape.
 */
export const nodeSpellings: Array<{ shape: string; spelling: string; args: unknown[] }> = [
  { shape: 'int-42', spelling: 'the bigint 42n', args: [42n] },
  { shape: 'int-max-safe', spelling: 'a bigint', args: [9007199254740991n] },
  { shape: 'int-2^53', spelling: 'the number 2 ** 53', args: [2 ** 53] },
  { shape: 'float-integral-2.0', spelling: 'the bigint 2n', args: [2n] },
  { shape: 'float-minus-zero', spelling: 'the number 0', args: [0] },
  { shape: 'float-2^60', spelling: 'the bigint 2n ** 60n', args: [2n ** 60n] },
  { shape: 'bytes', spelling: 'a Uint8Array', args: [new Uint8Array([0x00, 0xff, 0x10])] },
  {
    shape: 'map-unsorted-keys-outside-bmp',
    spelling: 'a Map with its keys in another order',
    args: [new Map(Object.entries({ nested: astralKeys, ...astralKeys }).reverse())],
  },
  {
    shape: 'set-ints',
    spelling: 'a Set of bigints in another order',
    args: [new Set([300n, -5n, 3n, 2n, 1n])],
  },
  {
    shape: 'datetime-offset',
    spelling: 'a Date built from UTC fields',
    args: [new Date(Date.UTC(2024, 1, 29, 7, 4, 56, 789))],
  },
  {
    shape: 'three-args',
    spelling: 'a Map and a bigint',
    args: [
      new Map<string, unknown>([
        ['a', [1, 2]],
        ['b', 1],
      ]),
      'x',
      -9007199254740993n,
    ],
  },
]

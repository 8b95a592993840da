import { addExtension, Packr } from 'msgpackr'
import { SerializationError } from '../errors.js'
import { encodeOrFail, MAX_NESTING } from './plain.js'
import { cloneDecoded, decodeFailure, type Serializer } from './serializer.js'

// Private carriers for the two JS values msgpackr cannot tell apart on its own when records are off:
// a Map (it would come back as an object) and -0 (written as the integer 0). They only exist between
// `toWire` and `pack`; decoding produces the real Map and -0 directly.
class WireMap {
  constructor(readonly entries: Array<[unknown, unknown]>) {}
}
class WireNegativeZero {}

// Extension type codes not used by msgpackr itself (it uses 0, 0x42, 0x62, 0x65, 0x69, 0x70, 0x73,
// 0x74, 0x78, 0xff). Registration is global in msgpackr but only these private classes produce them.
const MAP_EXT = 0x2a
const NEGATIVE_ZERO_EXT = 0x2b
addExtension({ Class: WireMap, type: MAP_EXT, write: (m: WireMap) => m.entries, read: (e) => new Map(e) })
addExtension({ Class: WireNegativeZero, type: NEGATIVE_ZERO_EXT, write: () => 0, read: () => -0 })

function fail(what: string, path: string, fix: string): never {
  throw new SerializationError(
    'UNSUPPORTED_VALUE',
    `AutoSerializer cannot serialize ${what} at ${path}: ${fix}`,
  )
}

// Levels of msgpackr nesting (and of its recursion) a Map and a Set take on the wire: a Map is an
// extension around an array of [key, value] arrays, a Set an extension around an array.
const MAP_LEVELS = 3
const SET_LEVELS = 2

/** Copies the value, swapping Map and -0 for their carriers and rejecting what would not round-trip. */
function toWire(value: unknown, path: string, seen: Set<object>, depth: number): unknown {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? new WireNegativeZero() : value
    case 'function':
      return fail('a function', path, 'cache the data the function computes, not the function')
    case 'symbol':
      return fail('a symbol', path, 'use a string')
    case 'object':
      break
    default:
      return value
  }
  if (value === null) return null
  const obj = value as object
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) fail('an invalid Date', path, 'use null')
    return obj
  }
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) return obj
  if (seen.has(obj)) fail('a circular reference', path, 'return a tree-shaped value')
  if (depth >= MAX_NESTING) {
    fail(
      `a value nested deeper than ${MAX_NESTING} levels (a Map counts ${MAP_LEVELS}, a Set ${SET_LEVELS})`,
      path,
      'flatten it, or store the deep part as a string (JSON.stringify)',
    )
  }
  seen.add(obj)
  let out: unknown
  if (Array.isArray(obj)) {
    out = obj.map((v, i) => toWire(v, `${path}[${i}]`, seen, depth + 1))
  } else if (obj instanceof Map) {
    out = new WireMap(
      [...obj].map(([k, v], i) => [
        toWire(k, `${path}.<key ${i}>`, seen, depth + MAP_LEVELS),
        toWire(v, `${path}.<value ${i}>`, seen, depth + MAP_LEVELS),
      ]),
    )
  } else if (obj instanceof Set) {
    out = new Set([...obj].map((v, i) => toWire(v, `${path}.<element ${i}>`, seen, depth + SET_LEVELS)))
  } else {
    const proto = Object.getPrototypeOf(obj)
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name || 'object'
      throw new SerializationError(
        'UNSUPPORTED_VALUE',
        `Cannot serialize class instance ${name} at ${path}: return ${path}.toJSON() or a plain object`,
      )
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) fail('a symbol-keyed property', path, 'use string keys')
    if (Object.hasOwn(obj, '__proto__')) {
      fail('an own "__proto__" key', path, 'rename the key (it would be read back as "__proto_")')
    }
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(obj))
      copy[key] = toWire((obj as Record<string, unknown>)[key], `${path}.${key}`, seen, depth + 1)
    out = copy
  }
  seen.delete(obj)
  return out
}

/**
 * MessagePack with msgpackr's JS extensions, for caches only JS reads: Date, Map, Set, BigInt (any
 * size), typed arrays, `undefined` and `-0` round-trip exactly. Format name "msgpack-js". msgpackr
 * writes some extensions (Set, Map) with their contents after a zero-length ext header, so the bytes
 * are not one standard MessagePack document: other languages cannot read them, and the native
 * msgpack validator is not applied (the envelope checksum still is).
 * Objects with a null prototype come back with Object.prototype. Nesting deeper than 1024 is refused.
 *
 * Reading: msgpackr's structured-clone references are refused (DESERIALIZE_FAILED), so a decoded value
 * is always a tree and costs time linear in its bytes to decode and to copy. msgpackr's other
 * extensions (records, Error, RegExp, ArrayBuffer, bundled strings) still decode if someone writes
 * them; they are trees too, and the ones a copy-mode hit cannot clone exactly are decoded per hit.
 */
export class AutoSerializer implements Serializer {
  readonly format = 'msgpack-js'
  readonly isMsgpack = false
  readonly #packr = new Packr({
    useRecords: false,
    moreTypes: true,
    mapsAsObjects: true,
    variableMapSize: true,
    int64AsType: 'bigint',
    useBigIntExtension: true,
    // bin values are copied out: a view into the bytes would let a caller write into an L1 entry.
    copyBuffers: true,
    // Never decode msgpackr's object references: bytes someone else wrote could describe a graph
    // with more paths than atoms (exponential to copy), and this serializer never writes them.
    structuredClone: false,
  })

  serialize(value: unknown): Uint8Array {
    return encodeOrFail('AutoSerializer', () => this.#packr.pack(toWire(value, 'value', new Set(), 0)))
  }

  cloneDecoded(value: unknown): unknown {
    return cloneDecoded(value)
  }

  deserialize(bytes: Uint8Array): unknown {
    try {
      return this.#packr.unpack(bytes)
    } catch (err) {
      throw decodeFailure(this.format, err)
    }
  }
}

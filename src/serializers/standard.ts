import { type Options, Packr } from 'msgpackr'
import { HAS_DATETIME_KEY, scanPlainMsgpack } from './msgpack-scan.js'
import { assertPlain, encodeOrFail, type PlainRules } from './plain.js'
import { cloneDecoded, decodeFailure, type Serializer } from './serializer.js'
import { refuseSentinelShape, reviveDatetimes } from './temporal.js'

const RULES: PlainRules = {
  name: 'StandardSerializer',
  allowDate: true,
  allowBytes: true,
  allowBigInt: true,
  allowNonFinite: true,
  alternative: 'use AutoSerializer (JS-only format)',
  allowProtoKey: false,
  refuseObject: refuseSentinelShape,
}

const PACKR_OPTIONS: Options = {
  useRecords: false,
  moreTypes: false,
  mapsAsObjects: true,
  variableMapSize: true,
  // 'auto' (number within ±2^53, bigint beyond) is implemented by msgpackr but missing from its typings.
  int64AsType: 'auto' as 'number',
  // bin values are copied out: a view into the bytes would let a caller write into an L1 entry.
  copyBuffers: true,
  // An undefined array element is nil (msgpackr's default is its private fixext 0).
  encodeUndefinedAsNil: true,
  // Never decode msgpackr's object references (the scan refuses every extension but the timestamp
  // first; this keeps the decoder itself closed too).
  structuredClone: false,
}

/**
 * Plain MessagePack, readable by any language: maps, arrays, strings, numbers, booleans, nil, bin and the
 * standard timestamp extension (Date). No msgpackr records, structures or JS-only extensions.
 *
 * Exact round trip for everything it accepts, with documented normalisations of msgpack itself:
 * - integers decode as `number` when they fit in ±2^53, as `bigint` otherwise (so `5n` comes back as `5`);
 * - `-0` is written as the integer 0;
 * - `undefined` follows JSON.stringify: an object property whose value is `undefined` is not written
 *   (it reads back absent), an `undefined` array element or a hole is written as nil (reads back
 *   null). A top-level `undefined` is refused: the cache does not store one.
 * Values it cannot represent (Map, Set, class instances, typed arrays other than Uint8Array, BigInt
 * beyond 64 bits, nesting deeper than 1024, ...) are rejected with SerializationError.
 *
 * Python datetimes: Python's auto mode writes a datetime as the map `{ __datetime__: true, value:
 * dt.isoformat() }`; such a map (exactly those two keys, with an offset in the string) is read as
 * the Date of that instant, rounded down to the millisecond, and writing a plain object of that exact
 * shape is refused so nothing reads back different (temporal.ts has the rules; a naive datetime has
 * no instant and stays a map). Python's `__date__` and `__time__` sentinels stay maps: JavaScript has
 * no date-only or time-only type (Temporal is not in Node 20), and a Date would invent a time of day
 * and a zone.
 *
 * Reading is as strict: stored bytes must be exactly one plain MessagePack document, at most 1024
 * deep, whose only extension is the timestamp; msgpackr's records, references and JS extensions
 * written by someone else are a DESERIALIZE_FAILED error (a corrupt entry), never decoded.
 */
export class StandardSerializer implements Serializer {
  readonly format = 'msgpack'
  readonly isMsgpack = true
  readonly #packr = new Packr(PACKR_OPTIONS)
  // Only used for values that have an undefined property (the walk says so): msgpackr's skipValues
  // costs a for-in per object, which the common case should not pay.
  readonly #packrSkippingUndefined = new Packr({ ...PACKR_OPTIONS, skipValues: [undefined] } as Options)

  serialize(value: unknown): Uint8Array {
    return encodeOrFail(RULES.name, () => {
      const shape = assertPlain(value, RULES)
      return (shape.undefinedProperty ? this.#packrSkippingUndefined : this.#packr).pack(value)
    })
  }

  cloneDecoded(value: unknown): unknown {
    return cloneDecoded(value)
  }

  deserialize(bytes: Uint8Array): unknown {
    try {
      const flags = scanPlainMsgpack(bytes)
      const value = this.#packr.unpack(bytes)
      return (flags & HAS_DATETIME_KEY) === 0 ? value : reviveDatetimes(value)
    } catch (err) {
      throw decodeFailure(this.format, err)
    }
  }
}

import { Packr } from 'msgpackr'
import { assertPlain, cloneDecoded, decodeFailure, type PlainRules, type Serializer } from './serializer.js'

const RULES: PlainRules = {
  name: 'StandardSerializer',
  allowDate: true,
  allowBytes: true,
  allowBigInt: true,
  allowNonFinite: true,
  alternative: 'use AutoSerializer (JS-only format)',
  allowProtoKey: false,
}

/**
 * Plain MessagePack, readable by any language: maps, arrays, strings, numbers, booleans, nil, bin and the
 * standard timestamp extension (Date). No msgpackr records, structures or JS-only extensions.
 *
 * Exact round trip for everything it accepts, with two documented normalisations of msgpack itself:
 * - integers decode as `number` when they fit in ±2^53, as `bigint` otherwise (so `5n` comes back as `5`);
 * - `-0` is written as the integer 0.
 * Values it cannot represent (Map, Set, undefined, class instances, typed arrays other than Uint8Array,
 * BigInt beyond 64 bits, ...) are rejected with SerializationError.
 */
export class StandardSerializer implements Serializer {
  readonly format = 'msgpack'
  readonly isMsgpack = true
  readonly #packr = new Packr({
    useRecords: false,
    moreTypes: false,
    mapsAsObjects: true,
    variableMapSize: true,
    // 'auto' (number within ±2^53, bigint beyond) is implemented by msgpackr but missing from its typings.
    int64AsType: 'auto' as 'number',
    // bin values are copied out: a view into the bytes would let a caller write into an L1 entry.
    copyBuffers: true,
  })

  serialize(value: unknown): Uint8Array {
    assertPlain(value, RULES)
    return this.#packr.pack(value)
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

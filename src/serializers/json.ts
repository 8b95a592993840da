import { assertPlain, encodeOrFail, type PlainRules } from './plain.js'
import { cloneDecoded, decodeFailure, type Serializer } from './serializer.js'

const RULES: PlainRules = {
  name: 'JsonSerializer',
  allowDate: false,
  allowBytes: false,
  allowBigInt: false,
  allowNonFinite: false,
  alternative: 'use StandardSerializer or AutoSerializer',
  allowProtoKey: true,
}

/**
 * UTF-8 JSON. Accepts only what JSON round-trips exactly (no Date, BigInt, NaN, binary); `-0` comes
 * back as 0, and `undefined` inside the value follows JSON.stringify: an undefined property is not
 * written (reads back absent), an undefined array element or a hole reads back as null. A top-level
 * `undefined` is refused: the cache does not store one.
 */
export class JsonSerializer implements Serializer {
  readonly format = 'json'
  readonly isMsgpack = false

  serialize(value: unknown): Uint8Array {
    return encodeOrFail(RULES.name, () => {
      assertPlain(value, RULES)
      return Buffer.from(JSON.stringify(value), 'utf8')
    })
  }

  cloneDecoded(value: unknown): unknown {
    return cloneDecoded(value)
  }

  deserialize(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
    } catch (err) {
      throw decodeFailure(this.format, err)
    }
  }
}

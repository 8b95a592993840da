import { canonicalInteropValue } from './canonical-msgpack.js'
import { decodeInteropValue } from './interop-decode.js'
import { cloneDecoded, type Serializer } from './serializer.js'

/**
 * Values of interop mode (interop/v1): one canonical plain MessagePack document, the bytes another
 * SDK (Python's `@cache(interop=...)`) writes for the same value and reads without this package.
 * Writing follows the value profile of `canonical-msgpack.ts`; reading is the strict reader of
 * `interop-decode.ts`. The stored bytes carry no envelope, checksum or compression: in interop mode
 * integrity comes from AES-GCM when the entry is encrypted, and from the strict reader otherwise.
 */
export class InteropSerializer implements Serializer {
  readonly format = 'msgpack'
  // The strict reader does its own bounds checks; there is no envelope to validate in.
  readonly isMsgpack = false

  serialize(value: unknown): Uint8Array {
    return canonicalInteropValue(value)
  }

  deserialize(bytes: Uint8Array): unknown {
    return decodeInteropValue(bytes)
  }

  cloneDecoded(value: unknown): unknown {
    return cloneDecoded(value)
  }
}

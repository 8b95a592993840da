import { SerializationError } from '../errors.js'
import { cloneDecoded, type Serializer } from './serializer.js'

/** Bytes in, bytes out: Buffer or Uint8Array only; hits return a Buffer. */
export class RawSerializer implements Serializer {
  readonly format = 'raw'
  readonly isMsgpack = false

  serialize(value: unknown): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      const what = value === null ? 'null' : typeof value === 'object' ? value.constructor.name : typeof value
      throw new SerializationError(
        'UNSUPPORTED_VALUE',
        `RawSerializer cannot serialize ${what}: return a Buffer or Uint8Array, or use StandardSerializer`,
      )
    }
    return value
  }

  cloneDecoded(value: unknown): unknown {
    return cloneDecoded(value)
  }

  deserialize(bytes: Uint8Array): unknown {
    return Buffer.from(bytes)
  }
}

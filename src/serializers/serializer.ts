import { SerializationError } from '../errors.js'

/** Values <-> bytes. `format` is written into the envelope and checked on the way back. */
export interface Serializer {
  /** Name stored in the envelope: "msgpack", "msgpack-js", "json", "arrow", "raw". */
  readonly format: string
  /** Whether the bytes are exactly one standard MessagePack document (the native reader validates them first). */
  readonly isMsgpack: boolean
  /** Throws SerializationError for a value it cannot represent exactly. */
  serialize(value: unknown): Uint8Array
  deserialize(bytes: Uint8Array): unknown
  /** Loads optional dependencies; the cache awaits it once before the first use. */
  load?(): Promise<void>
  /**
   * Optional: a deep copy of a value this serializer decoded, indistinguishable from decoding the
   * same bytes again and sharing nothing mutable with the input; NOT_CLONABLE when it cannot promise
   * that. Copy-mode L1 hits then clone one private decoded copy instead of decoding every time.
   */
  cloneDecoded?(value: unknown): unknown
}

export { cloneDecoded, NOT_CLONABLE } from './clone.js'

/** msgpackr decoding errors become SerializationError, so a corrupt payload is a typed failure. */
export function decodeFailure(format: string, err: unknown): SerializationError {
  const reason = err instanceof Error ? err.message : String(err)
  return new SerializationError(
    'DESERIALIZE_FAILED',
    `Stored ${format} bytes could not be decoded (${reason}): the entry is corrupt or was written with another serializer; invalidate it`,
    { cause: err },
  )
}

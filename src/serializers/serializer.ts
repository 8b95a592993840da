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

/** What `cloneDecoded` returns for a value it cannot copy exactly. */
export const NOT_CLONABLE: unique symbol = Symbol('cachekit.notClonable')

// Deeper values are decoded instead (no deep recursion on a hit).
const MAX_CLONE_DEPTH = 256

/**
 * Deep copy of what msgpackr or JSON.parse produce: primitives, arrays, plain objects, Date, Map,
 * Set and typed arrays (Buffer stays a Buffer), each copied into a new object of the same type with
 * the same own keys in the same order. Anything else (class instances, RegExp, Error, an own
 * `__proto__` key, deep nesting) gives NOT_CLONABLE.
 */
export function cloneDecoded(value: unknown): unknown {
  try {
    return clone(value, 0)
  } catch (err) {
    if (err === NOT_CLONABLE) return NOT_CLONABLE
    throw err
  }
}

function clone(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth > MAX_CLONE_DEPTH) throw NOT_CLONABLE
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype) {
    // Spread copies own enumerable string keys in order (as own data properties); then the nested
    // objects are replaced by their copies.
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
    const keys = Object.keys(out)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      if (key === '__proto__') throw NOT_CLONABLE
      const child = out[key]
      if (typeof child === 'object' && child !== null) out[key] = clone(child, depth + 1)
    }
    return out
  }
  if (proto === Array.prototype) {
    const out = (value as unknown[]).slice()
    for (let i = 0; i < out.length; i++) {
      const child = out[i]
      if (typeof child === 'object' && child !== null) out[i] = clone(child, depth + 1)
    }
    return out
  }
  if (proto === Date.prototype) return new Date((value as Date).getTime())
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    // %TypedArray%.prototype.slice copies into a new array of the same class (Buffer.prototype.slice would not copy).
    return Uint8Array.prototype.slice.call(value as unknown as Uint8Array)
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>()
    for (const [k, v] of value as Map<unknown, unknown>) out.set(clone(k, depth + 1), clone(v, depth + 1))
    return out
  }
  if (proto === Set.prototype) {
    const out = new Set<unknown>()
    for (const v of value as Set<unknown>) out.add(clone(v, depth + 1))
    return out
  }
  throw NOT_CLONABLE
}

/** msgpackr decoding errors become SerializationError, so a corrupt payload is a typed failure. */
export function decodeFailure(format: string, err: unknown): SerializationError {
  const reason = err instanceof Error ? err.message : String(err)
  return new SerializationError(
    'DESERIALIZE_FAILED',
    `Stored ${format} bytes could not be decoded (${reason}): the entry is corrupt or was written with another serializer; invalidate it`,
    { cause: err },
  )
}

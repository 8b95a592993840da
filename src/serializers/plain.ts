import { SerializationError } from '../errors.js'

/**
 * Deepest nesting a serializer writes: the limit of the native MessagePack reader (the protocol allows
 * readers 32..=1024), so a value that is written can always be read back. Deeper values are refused
 * at write time, before any recursion deep enough to overflow the stack.
 */
export const MAX_NESTING = 1024

export interface PlainRules {
  /** Serializer name for messages. */
  readonly name: string
  readonly allowDate: boolean
  readonly allowBytes: boolean
  readonly allowBigInt: boolean
  readonly allowNonFinite: boolean
  /** What to suggest for JS-only types (Map, Set...). */
  readonly alternative: string
  /** Whether an own `__proto__` key round-trips (JSON does; msgpackr decodes it as `__proto_`). */
  readonly allowProtoKey: boolean
  /**
   * Refuses a plain object the reader would not give back as an object (a datetime sentinel the
   * StandardSerializer revives as a Date); returns the fix to suggest, or undefined to accept it.
   */
  readonly refuseObject?: (obj: Record<string, unknown>, keys: readonly string[]) => string | undefined
}

/** What the walk found that the writer must handle. */
export interface PlainShape {
  /** Some object has an own property whose value is `undefined` (written as if it were absent). */
  undefinedProperty: boolean
}

const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

/** The state of one walk: path keys are kept per depth and only formatted when the walk fails. */
class Walk implements PlainShape {
  undefinedProperty = false
  readonly keys: Array<string | number> = []
  readonly ancestors: object[] = []
  constructor(readonly rules: PlainRules) {}

  path(depth: number): string {
    let out = 'value'
    for (let i = 0; i < depth; i++) {
      const key = this.keys[i]
      out += typeof key === 'number' ? `[${key}]` : `.${key}`
    }
    return out
  }

  fail(depth: number, what: string, fix: string): never {
    throw new SerializationError(
      'UNSUPPORTED_VALUE',
      `${this.rules.name} cannot serialize ${what} at ${this.path(depth)}: ${fix}`,
    )
  }
}

/**
 * Walks a value once and throws unless the serializer stores it without loss: a value that would come
 * back different (a Map as an object, a class instance without its prototype) is an error here, never
 * a surprise on the next cache hit. `undefined` inside the value is accepted with JSON.stringify's
 * meaning (an undefined property is absent, an undefined array element or a hole is null); a
 * top-level `undefined` is refused (the cache does not store one). Nesting is bounded by MAX_NESTING,
 * so the walk's own recursion is bounded too.
 */
export function assertPlain(value: unknown, rules: PlainRules): PlainShape {
  const walk = new Walk(rules)
  if (value === undefined) {
    walk.fail(0, 'undefined', 'a top-level undefined is not stored: return null to cache "no result"')
  }
  check(value, 0, walk)
  return walk
}

function check(value: unknown, depth: number, walk: Walk): void {
  const rules = walk.rules
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return
    case 'number':
      if (!rules.allowNonFinite && !Number.isFinite(value)) {
        walk.fail(depth, String(value), 'use null or a finite number')
      }
      return
    case 'bigint':
      if (!rules.allowBigInt) {
        walk.fail(depth, 'a BigInt', `convert it with String(x) or ${rules.alternative}`)
      }
      if (value < INT64_MIN || value > UINT64_MAX) {
        walk.fail(depth, 'a BigInt outside the 64-bit range', 'store it as a string with String(x)')
      }
      return
    case 'function':
      walk.fail(depth, 'a function', 'cache the data the function computes, not the function')
      return
    case 'symbol':
      walk.fail(depth, 'a symbol', 'use a string')
      return
  }
  if (value === null) return
  const obj = value as object
  if (obj instanceof Date) {
    if (!rules.allowDate) walk.fail(depth, 'a Date', `use date.toISOString() or ${rules.alternative}`)
    if (Number.isNaN(obj.getTime())) walk.fail(depth, 'an invalid Date', 'use null')
    return
  }
  if (obj instanceof Uint8Array) {
    if (Object.getPrototypeOf(obj) !== Uint8Array.prototype && !Buffer.isBuffer(obj)) {
      walk.fail(depth, `a ${obj.constructor.name}`, `copy it into a Uint8Array or ${rules.alternative}`)
    }
    if (!rules.allowBytes) {
      walk.fail(depth, 'binary data', 'encode it with base64 or use the standard serializer')
    }
    return
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    walk.fail(depth, `a ${obj.constructor.name}`, `copy it into a Uint8Array or ${rules.alternative}`)
  }
  if (obj instanceof Map || obj instanceof Set) {
    const fix = obj instanceof Map ? 'use Object.fromEntries(map)' : 'use [...set]'
    walk.fail(depth, `a ${obj.constructor.name}`, `${fix} or ${rules.alternative}`)
  }
  walk.ancestors[depth] = obj
  if (depth >= MAX_NESTING) tooDeep(depth, walk)
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      walk.keys[depth] = i
      check(obj[i], depth + 1, walk)
    }
    return
  }
  const proto = Object.getPrototypeOf(obj)
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj as { constructor?: { name?: string } }).constructor?.name || 'object'
    const path = walk.path(depth)
    throw new SerializationError(
      'UNSUPPORTED_VALUE',
      `Cannot serialize class instance ${name} at ${path}: return ${path}.toJSON() or a plain object`,
    )
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) {
    walk.fail(depth, 'a symbol-keyed property', 'use string keys')
  }
  if (!rules.allowProtoKey && Object.hasOwn(obj, '__proto__')) {
    walk.fail(depth, 'an own "__proto__" key', 'rename the key (it would be read back as "__proto_")')
  }
  const record = obj as Record<string, unknown>
  const keys = Object.keys(record)
  if (rules.refuseObject !== undefined) {
    const fix = rules.refuseObject(record, keys)
    if (fix !== undefined) walk.fail(depth, 'this object', fix)
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const child = record[key]
    if (child === undefined) {
      walk.undefinedProperty = true
      continue
    }
    walk.keys[depth] = key
    check(child, depth + 1, walk)
  }
}

/** Past the nesting limit: a cycle (which never ends) or a value too deep to read back. */
function tooDeep(depth: number, walk: Walk): never {
  const seen = new Set<object>()
  for (let i = 0; i <= depth; i++) {
    const ancestor = walk.ancestors[i] as object
    if (seen.has(ancestor)) walk.fail(i, 'a circular reference', 'return a tree-shaped value')
    seen.add(ancestor)
  }
  walk.fail(
    depth,
    `a value nested deeper than ${MAX_NESTING} levels`,
    'flatten it, or store the deep part as a string (JSON.stringify)',
  )
}

/**
 * Runs a serializer's write (the walk and the encoder), turning a RangeError (a call stack too small
 * for the value's nesting where serialize was called, a string beyond V8's maximum length) into a
 * typed error. Typed errors pass through.
 */
export function encodeOrFail<T>(name: string, encode: () => T): T {
  try {
    return encode()
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    throw new SerializationError(
      'UNSUPPORTED_VALUE',
      `${name} could not encode the value (${err.message}): it is too deep or too large to serialize here; flatten it or cache less`,
      { cause: err },
    )
  }
}

import { SerializationError } from '../errors.js'

/**
 * Canonical text of a call's arguments, the input of the key hash. Each value is written with a type tag
 * and, where its length varies, a length prefix, so values of different types or shapes never produce the
 * same text ("1" vs 1 vs 1n, [1,2] vs "1,2", ["a,b"] vs ["a","b"]).
 *
 *   null N   undefined U   true T   false F
 *   number n<String(x)>;   (-0 is written as 0; NaN and ±Infinity as their names)
 *   bigint b<decimal>;     string s<length>:<text>     Date d<epoch ms>;
 *   Uint8Array / Buffer B<length>:<hex>   other typed arrays t<Name><length>:<hex of bytes>
 *   ArrayBuffer A<length>:<hex>
 *   array a<count>[...]    plain object o<count>{key value ...} with keys in ascending code unit order
 *   Map m<count>{key value ...} sorted by the canonical text of each key
 *   Set S<count>[...] sorted by the canonical text of each element
 *
 * Functions, symbols, class instances, symbol-keyed properties and cycles are rejected: their identity
 * or hidden state cannot be written down, so two different calls could share one entry.
 */
export function canonicalArgs(args: readonly unknown[]): string {
  let out = `a${args.length}[`
  for (let i = 0; i < args.length; i++) out += write(args[i], `args[${i}]`, i + 1, undefined)
  return `${out}]`
}

function fail(what: string, path: string, position: number): never {
  throw new SerializationError(
    'UNSUPPORTED_KEY_ARGUMENT',
    `Cannot build a cache key from argument ${position} (${what} at ${path}): ` +
      'pass a plain value or give key: (...args) => string',
  )
}

function hex(bytes: ArrayBufferView | ArrayBuffer): string {
  const view =
    bytes instanceof ArrayBuffer
      ? Buffer.from(bytes)
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.toString('hex')
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? `class instance ${name}` : 'class instance'
}

function write(value: unknown, path: string, position: number, seen: Set<object> | undefined): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`
    case 'number':
      return Object.is(value, -0) ? 'n0;' : `n${value};`
    case 'bigint':
      return `b${value};`
    case 'boolean':
      return value ? 'T' : 'F'
    case 'undefined':
      return 'U'
    case 'function':
      return fail('a function', path, position)
    case 'symbol':
      return fail('a symbol', path, position)
  }
  if (value === null) return 'N'
  const obj = value as object
  if (obj instanceof Date) {
    const ms = obj.getTime()
    if (Number.isNaN(ms)) fail('an invalid Date', path, position)
    return `d${ms};`
  }
  if (obj instanceof Uint8Array) return `B${obj.byteLength}:${hex(obj)}`
  if (ArrayBuffer.isView(obj)) return `t${obj.constructor.name}${obj.byteLength}:${hex(obj)}`
  if (obj instanceof ArrayBuffer) return `A${obj.byteLength}:${hex(obj)}`
  // Containers: track the path of objects being written to refuse cycles (allocated on first need).
  const stack = seen ?? new Set<object>()
  if (stack.has(obj)) fail('a circular reference', path, position)
  stack.add(obj)
  let out: string
  if (Array.isArray(obj)) {
    out = `a${obj.length}[`
    for (let i = 0; i < obj.length; i++) out += write(obj[i], `${path}[${i}]`, position, stack)
    out += ']'
  } else if (obj instanceof Map) {
    const entries = [...obj].map(
      ([k, v], i) =>
        [
          write(k, `${path}.<key ${i}>`, position, stack),
          write(v, `${path}.<value ${i}>`, position, stack),
        ] as const,
    )
    entries.sort((a, b) => compare(a[0], b[0]))
    out = `m${entries.length}{${entries.map(([k, v]) => k + v).join('')}}`
  } else if (obj instanceof Set) {
    const items = [...obj].map((v, i) => write(v, `${path}.<element ${i}>`, position, stack))
    items.sort(compare)
    out = `S${items.length}[${items.join('')}]`
  } else {
    const proto = Object.getPrototypeOf(obj)
    if (proto !== Object.prototype && proto !== null) fail(describe(obj), path, position)
    if (Object.getOwnPropertySymbols(obj).length > 0) fail('a symbol-keyed property', path, position)
    const keys = Object.keys(obj).sort(compare)
    out = `o${keys.length}{`
    for (const k of keys) {
      out += `s${k.length}:${k}${write((obj as Record<string, unknown>)[k], `${path}.${k}`, position, stack)}`
    }
    out += '}'
  }
  stack.delete(obj)
  return out
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

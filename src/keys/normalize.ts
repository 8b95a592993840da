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
  const out: string[] = [`a${args.length}[`]
  for (let i = 0; i < args.length; i++) {
    write(args[i], out, `args[${i}]`, i + 1, new Set())
  }
  out.push(']')
  return out.join('')
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

function nested(value: unknown, path: string, position: number, seen: Set<object>): string {
  const out: string[] = []
  write(value, out, path, position, seen)
  return out.join('')
}

function write(value: unknown, out: string[], path: string, position: number, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(`s${value.length}:`, value)
      return
    case 'number':
      out.push('n', Object.is(value, -0) ? '0' : String(value), ';')
      return
    case 'bigint':
      out.push('b', value.toString(), ';')
      return
    case 'boolean':
      out.push(value ? 'T' : 'F')
      return
    case 'undefined':
      out.push('U')
      return
    case 'function':
      fail('a function', path, position)
      return
    case 'symbol':
      fail('a symbol', path, position)
      return
  }
  if (value === null) {
    out.push('N')
    return
  }
  const obj = value as object
  if (seen.has(obj)) fail('a circular reference', path, position)
  if (obj instanceof Date) {
    const ms = obj.getTime()
    if (Number.isNaN(ms)) fail('an invalid Date', path, position)
    out.push('d', String(ms), ';')
    return
  }
  if (obj instanceof Uint8Array) {
    out.push(`B${obj.byteLength}:`, hex(obj))
    return
  }
  if (ArrayBuffer.isView(obj)) {
    out.push(`t${obj.constructor.name}${obj.byteLength}:`, hex(obj))
    return
  }
  if (obj instanceof ArrayBuffer) {
    out.push(`A${obj.byteLength}:`, hex(obj))
    return
  }
  seen.add(obj)
  if (Array.isArray(obj)) {
    out.push(`a${obj.length}[`)
    for (let i = 0; i < obj.length; i++) write(obj[i], out, `${path}[${i}]`, position, seen)
    out.push(']')
  } else if (obj instanceof Map) {
    const entries = [...obj].map(([k, v], i) => [
      nested(k, `${path}.<key ${i}>`, position, seen),
      nested(v, `${path}.<value ${i}>`, position, seen),
    ])
    entries.sort((a, b) => compare(a[0] as string, b[0] as string))
    out.push(`m${entries.length}{`, ...entries.flat(), '}')
  } else if (obj instanceof Set) {
    const items = [...obj].map((v, i) => nested(v, `${path}.<element ${i}>`, position, seen))
    items.sort(compare)
    out.push(`S${items.length}[`, ...items, ']')
  } else {
    const proto = Object.getPrototypeOf(obj)
    if (proto !== Object.prototype && proto !== null) fail(describe(obj), path, position)
    if (Object.getOwnPropertySymbols(obj).length > 0) fail('a symbol-keyed property', path, position)
    const keys = Object.keys(obj).sort(compare)
    out.push(`o${keys.length}{`)
    for (const k of keys) {
      out.push(`s${k.length}:`, k)
      write((obj as Record<string, unknown>)[k], out, `${path}.${k}`, position, seen)
    }
    out.push('}')
  }
  seen.delete(obj)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

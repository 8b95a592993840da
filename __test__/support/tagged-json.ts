/**
 * The protocol's "tagged JSON" (interop-mode.json `tagged_json`): single-key objects with a `$` key
 * carry typed values JSON cannot. Mapped to the JavaScript values a caller would pass:
 * `$set` → Set, `$bytes` → Buffer, `$int` → bigint, `$float` → number, `$uuid` → lowercase string
 * (JavaScript has no UUID type: callers pass the canonical string), `$datetime` → Date.
 * A `$datetime` with a precision finer than a millisecond has no Date: `NotADate` says so.
 */
import type { Json } from './vectors.js'

export class NotADate extends Error {}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-]\d{2}:\d{2}|Z)?$/

export function taggedDate(text: string): Date {
  const match = ISO.exec(text)
  if (match === null) throw new Error(`not an ISO datetime: ${text}`)
  const fraction = (match[7] ?? '').padEnd(6, '0')
  if (!fraction.endsWith('000')) throw new NotADate(`${text} has microseconds, a Date only milliseconds`)
  if (match[8] === undefined) throw new NotADate(`${text} is naive (no UTC offset): no instant`)
  const ms = Date.parse(`${text.slice(0, 19)}.${fraction.slice(0, 3)}${match[8]}`)
  return new Date(ms)
}

export function fromTagged(value: Json): unknown {
  if (Array.isArray(value)) return value.map(fromTagged)
  if (value === null || typeof value !== 'object') return value
  const keys = Object.keys(value)
  const tag = keys.length === 1 ? keys[0] : undefined
  if (tag?.startsWith('$')) {
    const inner = value[tag]
    switch (tag) {
      case '$set':
        return new Set((inner as Json[]).map(fromTagged))
      case '$bytes':
        return Buffer.from(inner as string, 'hex')
      case '$int':
        return BigInt(inner as string)
      case '$float':
        return Number(inner as string)
      case '$uuid':
        return (inner as string).toLowerCase()
      case '$datetime':
        return taggedDate(inner as string)
      default:
        throw new Error(`unknown tag ${tag}`)
    }
  }
  const out: Record<string, unknown> = {}
  for (const key of keys)
    Object.defineProperty(out, key, {
      value: fromTagged(value[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return out
}

/**
 * Argument checks for the native facade. napi-rs refuses wrong types itself, but with messages
 * that name neither the argument nor the fix ("Expected $name, got 8", "Get TypedArray info
 * failed"), and a missing options object reached `options.cacheKey` as a raw TypeError. Each
 * check is a typeof or instanceof on the fast path; the message is only built on failure.
 */
import { types } from 'node:util'
import { CachekitError } from '../errors.js'

const BYTES_FIX =
  'pass a Buffer or Uint8Array (Buffer.from(text) for a string, new Uint8Array(arrayBuffer) for an ArrayBuffer, ' +
  'new Uint8Array(view.buffer, view.byteOffset, view.byteLength) for another typed array)'

/** How a wrong value looks in a message, without echoing its contents (it may be secret). */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer'
  const type = typeof value
  if (type === 'number') return `the number ${String(value)}`
  if (type === 'undefined') return 'undefined'
  return type === 'object' ? 'an object' : `a ${type}`
}

function invalid(where: string, name: string, expected: string, value: unknown, fix: string): CachekitError {
  return new CachekitError(
    'INVALID_ARGUMENT',
    `\`${name}\` of ${where} must be ${expected}, got ${describe(value)}: ${fix}`,
  )
}

/** A Uint8Array (Buffer included, from any realm): what the native calls read. */
export function checkBytes(value: unknown, name: string, where: string): void {
  if (value instanceof Uint8Array || types.isUint8Array(value)) return
  throw invalid(where, name, 'a Uint8Array or Buffer', value, BYTES_FIX)
}

export function checkString(value: unknown, name: string, where: string, fix: string): void {
  if (typeof value !== 'string') throw invalid(where, name, 'a string', value, fix)
}

export function checkOptionalString(value: unknown, name: string, where: string, fix: string): void {
  if (value !== undefined && typeof value !== 'string')
    throw invalid(where, name, 'a string or absent', value, fix)
}

export function checkBoolean(value: unknown, name: string, where: string): void {
  if (typeof value !== 'boolean')
    throw invalid(where, name, 'true or false', value, `pass ${name}: true or false`)
}

export function checkOptionalBoolean(value: unknown, name: string, where: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalid(where, name, 'true, false or absent', value, `pass ${name}: true or false, or leave it out`)
  }
}

/** An options object (not null, not an array); `undefined` only when it is optional. */
export function checkOptions(
  value: unknown,
  name: string,
  where: string,
  fix: string,
  optional: boolean,
): void {
  if (optional && value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, name, optional ? 'an object or absent' : 'an object', value, fix)
  }
}

export function checkArray(
  value: unknown,
  name: string,
  where: string,
  fix: string,
): asserts value is unknown[] {
  if (!Array.isArray(value)) throw invalid(where, name, 'an array', value, fix)
}

/** A master key as `TenantKeys.derive` takes it: 64 hex characters or 32 raw bytes. */
export function checkMasterKey(value: unknown, name: string, where: string): void {
  if (typeof value === 'string' || value instanceof Uint8Array || types.isUint8Array(value)) return
  throw invalid(
    where,
    name,
    'a string of 64 hex characters or 32 raw bytes',
    value,
    'pass the key as hex (generate one with `openssl rand -hex 32`) or as a 32-byte Buffer',
  )
}

/** A whole, non-negative number of bytes. */
export function checkSize(value: unknown, name: string, where: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(where, name, 'a non-negative integer', value, 'pass the exact decompressed length in bytes')
  }
}

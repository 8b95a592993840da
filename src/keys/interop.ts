import { ConfigurationError } from '../errors.js'
import { blake2b256Hex } from '../native/index.js'
import { canonicalInteropArgs } from '../serializers/canonical-msgpack.js'

/**
 * Keys of interop mode (interop/v1): `{namespace}:{operation}:{hex(blake2b-256(canonical args))}`,
 * with no prefix, exactly what Python's `@cache(namespace=..., interop=...)` computes for the same
 * arguments. Both segments must fully match the protocol's pattern, never normalised.
 */

// Anchored on both ends and tested on the whole string: no trailing newline slips through.
const SEGMENT_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/
// A server that parses `ns:` / `nsapi:` as a namespace prefix would misread such keys.
const RESERVED_NAMESPACES = new Set(['ns', 'nsapi'])

/** Throws ConfigurationError unless `value` can be the interop `what` ('namespace' or 'operation'). */
export function validateInteropSegment(value: unknown, what: 'namespace' | 'operation'): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
  if (typeof value !== 'string' || !SEGMENT_RE.test(value)) {
    throw new ConfigurationError(
      'INVALID_INTEROP_SEGMENT',
      `Invalid interop ${what} ${shown}: it must be 1-64 characters of lowercase ASCII letters, digits and . _ - ` +
        `starting with a letter or digit (the protocol pattern ^[a-z0-9][a-z0-9._-]{0,63}$), e.g. "get_user"`,
    )
  }
  if (value.includes('..')) {
    throw new ConfigurationError(
      'INVALID_INTEROP_SEGMENT',
      `Invalid interop ${what} ${shown}: it must not contain "..", which cachekit servers refuse anywhere in a key`,
    )
  }
  if (what === 'namespace' && RESERVED_NAMESPACES.has(value)) {
    throw new ConfigurationError(
      'INVALID_INTEROP_SEGMENT',
      `The interop namespace ${shown} is reserved (a server reads keys starting "${value}:" as namespace-prefixed): choose another namespace`,
    )
  }
  return value
}

/** `{namespace}:{operation}:` — every interop key of one function starts with it. */
export function interopPrefix(namespace: string, operation: string): string {
  return `${namespace}:${operation}:`
}

/** The interop key of a call; segments already validated, `args` the whole argument array. */
export function interopKey(namespace: string, operation: string, args: readonly unknown[]): string {
  return interopPrefix(namespace, operation) + blake2b256Hex(canonicalInteropArgs(args))
}

import { createHash } from 'node:crypto'
import { CACHE_DEFAULTS } from '../defaults.js'
import { ConfigurationError, SerializationError } from '../errors.js'
import { canonicalArgs } from './normalize.js'

/**
 * Key format (README "Keys"):
 *   arguments hashed:   ck:{namespace}:{64 hex}   hex = blake2b-512(canonicalArgs(args)) truncated to 32 bytes
 *   custom key / by-key: ck:{namespace}:{userKey}
 *   a by-key cache's wrap(fn): ck:{namespace}/{name}:...  (its own key space: no by-key key can reach it)
 *   too long (> 250 UTF-8 bytes): ck:{namespace}:#{64 hex}   hex = the same hash of the userKey
 * blake2b-512 is in every Node build (blake2b-256 is not exposed by node:crypto); 32 bytes keep it
 * collision resistant while keeping keys short.
 */

// Colons separate key segments, `/` separates a cache's namespace from its wraps' names, and glob
// characters would break SCAN patterns when clearing a namespace.
const NAMESPACE_RE = /^[\p{L}\p{N}_.\-$@]+$/u

export function hashText(text: string): string {
  return createHash('blake2b512').update(text, 'utf8').digest('hex').slice(0, CACHE_DEFAULTS.keyHashHexChars)
}

/** Throws ConfigurationError unless `namespace` can be one key segment. */
export function validateNamespace(namespace: unknown, what = 'namespace'): string {
  if (
    typeof namespace !== 'string' ||
    namespace.length === 0 ||
    !NAMESPACE_RE.test(namespace) ||
    Buffer.byteLength(namespace) > CACHE_DEFAULTS.maxNamespaceBytes
  ) {
    throw new ConfigurationError(
      'INVALID_NAMESPACE',
      `Invalid ${what} ${typeof namespace === 'string' ? JSON.stringify(namespace) : String(namespace)}: use 1-${CACHE_DEFAULTS.maxNamespaceBytes} bytes of ` +
        'letters, digits and . _ - $ @ (no colons, slashes, spaces or glob characters)',
    )
  }
  return namespace
}

/** The namespace of a by-key cache's wrapped function: inside the cache's, apart from its by-key keys. */
export function wrapNamespace(cacheNamespace: string, name: string): string {
  return `${cacheNamespace}/${validateNamespace(name, 'wrap name')}`
}

/** `ck:{namespace}/` — every key of a by-key cache's wrapped functions starts with it. */
export function wrapsPrefix(cacheNamespace: string): string {
  return `${CACHE_DEFAULTS.keyPrefix}:${cacheNamespace}/`
}

/** `ck:{namespace}:` — every key of a namespace starts with it, which is what clear() scans for. */
export function namespacePrefix(namespace: string): string {
  return `${CACHE_DEFAULTS.keyPrefix}:${namespace}:`
}

// Hashing dominates an L1 hit (a few µs per createHash), and hot keys repeat: short canonical texts
// keep their hash in a small map, dropped wholesale when full (cheaper than LRU bookkeeping).
const MEMO_LIMIT = 4096
const MEMO_MAX_TEXT = 512
const memo = new Map<string, string>()

function memoHash(text: string): string {
  if (text.length > MEMO_MAX_TEXT) return hashText(text)
  let hash = memo.get(text)
  if (hash === undefined) {
    hash = hashText(text)
    if (memo.size >= MEMO_LIMIT) memo.clear()
    memo.set(text, hash)
  }
  return hash
}

/** Key of a call from its arguments. */
export function keyFromArgs(namespace: string, args: readonly unknown[]): string {
  return keyFromCanonical(namespace, canonicalArgs(args))
}

/** Key of a call from the canonical text of its arguments (`canonicalArgs`). */
export function keyFromCanonical(namespace: string, text: string): string {
  return namespacePrefix(namespace) + memoHash(text)
}

/** Key from a string the user chose (custom key function or the by-key API); hashed when too long. */
export function keyFromUserKey(namespace: string, userKey: unknown): string {
  if (typeof userKey !== 'string' || userKey.length === 0) {
    throw new SerializationError(
      'INVALID_KEY',
      `A cache key must be a non-empty string, got ${userKey === '' ? 'an empty string' : typeof userKey}: ` +
        'use a string such as "user:" + id (as the key, or as what your key function returns)',
    )
  }
  const prefix = namespacePrefix(namespace)
  const full = prefix + userKey
  if (Buffer.byteLength(full) <= CACHE_DEFAULTS.maxKeyBytes) return full
  return `${prefix}#${hashText(userKey)}`
}

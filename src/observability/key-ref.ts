import { keyRef } from '../cache/logger.js'

/** Keys whose reference is remembered; emptied wholesale when full (like the key memo of a cached function). */
const MEMO_LIMIT = 4096
const refs = new Map<string, string>()

/**
 * `keyRef(key)` (12 hex characters of the key's SHA-256, as in log lines), remembered for hot keys:
 * a hash costs microseconds, and a subscriber to every hit or a span per command asks for the same
 * few keys again and again.
 */
export function refOf(key: string): string {
  let ref = refs.get(key)
  if (ref === undefined) {
    if (refs.size >= MEMO_LIMIT) refs.clear()
    ref = keyRef(key)
    refs.set(key, ref)
  }
  return ref
}

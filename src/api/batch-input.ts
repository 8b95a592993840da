import { CachekitError } from '../errors.js'

/**
 * Checks the shapes of by-key batch arguments before anything is read or written: a batch that is
 * not what it should be is refused whole, never half-applied (`setMany(['ab', 'cd'])` would
 * otherwise store a='b').
 */

function refuse(message: string): never {
  throw new CachekitError('INVALID_ARGUMENT', message)
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  )
}

/** `getMany(keys)`: an array of strings. */
export function readKeyList(keys: unknown): string[] {
  if (!Array.isArray(keys)) {
    refuse(
      `getMany(keys) takes an array of keys, got ${typeof keys === 'string' ? 'a string' : typeof keys}: e.g. getMany(['user:1', 'user:2'])`,
    )
  }
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || key === '') {
      refuse(
        `getMany(keys): keys[${i}] must be a non-empty string, got ${key === '' ? 'an empty string' : typeof key}`,
      )
    }
  })
  return keys as string[]
}

/** `setMany(entries)`: an iterable (array, Map) of `[key, value]` pairs. */
export function readEntries(entries: unknown): Array<readonly [string, unknown]> {
  if (typeof entries === 'string' || !isIterable(entries)) {
    const hint =
      entries !== null && typeof entries === 'object'
        ? ': for a plain object write setMany(Object.entries(obj))'
        : ": e.g. setMany([['a', 1], ['b', 2]]) or setMany(map)"
    refuse(`setMany(entries) takes an iterable of [key, value] pairs, got ${typeof entries}${hint}`)
  }
  const list: Array<readonly [string, unknown]> = []
  let i = 0
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      refuse(
        `setMany(entries): entry ${i} must be a [key, value] pair, got ${Array.isArray(entry) ? `an array of ${entry.length}` : typeof entry}: ` +
          "pass pairs, e.g. setMany([['a', 1], ['b', 2]])",
      )
    }
    const [key, value] = entry as [unknown, unknown]
    if (typeof key !== 'string' || key === '') {
      refuse(
        `setMany(entries): the key of entry ${i} must be a non-empty string, got ${key === '' ? 'an empty string' : typeof key}`,
      )
    }
    list.push([key, value])
    i++
  }
  return list
}

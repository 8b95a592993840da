import { interopKey } from '../keys/interop.js'
import { keyFromArgs, keyFromCanonical, keyFromUserKey } from '../keys/keys.js'
import { canonicalArgs } from '../keys/normalize.js'
import { checkArity, type InteropSpec } from './interop.js'

/** Calls whose key each cached function remembers (per argument shape), and the longest text kept. */
const KEY_MEMO_LIMIT = 1024
const KEY_MEMO_MAX_TEXT = 256

/** Stores a computed key in a bounded memo (emptied wholesale when full) and returns it. */
function remember<K>(memo: Map<K, string>, arg: K, key: string): string {
  if (memo.size >= KEY_MEMO_LIMIT) memo.clear()
  memo.set(arg, key)
  return key
}

/** Whether a single argument is looked up in the memo by itself. */
function memoisable(arg: unknown, withUndefined: boolean): boolean {
  const type = typeof arg
  return (
    arg === null ||
    type === 'number' ||
    type === 'boolean' ||
    type === 'bigint' ||
    (type === 'undefined' && withUndefined) ||
    (type === 'string' && (arg as string).length <= KEY_MEMO_MAX_TEXT)
  )
}

/**
 * The keys of one cached function's calls: its own `key` function, interop keys, or the hash of the
 * arguments' canonical text. Keys of recent calls are remembered, so a hot call builds no canonical
 * text and hashes nothing: one argument that is a primitive is looked up by itself (Map keys compare
 * like the canonical text: 1 and '1' differ, 0 and -0 do not; for interop keys 1 and 1n hash alike,
 * which the memo only stores twice), other argument lists by their canonical text. Dropped wholesale
 * when full. The namespace is fixed once the function's engine exists, so the keys stay valid.
 */
export class CallKeys {
  readonly #primitive = new Map<unknown, string>()
  readonly #text = new Map<string, string>()
  readonly #interop: InteropSpec | null
  readonly #userKey: ((...args: never[]) => string) | undefined
  readonly #label: string

  constructor(
    interop: InteropSpec | null,
    userKey: ((...args: never[]) => string) | undefined,
    label: string,
  ) {
    this.#interop = interop
    this.#userKey = userKey
    this.#label = label
  }

  of(namespace: string, thisArg: unknown, args: unknown[]): string {
    const interop = this.#interop
    if (interop !== null) return this.#interopKey(interop, args)
    const userKey = this.#userKey as ((...a: unknown[]) => string) | undefined
    if (userKey !== undefined) return keyFromUserKey(namespace, userKey.apply(thisArg, args))
    if (args.length === 1 && memoisable(args[0], true)) {
      const arg = args[0]
      return this.#primitive.get(arg) ?? remember(this.#primitive, arg, keyFromArgs(namespace, args))
    }
    const text = canonicalArgs(args)
    if (text.length > KEY_MEMO_MAX_TEXT) return keyFromCanonical(namespace, text)
    return this.#text.get(text) ?? remember(this.#text, text, keyFromCanonical(namespace, text))
  }

  /** Interop keys: the arity is checked on every call; a single primitive argument is memoised. */
  #interopKey(spec: InteropSpec, args: unknown[]): string {
    checkArity(spec, args, this.#label)
    if (args.length === 1 && memoisable(args[0], false)) {
      const arg = args[0]
      return (
        this.#primitive.get(arg) ??
        remember(this.#primitive, arg, interopKey(spec.namespace, spec.operation, args))
      )
    }
    return interopKey(spec.namespace, spec.operation, args)
  }
}

/** What `cloneDecoded` returns for a value it cannot copy exactly. */
export const NOT_CLONABLE: unique symbol = Symbol('cachekit.notClonable')

// Deeper values are decoded instead (no deep recursion on a hit).
const MAX_CLONE_DEPTH = 256

/**
 * Deep copy of what msgpackr or JSON.parse produce: primitives, arrays, plain objects, Date, Map,
 * Set and typed arrays (Buffer stays a Buffer), each copied into a new object of the same type with
 * the same own keys in the same order. Anything else (class instances, RegExp, Error, an own
 * `__proto__` key, nesting deeper than 256) gives NOT_CLONABLE.
 *
 * The copy is linear in the size of the value: a value that reaches one object twice (a shared
 * reference or a cycle, which the serializers never decode but a hostile payload or a globally
 * registered msgpackr extension could produce) gives NOT_CLONABLE too. Copying such a graph as a
 * tree would cost one copy per path, and a 300-byte graph can have 2^60 paths.
 *
 * Finding shared objects takes a Set of every object seen, which costs as much as a third of the
 * copy. A copy made here is a tree by construction, so the copies that are themselves cloned
 * later (copy-mode L1 templates, which are never handed out or changed) are remembered in a WeakSet
 * and cloned without it.
 */
export function cloneDecoded(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const known = trees.has(value)
  try {
    const copy = clone(value, 0, known ? null : new Set())
    if (!known) trees.add(copy as object)
    return copy
  } catch (err) {
    if (err === NOT_CLONABLE) return NOT_CLONABLE
    throw err
  }
}

/** Copies made by `cloneDecoded` from a value it checked: trees, so cloning them needs no check. */
const trees = new WeakSet<object>()

/** `seen` is null when `value` is known to be a tree. */
function clone(value: object, depth: number, seen: Set<object> | null): unknown {
  if (depth > MAX_CLONE_DEPTH) throw NOT_CLONABLE
  if (seen !== null) {
    if (seen.has(value)) throw NOT_CLONABLE
    seen.add(value)
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype) {
    // Spread copies own enumerable string keys in order (as own data properties); then the nested
    // objects are replaced by their copies.
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
    const keys = Object.keys(out)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      if (key === '__proto__') throw NOT_CLONABLE
      const child = out[key]
      if (typeof child === 'object' && child !== null) out[key] = clone(child, depth + 1, seen)
    }
    return out
  }
  if (proto === Array.prototype) {
    const out = (value as unknown[]).slice()
    for (let i = 0; i < out.length; i++) {
      const child = out[i]
      if (typeof child === 'object' && child !== null) out[i] = clone(child, depth + 1, seen)
    }
    return out
  }
  if (proto === Date.prototype) return new Date((value as Date).getTime())
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    // %TypedArray%.prototype.slice copies into a new array of the same class (Buffer.prototype.slice would not copy).
    return Uint8Array.prototype.slice.call(value as unknown as Uint8Array)
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>()
    for (const [k, v] of value as Map<unknown, unknown>) out.set(child(k, depth, seen), child(v, depth, seen))
    return out
  }
  if (proto === Set.prototype) {
    const out = new Set<unknown>()
    for (const v of value as Set<unknown>) out.add(child(v, depth, seen))
    return out
  }
  throw NOT_CLONABLE
}

function child(value: unknown, depth: number, seen: Set<object> | null): unknown {
  return typeof value === 'object' && value !== null ? clone(value, depth + 1, seen) : value
}

import { FrozenValueError } from '../errors.js'

/**
 * Makes a value safe to share between every caller of a frozen-mode L1: a caller that tries to change
 * it gets an error, and nothing it does reaches the next caller.
 *
 * `Object.freeze` stops property writes but not a Map's `set`, a Set's `add` or a Date's `setTime`,
 * which change internal slots. Those instances get own, non-writable mutators that throw instead
 * (reads stay the prototype's methods, so they cost nothing). Typed arrays and Buffers cannot be
 * frozen while they have elements and stay mutable (documented: use copy mode for them).
 *
 * An explicit stack (nesting depth costs heap, not call stack), and each object is visited once (an
 * object already frozen is not entered again, so shared references and cycles cost nothing extra):
 * linear in the number of distinct objects.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const next = stack.pop()
    if (next === null || typeof next !== 'object' || Object.isFrozen(next) || ArrayBuffer.isView(next)) {
      continue
    }
    if (next instanceof Map) {
      lockMutators(next, MAP_MUTATORS, 'Map', 'new Map(value)')
      for (const [k, v] of next) stack.push(k, v)
    } else if (next instanceof Set) {
      lockMutators(next, SET_MUTATORS, 'Set', 'new Set(value)')
      for (const v of next) stack.push(v)
    } else if (next instanceof Date) {
      lockMutators(next, DATE_MUTATORS, 'Date', 'new Date(value)')
    } else {
      const record = next as Record<string, unknown>
      for (const key of Object.keys(record)) {
        const child = record[key]
        if (typeof child === 'object' && child !== null) stack.push(child)
      }
    }
    Object.freeze(next)
  }
  return value
}

const MAP_MUTATORS = ['set', 'delete', 'clear'] as const
const SET_MUTATORS = ['add', 'delete', 'clear'] as const
const DATE_MUTATORS = Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set'))

function lockMutators(target: object, names: readonly string[], kind: string, copy: string): void {
  for (const name of names) {
    Object.defineProperty(target, name, {
      value: function refuseChange(): never {
        throw new FrozenValueError(
          'FROZEN_VALUE',
          `${kind}.prototype.${name} on a value from a frozen-mode cache: every caller shares this ${kind}. ` +
            `Copy it first (${copy}), or use l1: { mode: 'copy' } to give each caller its own value`,
        )
      },
      enumerable: false,
      writable: false,
      configurable: false,
    })
  }
}

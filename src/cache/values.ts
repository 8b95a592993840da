import { NOT_CLONABLE, type Serializer } from '../serializers/serializer.js'
import { type L1Cache, type L1Entry, NO_TEMPLATE_YET } from './l1.js'

/**
 * A value as stored: the payload bytes and the value this caller gets (`payload` null: an
 * `undefined` result that was not stored).
 */
export interface Stored {
  value: unknown
  payload: Uint8Array | null
}

export const NOT_STORED: Stored = Object.freeze({ value: undefined, payload: null })

/**
 * How callers get values in the two L1 modes. Copy mode: every caller gets its own value, decoded
 * from the payload or cloned from a private decoded template; frozen mode: one deep-frozen value for
 * all. The caller that computed a value gets the decode of what was stored, exactly what a hit
 * returns (a miss and a hit never differ).
 */
export class ValueCopies {
  readonly #serializer: Serializer
  readonly mode: 'copy' | 'frozen'

  constructor(serializer: Serializer, mode: 'copy' | 'frozen') {
    this.#serializer = serializer
    this.mode = mode
  }

  /** What was stored, with the decode this caller gets. */
  stored(payload: Uint8Array): Stored {
    return { value: this.#serializer.deserialize(payload), payload }
  }

  /** The value for a caller that joined another caller's read or computation. */
  forJoiner(stored: Stored): unknown {
    if (stored.payload === null || this.mode === 'frozen') return stored.value
    return this.#serializer.deserialize(stored.payload)
  }

  /**
   * The value an L1 hit hands out: the one frozen value, or in copy mode a fresh copy, cloned from
   * the entry's private decoded template (decoded once, by the first hit) or decoded from the bytes.
   */
  fromEntry(entry: L1Entry): unknown {
    const bytes = entry.bytes
    if (bytes === null) return entry.frozen
    const serializer = this.#serializer
    const template = entry.template
    if (template === NO_TEMPLATE_YET) {
      const value = serializer.deserialize(bytes)
      entry.template = serializer.cloneDecoded === undefined ? NOT_CLONABLE : serializer.cloneDecoded(value)
      return value
    }
    if (template !== NOT_CLONABLE && serializer.cloneDecoded !== undefined) {
      const copy = serializer.cloneDecoded(template)
      if (copy !== NOT_CLONABLE) return copy
    }
    return serializer.deserialize(bytes)
  }

  /**
   * Puts a stored value into L1 in this mode's form (frozen: the caller's decode, frozen in place),
   * fresh for `ttlMs` and kept `staleMs` longer for stale-while-revalidate and grace.
   */
  fill(l1: L1Cache, key: string, stored: Stored, ttlMs: number, staleMs = 0): void {
    const payload = stored.payload
    if (payload === null) return
    if (this.mode === 'frozen') l1.setFrozen(key, stored.value, payload.byteLength, ttlMs, staleMs)
    else l1.setBytes(key, payload, ttlMs, staleMs)
  }

  /** The value of an L1 entry kept past its fresh deadline, as a Stored a flight can hand out. */
  fromStaleEntry(entry: L1Entry): Stored {
    return { value: this.fromEntry(entry), payload: entry.bytes }
  }
}

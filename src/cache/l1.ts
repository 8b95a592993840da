/**
 * The in-process tier. It holds serialized payload bytes (not envelopes, so a hit never needs the
 * native addon) and every hit decodes a fresh value: a caller mutating what it got cannot change what
 * the next caller gets. In `frozen` mode it holds one deep-frozen value instead and hands out that same
 * object, trading the decode for immutability.
 *
 * LRU in O(1): a Map keeps insertion order, eviction takes from the front, and a hit re-inserts its
 * key at the end, unless the entry is already in the newer half (a delete + set per hit on hot keys
 * costs more than the rest of the hit). So an entry is never evicted before every entry that was
 * last used before it and is in the older half. The byte budget counts payload lengths.
 *
 * Copy mode hits clone a private decoded copy of the entry (made by its first hit) rather than decode
 * the bytes again: several times cheaper, with the same result. That copy lives beside the bytes, so
 * an entry that has been hit takes about as much memory again as a frozen-mode entry, beyond the
 * budget (which still counts payload lengths only).
 */
import { deepFreeze } from './freeze.js'

/** `L1Entry.template` before the first hit. */
export const NO_TEMPLATE_YET: unique symbol = Symbol('cachekit.noTemplateYet')
export interface L1Entry {
  readonly bytes: Uint8Array | null
  readonly frozen: unknown
  /**
   * Copy mode: a private decoded copy that hits are cloned from (never handed out), made by the
   * first hit; NO_TEMPLATE_YET before that, NOT_CLONABLE when the serializer cannot clone the value.
   */
  template: unknown
  readonly size: number
  /** Until then (epoch ms) the entry is fresh: served by hits. */
  readonly freshUntil: number
  /**
   * Until then the entry is kept though no longer fresh, for stale-while-revalidate and grace
   * (`getStale`); equal to `freshUntil` when no stale window was asked for.
   */
  readonly staleUntil: number
  /** Value of the insertion clock when the entry was last put at the end. */
  touched: number
}

export class L1Cache {
  readonly maxBytes: number
  readonly #entries = new Map<string, L1Entry>()
  #bytes = 0
  #clock = 0

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  get size(): number {
    return this.#entries.size
  }

  get bytes(): number {
    return this.#bytes
  }

  /** The fresh entry, moved to the most-recently-used end; undefined when missing or no longer fresh. */
  get(key: string, now = Date.now()): L1Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.freshUntil <= now) {
      if (entry.staleUntil <= now) this.delete(key)
      return undefined
    }
    // clock - touched = how many keys were put at the end after this one (an upper bound on its
    // distance from the end); only entries that may be in the older half move, and never the entry
    // already at the end (a cache of one or two hot keys would otherwise move on every hit).
    const behind = this.#clock - entry.touched
    if (behind !== 0 && behind >= this.#entries.size >> 1) {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      entry.touched = ++this.#clock
    }
    return entry
  }

  /** An entry past its fresh deadline but within its stale window (or fresh); no LRU move. */
  getStale(key: string, now = Date.now()): L1Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.staleUntil <= now) {
      this.delete(key)
      return undefined
    }
    return entry
  }

  /** Remaining fresh lifetime in ms, without touching the LRU order; undefined when missing or not fresh. */
  remainingMs(key: string, now = Date.now()): number | undefined {
    const entry = this.#entries.get(key)
    return entry === undefined || entry.freshUntil <= now ? undefined : entry.freshUntil - now
  }

  /**
   * Copies the bytes, so a later write into the caller's buffer cannot reach the cache. `staleMs`:
   * how long after its TTL the entry is kept for `getStale` (default 0: dropped when it expires).
   */
  setBytes(key: string, bytes: Uint8Array, ttlMs: number, staleMs = 0): void {
    const now = Date.now()
    this.#put(key, {
      bytes: Buffer.from(bytes),
      frozen: undefined,
      template: NO_TEMPLATE_YET,
      size: bytes.byteLength,
      freshUntil: now + ttlMs,
      staleUntil: now + ttlMs + staleMs,
      touched: 0,
    })
  }

  /** `size` is the serialized length, so both modes share one budget. */
  setFrozen(key: string, value: unknown, size: number, ttlMs: number, staleMs = 0): void {
    const now = Date.now()
    this.#put(key, {
      bytes: null,
      frozen: deepFreeze(value),
      template: NO_TEMPLATE_YET,
      size,
      freshUntil: now + ttlMs,
      staleUntil: now + ttlMs + staleMs,
      touched: 0,
    })
  }

  #put(key: string, entry: L1Entry): void {
    this.delete(key)
    if (entry.size > this.maxBytes || entry.staleUntil <= Date.now()) return
    entry.touched = ++this.#clock
    this.#entries.set(key, entry)
    this.#bytes += entry.size
    while (this.#bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.delete(oldest.value)
    }
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key)
    if (entry === undefined) return false
    this.#entries.delete(key)
    this.#bytes -= entry.size
    return true
  }

  deleteByPrefix(prefix: string): number {
    let count = 0
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix) && this.delete(key)) count++
    }
    return count
  }

  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}

import { type CacheEngine, MISS } from './engine.js'
import type { Prepared } from './l2-tier.js'

/**
 * The by-key operations of one namespace (createCache's get, getMany, set, setMany, has, ttl), on
 * the engine's read path, L1 and L2 tier.
 */
export class KeyedAccess {
  readonly #e: CacheEngine

  constructor(engine: CacheEngine) {
    this.#e = engine
  }

  /** By-key read: L1, then L2; MISS when neither has it (counted). */
  async get(key: string, userKey: string): Promise<unknown> {
    await this.#e.ready()
    const hit = this.#e.peek(key)
    if (hit !== MISS) return hit
    const stored = await this.#e.readL2(key, [userKey])
    if (stored !== undefined) return stored.value
    this.#e.events.emit('miss', this.#e.config.namespace, key)
    return MISS
  }

  /** By-key multi-read: L1 first, the rest in one backend round trip (not put in L1: no TTLs). */
  async getMany(keys: readonly string[], userKeys: readonly string[]): Promise<unknown[]> {
    await this.#e.ready()
    const out: unknown[] = keys.map((key) => this.#e.peek(key))
    const missing: number[] = []
    for (let i = 0; i < out.length; i++) if (out[i] === MISS) missing.push(i)
    if (missing.length === 0) return out
    const read =
      this.#e.l2 === null
        ? missing.map(() => undefined)
        : await this.#e.l2.readMany(
            missing.map((i) => keys[i] as string),
            missing.map((i) => [userKeys[i]]),
          )
    missing.forEach((i, n) => {
      const stored = read[n]
      if (stored === undefined) this.#e.events.emit('miss', this.#e.config.namespace, keys[i] as string)
      else out[i] = stored.value
    })
    return out
  }

  /**
   * By-key writes: every value serialized and wrapped first (a bad one rejects the batch before
   * anything is written), then L2 (one transaction for several), then L1. A failed L2 write rejects
   * and changes nothing in this process.
   */
  async set(
    entries: ReadonlyArray<readonly [key: string, userKey: string, value: unknown]>,
    ttl: number,
  ): Promise<void> {
    await this.#e.ready()
    const serializer = this.#e.config.serializer
    const payloads = entries.map(([, , value]) => serializer.serialize(value))
    const l2 = this.#e.l2
    if (l2 !== null) {
      const prepared: Prepared[] = entries.map(([key, userKey], i) =>
        l2.prepare(key, userKey, payloads[i] as Uint8Array),
      )
      await l2.writePrepared(prepared, ttl)
    }
    entries.forEach(([key], i) => {
      const payload = payloads[i] as Uint8Array
      this.#e.fillL1(key, this.#e.values.stored(payload), ttl * 1000)
      this.#e.events.emit('write', this.#e.config.namespace, key, payload.byteLength)
    })
  }

  async has(key: string): Promise<boolean> {
    if (this.#e.config.l1?.remainingMs(key) !== undefined) return true
    return this.#e.l2 === null ? false : this.#e.l2.exists(key)
  }

  /** Remaining seconds; null when missing. */
  async ttl(key: string): Promise<number | null> {
    if (this.#e.l2 !== null) return this.#e.l2.ttl(key)
    const ms = this.#e.config.l1?.remainingMs(key)
    return ms === undefined ? null : Math.ceil(ms / 1000)
  }
}

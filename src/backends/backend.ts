/** A stored value with its remaining lifetime, read in one round trip. */
export interface BackendEntry {
  readonly value: Buffer
  /** Remaining lifetime in milliseconds; null when the store keeps it without expiry. */
  readonly ttlMs: number | null
}

/**
 * Bytes <-> a store. Every method may reject with BackendError. Keys arrive complete (`ck:ns:...`);
 * a backend may put its own prefix in front.
 */
export interface Backend {
  /** `'memory'`, `'redis'`: reported by `info().backend`. */
  readonly name: string
  get(key: string): Promise<Buffer | null>
  /** GET and remaining TTL together (one pipelined round trip on Redis). */
  getWithTtl(key: string): Promise<BackendEntry | null>
  /** `ttlSeconds` is a positive integer. */
  set(key: string, value: Buffer, ttlSeconds: number): Promise<void>
  /**
   * Writes every entry with one TTL, all or nothing as far as the store allows (Redis: one
   * MULTI/EXEC transaction), so a failed batch never leaves some of its keys written.
   */
  setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<boolean>
  exists(key: string): Promise<boolean>
  /** Remaining seconds; null when missing; Infinity when stored without expiry. */
  ttl(key: string): Promise<number | null>
  /** One round trip for all keys on Redis; result order matches `keys`. */
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>>
  /** Deletes every key starting with `prefix` (every process's keys, not only this one's). Returns the count. */
  deleteByPrefix(prefix: string): Promise<number>
  /** Releases connections and timers; idempotent. */
  close(): Promise<void>
  /** Present on in-process stores only: lets synchronous functions use them as L2. */
  readonly sync?: SyncBackend
}

export interface SyncBackend {
  getWithTtl(key: string): BackendEntry | null
  set(key: string, value: Buffer, ttlSeconds: number): void
  delete(key: string): boolean
  deleteByPrefix(prefix: string): number
}

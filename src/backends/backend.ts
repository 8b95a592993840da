import { BackendError } from '../errors.js'

/** A stored value with its remaining lifetime, read in one round trip. */
export interface BackendEntry {
  readonly value: Buffer
  /**
   * Remaining lifetime in milliseconds; null when the store keeps it without expiry, or cannot tell
   * (`capabilities.remainingTtl` false). The cache then keeps it in L1 for its own TTL.
   */
  readonly ttlMs: number | null
}

/**
 * What a backend can do, declared once (a frozen object that never changes), so the cache chooses a
 * path up front instead of probing and catching. A backend that lacks a capability rejects the
 * operations that need it with BackendError code `UNSUPPORTED`, kind `permanent`.
 */
export interface BackendCapabilities {
  /**
   * `deleteByPrefix` removes every key that starts with the prefix, whichever process wrote it (Redis
   * SCAN + UNLINK; a Map scan in process). Without it (Memcached lists no keys) `clear()` cannot
   * delete by prefix and must make old keys unreachable instead.
   */
  readonly prefixDelete: boolean
  /**
   * `ttl()` and `getWithTtl().ttlMs` tell how long a key has left. Without it `getWithTtl` reports
   * `ttlMs: null` and `ttl()` rejects with `UNSUPPORTED`.
   */
  readonly remainingTtl: boolean
  /**
   * The `sync` face is present: synchronous cached functions may use this backend as L2. Only
   * in-process stores have it; a network round trip cannot be synchronous.
   */
  readonly sync: boolean
}

/**
 * Bytes <-> a store. Every method may reject, and only with BackendError, whose `kind` the backend
 * sets from what its client reported. Keys arrive complete (`ck:ns:...`); a backend may put its own
 * prefix in front.
 */
export interface Backend {
  /** `'memory'`, `'redis'`: reported by `info().backend`. */
  readonly name: string
  readonly capabilities: BackendCapabilities
  /**
   * What the backend puts in front of every key it stores, if anything (RedisBackend's `keyPrefix`).
   * Interop mode refuses a non-empty one: other SDKs would look for the bare key.
   */
  readonly keyPrefix?: string
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
  /** Remaining seconds; null when missing; Infinity when stored without expiry. Needs `remainingTtl`. */
  ttl(key: string): Promise<number | null>
  /** One round trip for all keys on Redis; result order matches `keys`. */
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>>
  /**
   * Optional: `getWithTtl` for several keys in one round trip (read batching uses it when present);
   * result order matches `keys`.
   */
  getManyWithTtl?(keys: readonly string[]): Promise<Array<BackendEntry | null>>
  /**
   * Deletes every key starting with `prefix`, matched literally (every process's keys, not only this
   * one's). Returns the count. Needs `prefixDelete`.
   */
  deleteByPrefix(prefix: string): Promise<number>
  /**
   * Optional: leases for distributed single-flight (stampede protection). Present only where the
   * store can take a lease atomically (Redis `SET NX PX`, an in-process Map).
   */
  readonly locks?: BackendLocks
  /** Releases connections and timers; idempotent. */
  close(): Promise<void>
  /**
   * Optional: the store's own check (Redis: a PING within the deadline and the connection state).
   * A cache's `health()` uses it when present, and otherwise sends one probe read.
   */
  health?(): Promise<BackendHealth>
  /** Present exactly when `capabilities.sync` is true: lets synchronous functions use the store as L2. */
  readonly sync?: SyncBackend
}

/**
 * Leases on an entry's key, so that one process computes a cold key while the others wait for its
 * value. The backend derives the lock's own key from the entry key (Redis: `{entry}:lock`, in the
 * entry's hash slot).
 */
export interface BackendLocks {
  /** Takes the lease when nobody holds it: true when taken (by `token`, for `leaseMs`). */
  acquire(key: string, token: string, leaseMs: number): Promise<boolean>
  /** Gives the lease back only if `token` still holds it (compare-and-delete); true when it did. */
  release(key: string, token: string): Promise<boolean>
}

/** What a backend says about itself. */
export interface BackendHealth {
  readonly status: 'healthy' | 'degraded' | 'unhealthy'
  /** Why it is not healthy; empty when it is. */
  readonly reasons: readonly string[]
  /** Round trip of the check, in milliseconds; null when it could not be sent. */
  readonly latencyMs: number | null
  /** The client's connection state (Redis: ioredis `status`); null when the store has none. */
  readonly connection: string | null
}

/** Every asynchronous operation of a Backend, for checks that an object implements the interface. */
export const BACKEND_METHODS = Object.freeze([
  'get',
  'getWithTtl',
  'set',
  'setMany',
  'delete',
  'exists',
  'ttl',
  'getMany',
  'deleteByPrefix',
  'close',
] as const satisfies ReadonlyArray<keyof Backend>)

export interface SyncBackend {
  getWithTtl(key: string): BackendEntry | null
  set(key: string, value: Buffer, ttlSeconds: number): void
  delete(key: string): boolean
  deleteByPrefix(prefix: string): number
}

/** The rejection of an operation a backend declared it cannot do (see BackendCapabilities). */
export function unsupported(
  backend: string,
  operation: string,
  capability: keyof BackendCapabilities,
): BackendError {
  return new BackendError(
    'UNSUPPORTED',
    `The ${backend} backend cannot ${operation} (capabilities.${capability} is false): check capabilities before calling it, or use a backend that has it`,
    { kind: 'permanent' },
  )
}

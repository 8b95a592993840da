/**
 * Payload bytes <-> the bytes stored in L2, with exactly one native call per value and direction:
 * `ByteStorage.store/retrieve` (LZ4 + xxh3-64 envelope) for plain caches, `TenantKeys.seal/open`
 * (envelope + AES-256-GCM bound to tenant and cache key) for encrypted ones.
 */
export interface Envelope {
  readonly encrypted: boolean
  /** `cacheKey` is the logical key (no backend prefix); `args` choose the tenant of encrypted caches. */
  wrap(payload: Uint8Array, format: string, cacheKey: string, args: readonly unknown[]): Buffer
  /** Checks and unwraps stored bytes; every failure is a typed IntegrityError / DecryptionError. */
  unwrap(
    stored: Uint8Array,
    format: string,
    cacheKey: string,
    args: readonly unknown[],
    validateMsgpack: boolean,
  ): { data: Buffer; format: string }
  /** `wrap` on the libuv thread pool, for large payloads (the event loop stays free). */
  wrapAsync(payload: Uint8Array, format: string, cacheKey: string, args: readonly unknown[]): Promise<Buffer>
  /** `unwrap` on the libuv thread pool, for large stored values. */
  unwrapAsync(
    stored: Uint8Array,
    format: string,
    cacheKey: string,
    args: readonly unknown[],
    validateMsgpack: boolean,
  ): Promise<{ data: Buffer; format: string }>
}

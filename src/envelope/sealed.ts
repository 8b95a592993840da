import { CACHE_DEFAULTS } from '../defaults.js'
import { ConfigurationError } from '../errors.js'
import { TenantKeys } from '../native/index.js'
import type { Envelope } from './envelope.js'

export interface EncryptionOptions {
  /** 64 hex characters (32 bytes) or the raw 32 bytes. */
  masterKey: string | Uint8Array
  /** Decrypt-only keys during a rotation (at most 3). */
  previousKeys?: Array<string | Uint8Array>
  /** One tenant for the whole cache, or a function of the call's arguments. */
  tenant?: string | ((...args: never[]) => string)
}

/** The envelope sealed with AES-256-GCM under a tenant's key, bound to the cache key (AAD v0x03). */
export class SealedEnvelope implements Envelope {
  readonly encrypted = true
  readonly #options: EncryptionOptions
  // Deriving a tenant key is an HKDF call; handles are kept, least recently used dropped first.
  readonly #keys = new Map<string, TenantKeys>()

  constructor(options: EncryptionOptions) {
    this.#options = options
    // Derive once now so a malformed master key fails at configuration time, not on the first call.
    this.#keysFor(typeof options.tenant === 'string' ? options.tenant : CACHE_DEFAULTS.tenant)
  }

  #tenantOf(args: readonly unknown[]): string {
    const tenant = this.#options.tenant
    if (tenant === undefined) return CACHE_DEFAULTS.tenant
    if (typeof tenant === 'string') return tenant
    const value = (tenant as (...a: unknown[]) => unknown)(...args)
    if (typeof value !== 'string' || value.length === 0) {
      throw new ConfigurationError(
        'INVALID_TENANT',
        `The tenant function returned ${typeof value === 'string' ? 'an empty string' : typeof value}: return a non-empty tenant id string`,
      )
    }
    return value
  }

  #keysFor(tenant: string): TenantKeys {
    const hit = this.#keys.get(tenant)
    if (hit !== undefined) {
      this.#keys.delete(tenant)
      this.#keys.set(tenant, hit)
      return hit
    }
    const keys = TenantKeys.derive(this.#options.masterKey, tenant, {
      previousKeys: this.#options.previousKeys ?? [],
    })
    this.#keys.set(tenant, keys)
    if (this.#keys.size > CACHE_DEFAULTS.tenantKeyCacheSize) {
      const oldest = this.#keys.keys().next()
      if (!oldest.done) this.#keys.delete(oldest.value)
    }
    return keys
  }

  wrap(payload: Uint8Array, format: string, cacheKey: string, args: readonly unknown[]): Buffer {
    return this.#keysFor(this.#tenantOf(args)).seal(payload, { cacheKey, format })
  }

  unwrap(
    stored: Uint8Array,
    format: string,
    cacheKey: string,
    args: readonly unknown[],
    validateMsgpack: boolean,
  ) {
    return this.#keysFor(this.#tenantOf(args)).open(stored, { cacheKey, format, validateMsgpack })
  }

  wrapAsync(
    payload: Uint8Array,
    format: string,
    cacheKey: string,
    args: readonly unknown[],
  ): Promise<Buffer> {
    try {
      return this.#keysFor(this.#tenantOf(args)).sealAsync(payload, { cacheKey, format })
    } catch (err) {
      return Promise.reject(err)
    }
  }

  unwrapAsync(
    stored: Uint8Array,
    format: string,
    cacheKey: string,
    args: readonly unknown[],
    validateMsgpack: boolean,
  ) {
    try {
      return this.#keysFor(this.#tenantOf(args)).openAsync(stored, { cacheKey, format, validateMsgpack })
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

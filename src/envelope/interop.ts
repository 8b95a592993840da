import { TenantKeys } from '../native/index.js'
import type { Envelope } from './envelope.js'

/**
 * Interop mode (interop/v1) stores the value's plain MessagePack as it is: no envelope, no LZ4, no
 * checksum, because that is what every other SDK reads and writes. The strict interop reader is what
 * refuses corrupt or foreign bytes.
 */
export class InteropPlainEnvelope implements Envelope {
  readonly encrypted = false

  wrap(payload: Uint8Array): Buffer {
    return Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
  }

  unwrap(stored: Uint8Array, format: string) {
    return { data: Buffer.isBuffer(stored) ? stored : Buffer.from(stored), format }
  }

  wrapAsync(payload: Uint8Array): Promise<Buffer> {
    return Promise.resolve(this.wrap(payload))
  }

  unwrapAsync(stored: Uint8Array, format: string) {
    return Promise.resolve(this.unwrap(stored, format))
  }
}

/**
 * Encrypted interop entries: `nonce ‖ ciphertext ‖ tag` of the plain MessagePack under the tenant's
 * AES-256-GCM key, with the four-component AAD (tenant, cache key, "msgpack", "False"), as Python's
 * `@cache.secure(interop=...)` writes them. One tenant for the whole function, as Python has.
 */
export class InteropSealedEnvelope implements Envelope {
  readonly encrypted = true
  readonly #keys: TenantKeys

  constructor(options: {
    masterKey: string | Uint8Array
    previousKeys?: Array<string | Uint8Array>
    tenant: string
  }) {
    this.#keys = TenantKeys.derive(options.masterKey, options.tenant, {
      previousKeys: options.previousKeys ?? [],
    })
  }

  #context(cacheKey: string, format: string) {
    return { cacheKey, format, compressed: false }
  }

  wrap(payload: Uint8Array, format: string, cacheKey: string): Buffer {
    return this.#keys.encrypt(payload, this.#context(cacheKey, format))
  }

  unwrap(stored: Uint8Array, format: string, cacheKey: string) {
    return { data: this.#keys.decrypt(stored, this.#context(cacheKey, format)), format }
  }

  wrapAsync(payload: Uint8Array, format: string, cacheKey: string): Promise<Buffer> {
    return this.#keys.encryptAsync(payload, this.#context(cacheKey, format))
  }

  unwrapAsync(stored: Uint8Array, format: string, cacheKey: string) {
    return this.#keys.decryptAsync(stored, this.#context(cacheKey, format)).then((data) => ({ data, format }))
  }
}

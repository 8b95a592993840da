/**
 * The native core as users call it: the binding's classes and functions with every argument
 * checked and every error mapped to a `CachekitError` subclass. Each method is one native call.
 */

import type {
  ByteStorageOptions,
  DeriveOptions,
  EncryptionContext,
  Limits,
  OpenOptions,
  Retrieved,
  RetrieveOptions,
  SealOptions,
  ValidateMsgpackOptions,
} from '../../native/binding.js'
import {
  checkContext,
  checkDeriveArguments,
  checkOpenOptions,
  checkRetrieveOptions,
  checkSealOptions,
  checkStorageOptions,
  FORMAT_FIX,
} from './api-arguments.js'
import { checkBytes, checkOptionalString } from './arguments.js'
import { mapped, rethrow } from './calls.js'
import { native } from './load.js'
import { SCRATCH, takeRetrieved, takeScratch } from './scratch.js'

export {
  blake2b256Hex,
  checksum,
  checksumHex,
  limits,
  lz4Compress,
  lz4Decompress,
  validateMsgpack,
} from './functions.js'
export type {
  ByteStorageOptions,
  DeriveOptions,
  EncryptionContext,
  Limits,
  OpenOptions,
  Retrieved,
  RetrieveOptions,
  SealOptions,
  ValidateMsgpackOptions,
}

/** The protocol 1.1 envelope: LZ4 block + xxHash3-64, in one native call each way. */
export class ByteStorage {
  readonly #inner: InstanceType<typeof native.ByteStorage>

  constructor(options?: ByteStorageOptions) {
    try {
      checkStorageOptions(options)
      this.#inner = new native.ByteStorage(options)
    } catch (err) {
      rethrow(err)
    }
  }

  /** The format written when `store` is called without one (default `"msgpack"`). */
  get format(): string {
    return this.#inner.format
  }

  /** Compresses `data` and wraps it in an envelope with its checksum. */
  store(data: Uint8Array, format?: string): Buffer {
    try {
      checkBytes(data, 'data', 'ByteStorage.store')
      checkOptionalString(format, 'format', 'ByteStorage.store', FORMAT_FIX)
      return takeScratch(this.#inner.storeTo(data, format, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** Verifies and unwraps an envelope (sizes, ratio, LZ4, length, checksum). */
  retrieve(envelope: Uint8Array, options?: RetrieveOptions): Retrieved {
    try {
      checkBytes(envelope, 'envelope', 'ByteStorage.retrieve')
      checkRetrieveOptions(options, 'ByteStorage.retrieve')
      return takeRetrieved(this.#inner.retrieveTo(envelope, options?.validateMsgpack === true, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** `store` on the libuv thread pool: use it for values of hundreds of KiB and more. */
  storeAsync(data: Uint8Array, format?: string): Promise<Buffer> {
    return mapped(() => {
      checkBytes(data, 'data', 'ByteStorage.storeAsync')
      checkOptionalString(format, 'format', 'ByteStorage.storeAsync', FORMAT_FIX)
      return this.#inner.storeAsync(data, format)
    })
  }

  /** `retrieve` on the libuv thread pool. */
  retrieveAsync(envelope: Uint8Array, options?: RetrieveOptions): Promise<Retrieved> {
    return mapped(() => {
      checkBytes(envelope, 'envelope', 'ByteStorage.retrieveAsync')
      checkRetrieveOptions(options, 'ByteStorage.retrieveAsync')
      return this.#inner.retrieveAsync(envelope, options)
    })
  }
}

type NativeTenantKeys = InstanceType<typeof native.TenantKeys>

/**
 * A tenant's AES-256-GCM keyring (one current key, up to three decrypt-only previous keys),
 * derived with HKDF-SHA256. Key material never leaves native memory; it is zeroized when the
 * handle is garbage-collected.
 */
export class TenantKeys {
  readonly #inner: NativeTenantKeys

  private constructor(inner: NativeTenantKeys) {
    this.#inner = inner
  }

  /**
   * @param masterKey 64 hex characters (`openssl rand -hex 32`) or exactly 32 raw bytes
   * @param tenant tenant id, 1–1024 UTF-8 bytes; default `"default"`
   */
  static derive(masterKey: string | Uint8Array, tenant?: string, options?: DeriveOptions): TenantKeys {
    try {
      checkDeriveArguments(masterKey, tenant, options)
      return new TenantKeys(native.TenantKeys.derive(masterKey, tenant, options))
    } catch (err) {
      rethrow(err)
    }
  }

  get tenant(): string {
    return this.#inner.tenant
  }

  /** The current key's fingerprint: 32 hex characters, safe to log. */
  get fingerprint(): string {
    return this.#inner.fingerprint
  }

  get previousFingerprints(): string[] {
    return this.#inner.previousFingerprints
  }

  /** AES-256-GCM: `nonce(12) ‖ ciphertext ‖ tag(16)`, AAD v0x03 from the context. */
  encrypt(plaintext: Uint8Array, context: EncryptionContext): Buffer {
    try {
      checkBytes(plaintext, 'plaintext', 'TenantKeys.encrypt')
      checkContext(context, 'TenantKeys.encrypt')
      return takeScratch(
        this.#inner.encryptTo(
          plaintext,
          context.cacheKey,
          context.format,
          context.compressed,
          context.originalType,
          SCRATCH,
        ),
      )
    } catch (err) {
      rethrow(err)
    }
  }

  decrypt(sealed: Uint8Array, context: EncryptionContext): Buffer {
    try {
      checkBytes(sealed, 'sealed', 'TenantKeys.decrypt')
      checkContext(context, 'TenantKeys.decrypt')
      return takeScratch(
        this.#inner.decryptTo(
          sealed,
          context.cacheKey,
          context.format,
          context.compressed,
          context.originalType,
          SCRATCH,
        ),
      )
    } catch (err) {
      rethrow(err)
    }
  }

  /** Envelope + encryption in one call (the cache write path). */
  seal(data: Uint8Array, options: SealOptions): Buffer {
    try {
      checkBytes(data, 'data', 'TenantKeys.seal')
      checkSealOptions(options, 'TenantKeys.seal')
      return takeScratch(this.#inner.sealTo(data, options.cacheKey, options.format, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** Decryption + envelope checks in one call (the cache read path). */
  open(sealed: Uint8Array, options: OpenOptions): Retrieved {
    try {
      checkBytes(sealed, 'sealed', 'TenantKeys.open')
      checkOpenOptions(options, 'TenantKeys.open')
      return takeRetrieved(
        this.#inner.openTo(
          sealed,
          options.cacheKey,
          options.format,
          options.validateMsgpack === true,
          SCRATCH,
        ),
      )
    } catch (err) {
      rethrow(err)
    }
  }

  encryptAsync(plaintext: Uint8Array, context: EncryptionContext): Promise<Buffer> {
    return mapped(() => {
      checkBytes(plaintext, 'plaintext', 'TenantKeys.encryptAsync')
      checkContext(context, 'TenantKeys.encryptAsync')
      return this.#inner.encryptAsync(plaintext, context)
    })
  }

  decryptAsync(sealed: Uint8Array, context: EncryptionContext): Promise<Buffer> {
    return mapped(() => {
      checkBytes(sealed, 'sealed', 'TenantKeys.decryptAsync')
      checkContext(context, 'TenantKeys.decryptAsync')
      return this.#inner.decryptAsync(sealed, context)
    })
  }

  sealAsync(data: Uint8Array, options: SealOptions): Promise<Buffer> {
    return mapped(() => {
      checkBytes(data, 'data', 'TenantKeys.sealAsync')
      checkSealOptions(options, 'TenantKeys.sealAsync')
      return this.#inner.sealAsync(data, options)
    })
  }

  openAsync(sealed: Uint8Array, options: OpenOptions): Promise<Retrieved> {
    return mapped(() => {
      checkBytes(sealed, 'sealed', 'TenantKeys.openAsync')
      checkOpenOptions(options, 'TenantKeys.openAsync')
      return this.#inner.openAsync(sealed, options)
    })
  }
}

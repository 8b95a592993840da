/**
 * The native core as users call it: the binding's classes and functions with every error mapped
 * to a `CachekitError` subclass. Each method is one native call.
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
import { fromNativeError } from '../errors.js'
import { native } from './load.js'

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

/**
 * Results that fit are written here by the native call and copied out into a pooled Buffer,
 * which is several times cheaper than creating a Buffer from native code (see
 * crates/node/src/scratch.rs). Private to this module; never passed as input.
 */
const SCRATCH = Buffer.allocUnsafeSlow(64 * 1024)

function takeScratch(result: number | Buffer): Buffer {
  if (typeof result !== 'number') return result
  const out = Buffer.allocUnsafe(result)
  SCRATCH.copy(out, 0, 0, result)
  return out
}

/** Decodes a short format name from the scratch; ASCII without a native call. */
function scratchFormat(start: number, length: number): string {
  let ascii = ''
  for (let i = start; i < start + length; i++) {
    const c = SCRATCH[i] as number
    if (c >= 0x80) return SCRATCH.toString('utf8', start, start + length)
    ascii += String.fromCharCode(c)
  }
  return ascii
}

/** A retrieve/open result: `length * 256 + formatLength` in the scratch, or a full object. */
function takeRetrieved(result: number | Retrieved): Retrieved {
  if (typeof result !== 'number') return result
  const formatLength = result & 0xff
  const length = (result - formatLength) / 256
  const data = Buffer.allocUnsafe(length)
  SCRATCH.copy(data, 0, 0, length)
  return { data, format: scratchFormat(length, formatLength) }
}

function rethrow(err: unknown): never {
  throw fromNativeError(err)
}

/** Runs an `*Async` native call: errors thrown synchronously (bad arguments) and rejections alike
 * become `CachekitError`s. */
function mapped<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start().catch(rethrow)
  } catch (err) {
    return Promise.reject(fromNativeError(err))
  }
}

/** The protocol 1.1 envelope: LZ4 block + xxHash3-64, in one native call each way. */
export class ByteStorage {
  readonly #inner: InstanceType<typeof native.ByteStorage>

  constructor(options?: ByteStorageOptions) {
    try {
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
      return takeScratch(this.#inner.storeTo(data, format, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** Verifies and unwraps an envelope (sizes, ratio, LZ4, length, checksum). */
  retrieve(envelope: Uint8Array, options?: RetrieveOptions): Retrieved {
    try {
      return takeRetrieved(this.#inner.retrieveTo(envelope, options?.validateMsgpack === true, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** `store` on the libuv thread pool: use it for values of hundreds of KiB and more. */
  storeAsync(data: Uint8Array, format?: string): Promise<Buffer> {
    return mapped(() => this.#inner.storeAsync(data, format))
  }

  /** `retrieve` on the libuv thread pool. */
  retrieveAsync(envelope: Uint8Array, options?: RetrieveOptions): Promise<Retrieved> {
    return mapped(() => this.#inner.retrieveAsync(envelope, options))
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
      return takeScratch(this.#inner.sealTo(data, options.cacheKey, options.format, SCRATCH))
    } catch (err) {
      rethrow(err)
    }
  }

  /** Decryption + envelope checks in one call (the cache read path). */
  open(sealed: Uint8Array, options: OpenOptions): Retrieved {
    try {
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
    return mapped(() => this.#inner.encryptAsync(plaintext, context))
  }

  decryptAsync(sealed: Uint8Array, context: EncryptionContext): Promise<Buffer> {
    return mapped(() => this.#inner.decryptAsync(sealed, context))
  }

  sealAsync(data: Uint8Array, options: SealOptions): Promise<Buffer> {
    return mapped(() => this.#inner.sealAsync(data, options))
  }

  openAsync(sealed: Uint8Array, options: OpenOptions): Promise<Retrieved> {
    return mapped(() => this.#inner.openAsync(sealed, options))
  }
}

/** xxHash3-64 (seed 0), the protocol's checksum, as a bigint. */
export function checksum(data: Uint8Array): bigint {
  try {
    return native.checksum(data)
  } catch (err) {
    rethrow(err)
  }
}

/** xxHash3-64 as 16 lowercase hex characters (big-endian). */
export function checksumHex(data: Uint8Array): string {
  try {
    return native.checksumHex(data)
  } catch (err) {
    rethrow(err)
  }
}

/** One raw LZ4 block (no size prefix, no frame). */
export function lz4Compress(data: Uint8Array): Buffer {
  try {
    return native.lz4Compress(data)
  } catch (err) {
    rethrow(err)
  }
}

/** Decompresses one LZ4 block to exactly `originalSize` bytes, within the protocol limits. */
export function lz4Decompress(block: Uint8Array, originalSize: number): Buffer {
  try {
    return native.lz4Decompress(block, originalSize)
  } catch (err) {
    rethrow(err)
  }
}

/**
 * Checks that `data` is one bounded MessagePack document (depth ≤ 1024, every declared length
 * backed by input, complete) without decoding it; returns the document's length.
 */
export function validateMsgpack(data: Uint8Array, options?: ValidateMsgpackOptions): number {
  try {
    return native.validateMsgpack(data, options)
  } catch (err) {
    rethrow(err)
  }
}

/** The protocol limits this build enforces. */
export function limits(): Limits {
  return native.limits()
}

/**
 * One error hierarchy. Every error has a stable string `code` and a message that ends with what
 * to do about it. Native failures arrive with the codes of `crates/core/src/error.rs`.
 */
export class CachekitError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** Stored bytes failed an integrity check: checksum, size, envelope shape, LZ4 block, bounds. */
export class IntegrityError extends CachekitError {}
/** The xxHash3-64 of the decompressed bytes differs from the stored checksum. */
export class ChecksumMismatchError extends IntegrityError {}
/** The envelope declares an original size its compressed data cannot honestly produce. */
export class DecompressionBombError extends IntegrityError {}
/** The LZ4 block is corrupt. */
export class DecompressionError extends IntegrityError {}
/** The block decompressed to a length other than the declared one. */
export class SizeMismatchError extends IntegrityError {}
/** The bytes are not a cachekit ByteStorage envelope. */
export class MalformedEnvelopeError extends IntegrityError {}
/** The bytes are not one bounded MessagePack document (depth, overclaim, incomplete, trailing). */
export class MalformedMsgpackError extends IntegrityError {}
/** A value or envelope exceeds the protocol's 512 MiB limit. */
export class InputTooLargeError extends CachekitError {}
/** Decryption failed: tampered bytes, wrong key, tenant, cache key or format. */
export class DecryptionError extends CachekitError {}
/** A master key, keyring, tenant or encryption context was refused. */
export class KeyError extends CachekitError {}
/** A key handle used all of its 2^32 counter nonces. */
export class NonceExhaustedError extends CachekitError {}
/** Invalid options or environment, found at configuration time. */
export class ConfigurationError extends CachekitError {}
/** A value or argument cannot be represented by the chosen serializer or key function. */
export class SerializationError extends CachekitError {}
/**
 * What kind of failure a `BackendError` is, so a policy (retry, circuit breaker, alerting) can tell a
 * slow server from a wrong password without parsing messages:
 * - `transient`: the store is up but cannot serve right now (loading, busy script, failover, out of
 *   memory); the same call may succeed soon. Also the kind when nothing more precise is known.
 * - `timeout`: a connected store did not answer in time.
 * - `connection`: the store cannot be reached (refused, reset, closed, no connection in time).
 * - `authentication`: the store refused the credentials or the user's permissions.
 * - `permanent`: the store refused this operation and retrying it will not help (wrong data type
 *   under the key, unsupported command, a backend used after `close()`).
 */
export type BackendErrorKind = 'transient' | 'timeout' | 'connection' | 'authentication' | 'permanent'

export const BACKEND_ERROR_KINDS: readonly BackendErrorKind[] = Object.freeze([
  'transient',
  'timeout',
  'connection',
  'authentication',
  'permanent',
] as const)

/** A backend (Redis, memory, ...) operation failed; `kind` says what sort of failure it was. */
export class BackendError extends CachekitError {
  readonly kind: BackendErrorKind

  constructor(code: string, message: string, options?: { cause?: unknown; kind?: BackendErrorKind }) {
    super(code, message, options)
    this.kind = options?.kind ?? 'transient'
  }
}
/** The cache (or cached function) was closed: its connection is released and it serves no more calls. */
export class CacheClosedError extends CachekitError {}
/** A cached function ran past its hard timeout (`computeTimeout.hardMs`); it goes on in the background. */
export class FunctionTimeoutError extends CachekitError {}
/** A caller tried to change a Map, Set or Date that frozen-mode L1 shares between all callers. */
export class FrozenValueError extends CachekitError {}
/** The native addon could not be loaded for this platform. */
export class NativeLoadError extends CachekitError {}

type ErrorClass = new (code: string, message: string, options?: { cause?: unknown }) => CachekitError

const NATIVE_CODES: Record<string, ErrorClass> = {
  CHECKSUM_MISMATCH: ChecksumMismatchError,
  DECOMPRESSION_BOMB: DecompressionBombError,
  DECOMPRESSION_FAILED: DecompressionError,
  SIZE_MISMATCH: SizeMismatchError,
  MALFORMED_ENVELOPE: MalformedEnvelopeError,
  MALFORMED_MSGPACK: MalformedMsgpackError,
  INPUT_TOO_LARGE: InputTooLargeError,
  CIPHERTEXT_TOO_SHORT: DecryptionError,
  AUTHENTICATION_FAILED: DecryptionError,
  INVALID_KEY: KeyError,
  INVALID_KEYRING: KeyError,
  INVALID_TENANT: KeyError,
  INVALID_AAD: KeyError,
  NONCE_EXHAUSTED: NonceExhaustedError,
  INVALID_ARGUMENT: CachekitError,
  RANDOM_UNAVAILABLE: CachekitError,
  INTERNAL_ERROR: CachekitError,
}

const NATIVE_PREFIX = /^([A-Z][A-Z0-9_]+): /

/**
 * Turns an error thrown by the native binding into the matching `CachekitError` subclass. The
 * binding starts every message with its stable code (`CHECKSUM_MISMATCH: ...`).
 */
export function fromNativeError(err: unknown): unknown {
  if (err instanceof CachekitError || !(err instanceof Error)) return err
  const match = NATIVE_PREFIX.exec(err.message)
  if (match === null) {
    // napi's own argument conversion (a number where a Buffer belongs, a missing field, ...)
    const napiCode = (err as { code?: unknown }).code
    if (typeof napiCode === 'string' && napiCode !== 'GenericFailure') {
      return new CachekitError(
        'INVALID_ARGUMENT',
        `${err.message}: check the argument types in the API docs`,
        {
          cause: err,
        },
      )
    }
    return err
  }
  const code = match[1] as string
  const Class = NATIVE_CODES[code] ?? CachekitError
  return new Class(code, err.message.slice(match[0].length), { cause: err })
}

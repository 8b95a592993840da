/** The free functions of the native core: checksum, interop key hash, raw LZ4 block, MessagePack bounds, limits. */
import type { Limits, ValidateMsgpackOptions } from '../../native/binding.js'
import { checkValidateOptions } from './api-arguments.js'
import { checkBytes, checkSize } from './arguments.js'
import { rethrow } from './calls.js'
import { native } from './load.js'

/** xxHash3-64 (seed 0), the protocol's checksum, as a bigint. */
export function checksum(data: Uint8Array): bigint {
  try {
    checkBytes(data, 'data', 'checksum')
    return native.checksum(data)
  } catch (err) {
    rethrow(err)
  }
}

/** xxHash3-64 as 16 lowercase hex characters (big-endian). */
export function checksumHex(data: Uint8Array): string {
  try {
    checkBytes(data, 'data', 'checksumHex')
    return native.checksumHex(data)
  } catch (err) {
    rethrow(err)
  }
}

/**
 * BLAKE2b-256 (unkeyed, 32-byte digest; not a truncated BLAKE2b-512) as 64 lowercase hex
 * characters: the hash of an interop key.
 */
export function blake2b256Hex(data: Uint8Array): string {
  try {
    checkBytes(data, 'data', 'blake2b256Hex')
    return native.blake2b256Hex(data)
  } catch (err) {
    rethrow(err)
  }
}

/** One raw LZ4 block (no size prefix, no frame). */
export function lz4Compress(data: Uint8Array): Buffer {
  try {
    checkBytes(data, 'data', 'lz4Compress')
    return native.lz4Compress(data)
  } catch (err) {
    rethrow(err)
  }
}

/** Decompresses one LZ4 block to exactly `originalSize` bytes, within the protocol limits. */
export function lz4Decompress(block: Uint8Array, originalSize: number): Buffer {
  try {
    checkBytes(block, 'block', 'lz4Decompress')
    checkSize(originalSize, 'originalSize', 'lz4Decompress')
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
    checkBytes(data, 'data', 'validateMsgpack')
    checkValidateOptions(options)
    return native.validateMsgpack(data, options)
  } catch (err) {
    rethrow(err)
  }
}

/** The protocol limits this build enforces. */
export function limits(): Limits {
  return native.limits()
}

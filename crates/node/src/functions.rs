//! Free functions for callers who want one primitive: checksum, interop key hash, raw LZ4 block,
//! the MessagePack bounds check, and the protocol limits.

use cachekit_core::checksum::xxh3_64;
use cachekit_core::interop_hash::blake2b_256_hex;
use cachekit_core::limits;
use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::storage;
use napi::bindgen_prelude::{BigInt, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::errors::{guard, guard_core, invalid_argument};
use crate::js_buffer::{from_vec, JsBuffer};
use crate::outputs::NewBuffer;
use crate::types::{Limits, ValidateMsgpackOptions};

/// xxHash3-64 (seed 0) of `data`, the protocol's integrity checksum.
#[napi]
pub fn checksum(data: Uint8ArraySlice) -> napi::Result<BigInt> {
    guard(|| Ok(BigInt::from(xxh3_64(&data))))
}

/// xxHash3-64 of `data` as 16 lowercase hex characters (big-endian, as the envelope stores it).
#[napi]
pub fn checksum_hex(data: Uint8ArraySlice) -> napi::Result<String> {
    guard(|| Ok(format!("{:016x}", xxh3_64(&data))))
}

/// BLAKE2b-256 (unkeyed, 32-byte digest) of `data` as 64 lowercase hex characters: the hash of
/// an interop/v1 key over the canonical MessagePack of the arguments.
#[napi(js_name = "blake2b256Hex")]
pub fn blake2b256_hex(data: Uint8ArraySlice) -> napi::Result<String> {
    guard(|| Ok(blake2b_256_hex(&data)))
}

/// One LZ4 block (no size prefix, no frame), as the envelope holds it.
#[napi(ts_return_type = "Buffer")]
pub fn lz4_compress(env: &Env, data: Uint8ArraySlice) -> napi::Result<JsBuffer> {
    let block = guard_core(|| storage::compress_block(&data))?;
    from_vec(env, block)
}

/// Decompresses one LZ4 block that must produce exactly `original_size` bytes. The size is
/// bounded before anything is allocated: at most 512 MiB, and no more than an LZ4 block of this
/// length can encode (`255 * len - 1256`, within the protocol's 1000:1).
#[napi(ts_return_type = "Buffer")]
pub fn lz4_decompress(
    env: &Env,
    block: Uint8ArraySlice,
    original_size: f64,
) -> napi::Result<JsBuffer> {
    if !(original_size >= 0.0 && original_size.fract() == 0.0) {
        return Err(invalid_argument(format!(
            "originalSize must be a non-negative integer, got {original_size}"
        )));
    }
    let declared = original_size as u64;
    guard(|| {
        Ok(storage::decompress_block_to(
            &block,
            declared,
            NewBuffer(env),
        )?)
    })
}

/// Checks that `data` is one bounded MessagePack document (depth ≤ 1024, declared sizes backed
/// by the input, complete) and returns the document's length in bytes. Throws
/// `MALFORMED_MSGPACK` otherwise. Nothing is decoded or allocated.
#[napi]
pub fn validate_msgpack(
    data: Uint8ArraySlice,
    options: Option<ValidateMsgpackOptions>,
) -> napi::Result<u32> {
    let mode = if options.and_then(|o| o.allow_trailing).unwrap_or(false) {
        ScanMode::Prefix
    } else {
        ScanMode::ExactlyOne
    };
    guard_core(|| scan(&data, mode)).map(|n| n as u32)
}

/// The protocol limits this build enforces.
#[napi]
pub fn limits() -> Limits {
    Limits {
        max_size: limits::MAX_SIZE as f64,
        max_compression_ratio: limits::MAX_COMPRESSION_RATIO as u32,
        lz4_max_expansion: limits::LZ4_MAX_EXPANSION as u32,
        max_msgpack_depth: limits::MAX_MSGPACK_DEPTH as u32,
        max_previous_keys: limits::MAX_PREVIOUS_KEYS as u32,
        max_tenant_bytes: limits::MAX_TENANT_LEN as u32,
        nonce_bytes: limits::NONCE_LEN as u32,
        tag_bytes: limits::TAG_LEN as u32,
    }
}

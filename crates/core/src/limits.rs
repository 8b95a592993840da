//! Protocol limits (wire-format.json `limits`). Every size is checked with 64-bit math before any
//! allocation or decompression.

/// Largest envelope, compressed block and original payload the protocol allows: 512 MiB.
pub const MAX_SIZE: u64 = 536_870_912;
/// Largest declared original_size / compressed_size ratio the protocol allows. The reader holds
/// declared sizes to the tighter `lz4_max_decoded_len`, which implies it.
pub const MAX_COMPRESSION_RATIO: u64 = 1000;
/// Most output bytes one input byte of an LZ4 block can stand for (one match-length byte).
pub const LZ4_MAX_EXPANSION: u64 = 255;

/// The most bytes any LZ4 block of `block_len` bytes can decode to (the arithmetic is in
/// docs/decisions/004-lz4-ratio-bound.md). A block must end with a literals-only sequence and its
/// first match needs one literal to refer back to, so the best a block can do is one literal, one
/// match whose length takes every byte but the token, literal, offset and final token (255 each,
/// the last < 255), and an empty final sequence: `255 * len - 1256` from 5 bytes on. Shorter blocks
/// hold literals only: one token, then `len - 1` bytes.
pub const fn lz4_max_decoded_len(block_len: u64) -> u64 {
    if block_len >= 5 {
        LZ4_MAX_EXPANSION.saturating_mul(block_len) - 1256
    } else {
        block_len.saturating_sub(1)
    }
}
/// Deepest MessagePack nesting a reader accepts (the protocol allows 32..=1024).
pub const MAX_MSGPACK_DEPTH: usize = 1024;
/// AES-GCM nonce length.
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;
/// Largest tenant id in UTF-8 bytes.
pub const MAX_TENANT_LEN: usize = 1024;
/// Most decrypt-only keys a keyring holds besides the current key.
pub const MAX_PREVIOUS_KEYS: usize = 3;

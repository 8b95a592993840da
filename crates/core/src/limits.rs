//! Protocol limits (wire-format.json `limits`). Every size is checked with 64-bit math before any
//! allocation or decompression.

/// Largest envelope, compressed block and original payload the protocol allows: 512 MiB.
pub const MAX_SIZE: u64 = 536_870_912;
/// Largest declared original_size / compressed_size ratio.
pub const MAX_COMPRESSION_RATIO: u64 = 1000;
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

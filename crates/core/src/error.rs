//! One error type for every failure of the byte layer. Each variant has a stable string code (the
//! binding hands it to JavaScript as `error.code`) and a message that says what to do about it.

use std::fmt;

/// Why a call into the core failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// A size limit was exceeded before any work was done.
    InputTooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    /// The envelope declares more output than its compressed data can produce (see
    /// `limits::lz4_max_decoded_len`).
    DecompressionBomb { compressed: u64, original: u64 },
    /// The LZ4 block is corrupt.
    DecompressionFailed { detail: String },
    /// The LZ4 block decompressed to a length other than the declared one.
    SizeMismatch { declared: u64, actual: u64 },
    /// The xxHash3-64 of the decompressed bytes differs from the stored one.
    ChecksumMismatch { expected: u64, actual: u64 },
    /// The bytes are not a protocol 1.1 ByteStorage envelope.
    MalformedEnvelope { detail: String },
    /// The bytes are not one bounded MessagePack document.
    MalformedMsgpack { detail: String },
    /// Encrypted bytes shorter than nonce + tag.
    CiphertextTooShort { len: usize },
    /// AES-GCM tag verification failed under every key of the keyring.
    AuthenticationFailed,
    /// A master key is not 32 bytes (raw) or 64 hex digits.
    InvalidKey { detail: String },
    /// The keyring configuration is refused (too many or repeated keys).
    InvalidKeyring { detail: String },
    /// A tenant id is empty, too long or otherwise unusable.
    InvalidTenant { detail: String },
    /// An AAD component (cache key, format, original type) is unusable.
    InvalidAad { detail: String },
    /// This encryptor has used all 2^32 nonces of its counter.
    NonceExhausted,
    /// The operating system's random number generator failed.
    RandomUnavailable { detail: String },
}

impl CoreError {
    /// The stable code JavaScript sees as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InputTooLarge { .. } => "INPUT_TOO_LARGE",
            CoreError::DecompressionBomb { .. } => "DECOMPRESSION_BOMB",
            CoreError::DecompressionFailed { .. } => "DECOMPRESSION_FAILED",
            CoreError::SizeMismatch { .. } => "SIZE_MISMATCH",
            CoreError::ChecksumMismatch { .. } => "CHECKSUM_MISMATCH",
            CoreError::MalformedEnvelope { .. } => "MALFORMED_ENVELOPE",
            CoreError::MalformedMsgpack { .. } => "MALFORMED_MSGPACK",
            CoreError::CiphertextTooShort { .. } => "CIPHERTEXT_TOO_SHORT",
            CoreError::AuthenticationFailed => "AUTHENTICATION_FAILED",
            CoreError::InvalidKey { .. } => "INVALID_KEY",
            CoreError::InvalidKeyring { .. } => "INVALID_KEYRING",
            CoreError::InvalidTenant { .. } => "INVALID_TENANT",
            CoreError::InvalidAad { .. } => "INVALID_AAD",
            CoreError::NonceExhausted => "NONCE_EXHAUSTED",
            CoreError::RandomUnavailable { .. } => "RANDOM_UNAVAILABLE",
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        CoreError::MalformedEnvelope {
            detail: detail.into(),
        }
    }

    pub(crate) fn msgpack(detail: impl Into<String>) -> Self {
        CoreError::MalformedMsgpack {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::InputTooLarge { what, size, limit } => write!(
                f,
                "{what} is {size} bytes, over the {limit}-byte limit: store smaller values (split the value, or cache a reference to it)"
            ),
            CoreError::DecompressionBomb { compressed, original } => write!(
                f,
                "envelope claims {original} bytes from {compressed} compressed bytes, more than an LZ4 block of that size can encode (at most 255 bytes per byte; empty data encodes nothing): the entry is corrupt or hostile; treat it as a miss and overwrite it"
            ),
            CoreError::DecompressionFailed { detail } => write!(
                f,
                "LZ4 block is corrupt ({detail}): the entry was damaged in storage or written by something else; treat it as a miss and overwrite it"
            ),
            CoreError::SizeMismatch { declared, actual } => write!(
                f,
                "envelope declares {declared} bytes but its data decompresses to {actual}: the entry is corrupt; treat it as a miss and overwrite it"
            ),
            CoreError::ChecksumMismatch { expected, actual } => write!(
                f,
                "xxHash3-64 checksum mismatch (stored {expected:016x}, computed {actual:016x}): the entry was corrupted; treat it as a miss and overwrite it"
            ),
            CoreError::MalformedEnvelope { detail } => write!(
                f,
                "not a cachekit ByteStorage envelope ({detail}): the key holds data another writer stored, or the entry is corrupt; check that every writer uses the cachekit protocol 1.1 envelope"
            ),
            CoreError::MalformedMsgpack { detail } => write!(
                f,
                "not one bounded MessagePack document ({detail}): the payload is corrupt or hostile; treat it as a miss"
            ),
            CoreError::CiphertextTooShort { len } => write!(
                f,
                "encrypted value is {len} bytes, shorter than nonce (12) + tag (16): the entry is not an encrypted cachekit value; check that readers and writers agree on encryption"
            ),
            CoreError::AuthenticationFailed => write!(
                f,
                "AES-256-GCM authentication failed: the value was tampered with, sealed under another key, tenant, cache key or format, or the master key is wrong; check CACHEKIT_MASTER_KEY and, after a rotation, pass the old key in previousKeys"
            ),
            CoreError::InvalidKey { detail } => write!(
                f,
                "invalid master key ({detail}): pass exactly 64 hex characters (generate one with `openssl rand -hex 32`) or a Buffer of exactly 32 bytes"
            ),
            CoreError::InvalidKeyring { detail } => write!(
                f,
                "invalid keyring ({detail}): give one current key and at most 3 distinct previous keys, none equal to the current key"
            ),
            CoreError::InvalidTenant { detail } => write!(
                f,
                "invalid tenant id ({detail}): use a UTF-8 string of 1 to 1024 bytes, or \"default\" for a single tenant"
            ),
            CoreError::InvalidAad { detail } => write!(
                f,
                "invalid encryption context ({detail}): pass a non-empty cacheKey and format"
            ),
            CoreError::NonceExhausted => write!(
                f,
                "this key handle has used all 2^32 nonces: derive a new TenantKeys (it gets a fresh random nonce prefix) and drop this one"
            ),
            CoreError::RandomUnavailable { detail } => write!(
                f,
                "the operating system's random number generator failed ({detail}): check that /dev/urandom or getrandom(2) is available to the process"
            ),
        }
    }
}

impl std::error::Error for CoreError {}

pub type Result<T> = std::result::Result<T, CoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant with its stable code and a part its message must show.
    fn every_variant() -> Vec<(CoreError, &'static str, &'static str)> {
        let d = || "detail-x".to_owned();
        vec![
            (
                CoreError::InputTooLarge {
                    what: "value",
                    size: 7,
                    limit: 5,
                },
                "INPUT_TOO_LARGE",
                "value is 7 bytes, over the 5-byte limit",
            ),
            (
                CoreError::DecompressionBomb {
                    compressed: 2,
                    original: 900,
                },
                "DECOMPRESSION_BOMB",
                "claims 900 bytes from 2",
            ),
            (
                CoreError::DecompressionFailed { detail: d() },
                "DECOMPRESSION_FAILED",
                "detail-x",
            ),
            (
                CoreError::SizeMismatch {
                    declared: 3,
                    actual: 4,
                },
                "SIZE_MISMATCH",
                "declares 3 bytes but its data decompresses to 4",
            ),
            (
                CoreError::ChecksumMismatch {
                    expected: 0xab,
                    actual: 0xcd,
                },
                "CHECKSUM_MISMATCH",
                "stored 00000000000000ab, computed 00000000000000cd",
            ),
            (
                CoreError::MalformedEnvelope { detail: d() },
                "MALFORMED_ENVELOPE",
                "detail-x",
            ),
            (
                CoreError::MalformedMsgpack { detail: d() },
                "MALFORMED_MSGPACK",
                "detail-x",
            ),
            (
                CoreError::CiphertextTooShort { len: 9 },
                "CIPHERTEXT_TOO_SHORT",
                "9 bytes",
            ),
            (
                CoreError::AuthenticationFailed,
                "AUTHENTICATION_FAILED",
                "previousKeys",
            ),
            (
                CoreError::InvalidKey { detail: d() },
                "INVALID_KEY",
                "openssl rand -hex 32",
            ),
            (
                CoreError::InvalidKeyring { detail: d() },
                "INVALID_KEYRING",
                "at most 3",
            ),
            (
                CoreError::InvalidTenant { detail: d() },
                "INVALID_TENANT",
                "1 to 1024 bytes",
            ),
            (
                CoreError::InvalidAad { detail: d() },
                "INVALID_AAD",
                "non-empty cacheKey",
            ),
            (
                CoreError::NonceExhausted,
                "NONCE_EXHAUSTED",
                "derive a new TenantKeys",
            ),
            (
                CoreError::RandomUnavailable { detail: d() },
                "RANDOM_UNAVAILABLE",
                "detail-x",
            ),
        ]
    }

    #[test]
    fn every_error_has_its_stable_code() {
        let variants = every_variant();
        for (err, code, _) in &variants {
            assert_eq!(err.code(), *code, "{err:?}");
        }
        let mut codes: Vec<_> = variants.iter().map(|(_, c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), variants.len(), "codes are distinct");
    }

    #[test]
    fn every_message_shows_its_details_and_what_to_do() {
        for (err, _, shown) in every_variant() {
            let message = err.to_string();
            assert!(message.contains(shown), "{message}");
            // Each message ends with the fix after a colon or semicolon.
            assert!(
                message.contains(": ") || message.contains("; "),
                "{message}"
            );
        }
    }
}

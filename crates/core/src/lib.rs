//! The bytes of the cachekit wire protocol, in plain Rust with no N-API: the ByteStorage
//! envelope (LZ4 block + xxHash3-64, protocol 1.1), its hostile-input limits, the bounded
//! MessagePack pre-scan, and AES-256-GCM with HKDF-SHA256 tenant keys (AAD v0x03).
#![forbid(unsafe_code)]

pub mod checksum;
pub mod crypto;
pub mod envelope;
pub mod error;
pub mod interop_hash;
pub mod limits;
pub mod msgpack;
pub mod output;
pub mod storage;

pub use error::{CoreError, Result};

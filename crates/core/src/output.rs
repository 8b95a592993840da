//! Where a read's result goes. The `*_to` functions (`storage::retrieve_to`,
//! `storage::decompress_block_to`, `Keyring::open_to`, `Keyring::decrypt_to`) make every check that
//! can be made before any output exists, then ask their output once for exactly the bytes the
//! result needs and write them there. So a caller chooses the destination (a new vector here; a
//! JavaScript Buffer or a scratch area in the binding) without repeating the protocol's steps,
//! and nothing is allocated from a size that has not passed its limits.

use crate::error::CoreError;

/// A destination for a result of `len` plain bytes (a decryption, a bare LZ4 block).
pub trait Output {
    /// What the caller gets back.
    type Value;
    /// The caller's error type; the read's own errors convert into it.
    type Error: From<CoreError>;

    /// Provides `len` writable bytes, lets `fill` write them and returns the result. When `fill`
    /// fails its error is returned and the bytes must not be handed out.
    fn write(
        self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Self::Value, Self::Error>;
}

/// A destination for what an envelope unwraps to (a retrieve or an open): `len` payload bytes and
/// the format name the envelope carries.
pub trait RetrieveOutput {
    type Value;
    type Error: From<CoreError>;

    /// As `Output::write`, with the envelope's format name.
    fn write(
        self,
        len: usize,
        format: &str,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Self::Value, Self::Error>;
}

/// A new vector of exactly the result's length (with the format as a `String` for a retrieve):
/// the destination for work done away from the caller's buffers, such as the binding's
/// thread-pool tasks.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewVec;

impl Output for NewVec {
    type Value = Vec<u8>;
    type Error = CoreError;

    // Clippy prefers `vec![0; len]`, which is calloc: measured slower here at every size (see
    // `Keyring::open_to`).
    #[allow(clippy::slow_vector_initialization)]
    fn write(
        self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Vec<u8>, CoreError> {
        let mut out = Vec::new();
        out.resize(len, 0);
        fill(&mut out)?;
        Ok(out)
    }
}

impl RetrieveOutput for NewVec {
    type Value = (Vec<u8>, String);
    type Error = CoreError;

    fn write(
        self,
        len: usize,
        format: &str,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<(Vec<u8>, String), CoreError> {
        let data = Output::write(self, len, fill)?;
        Ok((data, format.to_owned()))
    }
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;

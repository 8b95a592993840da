//! Master key input: exactly 64 hex digits, or exactly 32 raw bytes. Nothing is trimmed or
//! stripped (no white space, no `0x`), so a key is never silently reinterpreted.

use zeroize::Zeroizing;

use crate::error::{CoreError, Result};

/// A 32-byte master key, wiped from memory when dropped.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// Parses 64 hex digits (either case).
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return Err(CoreError::InvalidKey {
                detail: format!("expected 64 hex characters, got {}", hex.chars().count()),
            });
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let (Some(hi), Some(lo)) = (
                pair.first().and_then(|c| hex_digit(*c)),
                pair.get(1).and_then(|c| hex_digit(*c)),
            ) else {
                return Err(CoreError::InvalidKey {
                    detail: format!("character {} or {} is not a hex digit", 2 * i, 2 * i + 1),
                });
            };
            if let Some(slot) = key.get_mut(i) {
                *slot = (hi << 4) | lo;
            }
        }
        Ok(MasterKey(key))
    }

    /// Takes exactly 32 raw bytes.
    pub fn from_bytes(raw: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = raw.try_into().map_err(|_| CoreError::InvalidKey {
            detail: format!("expected 32 raw bytes, got {}", raw.len()),
        })?;
        Ok(MasterKey(Zeroizing::new(arr)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

//! Counter nonces: an 8-byte random prefix per sequence ‖ a 4-byte big-endian counter. The
//! sequence refuses to go on before the counter would wrap, so a nonce never repeats under a key.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{CoreError, Result};
use crate::limits::NONCE_LEN;

const COUNTER_LIMIT: u64 = 1 << 32;

pub struct NonceSequence {
    prefix: [u8; 8],
    next: AtomicU64,
}

impl NonceSequence {
    /// A sequence with a fresh random prefix from the operating system.
    pub fn random() -> Result<Self> {
        let mut prefix = [0u8; 8];
        getrandom::fill(&mut prefix).map_err(|e| CoreError::RandomUnavailable {
            detail: e.to_string(),
        })?;
        Ok(Self::with_prefix(prefix, 0))
    }

    /// A sequence with a chosen prefix and first counter value (tests and fuzzing).
    pub fn with_prefix(prefix: [u8; 8], first: u32) -> Self {
        NonceSequence {
            prefix,
            next: AtomicU64::new(u64::from(first)),
        }
    }

    pub fn next_nonce(&self) -> Result<[u8; NONCE_LEN]> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        if n >= COUNTER_LIMIT {
            // Keep it pinned past the limit so it cannot wrap back into use after 2^64 calls.
            self.next.store(COUNTER_LIMIT, Ordering::Relaxed);
            return Err(CoreError::NonceExhausted);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..8].copy_from_slice(&self.prefix);
        nonce[8..].copy_from_slice(&(n as u32).to_be_bytes());
        Ok(nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_and_stops_before_wrapping() {
        let seq = NonceSequence::with_prefix([7; 8], u32::MAX - 1);
        let a = seq.next_nonce().unwrap();
        let b = seq.next_nonce().unwrap();
        assert_eq!(&a[8..], &(u32::MAX - 1).to_be_bytes());
        assert_eq!(&b[8..], &u32::MAX.to_be_bytes());
        assert_eq!(seq.next_nonce(), Err(CoreError::NonceExhausted));
        assert_eq!(seq.next_nonce(), Err(CoreError::NonceExhausted));
    }
}

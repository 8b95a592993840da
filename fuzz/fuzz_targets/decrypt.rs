//! The encrypted read path. Random bytes never authenticate, so besides hostile ciphertext the
//! input also chooses a plaintext that is sealed for real and then damaged, which takes the fuzzer
//! past AES-GCM into the envelope reader behind it:
//! - mode 0: the bytes as a ciphertext: an error, never a panic;
//! - mode 1: the bytes sealed, then flipped: any change fails authentication, none is accepted;
//! - mode 2: the bytes' envelope, flipped, then encrypted under the key: it authenticates, and the
//!   envelope reader returns exactly the stored bytes or an error;
//! - mode 3: the bytes themselves as an authentic envelope: an error, or data that re-encodes and
//!   reads back the same.
#![no_main]

use std::sync::OnceLock;

use cachekit_core::crypto::{AadContext, Keyring, MasterKey, NonceSequence};
use cachekit_core::storage::{check_format, store};
use libfuzzer_sys::fuzz_target;

const CACHE_KEY: &str = "fuzz:key";
const FORMAT: &str = "msgpack";

/// The AAD of a sealed envelope (what `Keyring::seal` binds).
const ENVELOPE: AadContext<'static> = AadContext {
    cache_key: CACHE_KEY,
    format: FORMAT,
    compressed: true,
    original_type: None,
};

fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| {
        let current = MasterKey::from_bytes(&[0x61; 32]).expect("current key");
        let previous = MasterKey::from_bytes(&[0x62; 32]).expect("previous key");
        // Pinned nonces keep every run reproducible from its input alone.
        let nonces = NonceSequence::with_prefix([0x5a; 8], 0);
        Keyring::with_nonces(&current, &[previous], "fuzz", nonces).expect("keyring")
    })
}

/// XORs each `(position, mask)` into `bytes` (positions wrap); true if the bytes changed.
fn damage(bytes: &mut [u8], flips: &[(u32, u8)]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let before = bytes.to_vec();
    for &(at, mask) in flips {
        let i = at as usize % bytes.len();
        bytes[i] ^= mask;
    }
    bytes != before.as_slice()
}

/// The whole read path after decryption: envelope checks, decompression, length and checksum.
fn read_envelope(envelope: &[u8]) -> Option<Vec<u8>> {
    let checked = check_format(envelope, FORMAT).ok()?;
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out).ok()?;
    Some(out)
}

fuzz_target!(|input: (u8, &[u8], Vec<(u32, u8)>)| {
    let (mode, bytes, flips) = input;
    let ring = keyring();
    match mode % 4 {
        0 => {
            let ctx = AadContext {
                original_type: Some(FORMAT),
                compressed: false,
                ..ENVELOPE
            };
            let _ = ring.decrypt(bytes, &ctx);
            if let Ok(envelope) = ring.open_envelope(bytes, CACHE_KEY, FORMAT) {
                let _ = read_envelope(&envelope);
            }
        }
        1 => {
            let Ok(mut sealed) = ring.seal(bytes, CACHE_KEY, FORMAT) else {
                return;
            };
            let changed = damage(&mut sealed, &flips);
            match ring.open_envelope(&sealed, CACHE_KEY, FORMAT) {
                Ok(envelope) => {
                    assert!(!changed, "a damaged ciphertext authenticated");
                    assert_eq!(read_envelope(&envelope).as_deref(), Some(bytes));
                }
                Err(e) => assert!(changed, "an intact ciphertext failed: {e}"),
            }
        }
        2 => {
            let Ok(mut envelope) = store(bytes, FORMAT) else {
                return;
            };
            let changed = damage(&mut envelope, &flips);
            let sealed = ring.encrypt(&envelope, &ENVELOPE).expect("encrypt");
            let opened = ring
                .open_envelope(&sealed, CACHE_KEY, FORMAT)
                .expect("an envelope encrypted under the key authenticates");
            assert_eq!(opened, envelope);
            match read_envelope(&opened) {
                // Whatever passes every check is exactly what was stored.
                Some(data) => assert_eq!(data, bytes),
                None => assert!(changed, "an intact envelope was refused"),
            }
        }
        _ => {
            let sealed = ring.encrypt(bytes, &ENVELOPE).expect("encrypt");
            let opened = ring
                .open_envelope(&sealed, CACHE_KEY, FORMAT)
                .expect("an envelope encrypted under the key authenticates");
            assert_eq!(opened, bytes);
            if let Some(data) = read_envelope(&opened) {
                // Accepted data re-encodes and reads back the same.
                let again = store(&data, FORMAT).expect("store of accepted data");
                assert_eq!(read_envelope(&again), Some(data));
            }
        }
    }
});

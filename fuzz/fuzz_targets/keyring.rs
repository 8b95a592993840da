//! Key input parsing and keyring construction from arbitrary strings and bytes: typed errors,
//! never a panic; an accepted keyring encrypts and decrypts.
#![no_main]

use cachekit_core::crypto::{AadContext, Keyring, MasterKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, Vec<Vec<u8>>, String, String)| {
    let (current_hex, previous_raw, tenant, cache_key) = input;
    let Ok(current) = MasterKey::from_hex(&current_hex) else {
        return;
    };
    let previous: Vec<MasterKey> = previous_raw
        .iter()
        .filter_map(|raw| MasterKey::from_bytes(raw).ok())
        .collect();
    let Ok(ring) = Keyring::new(&current, &previous, &tenant) else {
        return;
    };
    assert!(previous.len() <= 3);
    let ctx = AadContext { cache_key: &cache_key, format: "msgpack", compressed: false, original_type: None };
    if let Ok(sealed) = ring.encrypt(b"fuzz", &ctx) {
        assert_eq!(ring.decrypt(&sealed, &ctx).expect("decrypt own ciphertext"), b"fuzz");
    }
});

//! Any bytes and format round-trip through the envelope and through seal/open unchanged.
#![no_main]

use cachekit_core::crypto::{Keyring, MasterKey};
use cachekit_core::storage::{check_format, retrieve, store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], String)| {
    let (data, format) = input;
    let envelope = store(data, &format).expect("store");
    let (out, f) = retrieve(&envelope).expect("retrieve");
    assert_eq!(out, data);
    assert_eq!(f, format);

    if format.is_empty() {
        return;
    }
    let master = MasterKey::from_bytes(&[7; 32]).expect("key");
    let ring = Keyring::new(&master, &[], "fuzz").expect("keyring");
    let sealed = ring.seal(data, "roundtrip", &format).expect("seal");
    let env = ring.open_envelope(&sealed, "roundtrip", &format).expect("open");
    let checked = check_format(&env, &format).expect("check");
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out).expect("decompress");
    assert_eq!(out, data);
});

//! Any bytes given to decryption (and to the sealed-envelope read path): an error, never a panic.
#![no_main]

use cachekit_core::crypto::{AadContext, Keyring, MasterKey};
use cachekit_core::storage::check_format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let (Ok(current), Ok(previous)) = (
        MasterKey::from_bytes(&[0x61; 32]),
        MasterKey::from_bytes(&[0x62; 32]),
    ) else {
        return;
    };
    let Ok(ring) = Keyring::new(&current, &[previous], "fuzz") else {
        return;
    };
    let ctx = AadContext { cache_key: "fuzz:key", format: "msgpack", compressed: false, original_type: Some("msgpack") };
    let _ = ring.decrypt(input, &ctx);
    if let Ok(envelope) = ring.open_envelope(input, "fuzz:key", "msgpack") {
        let _ = check_format(&envelope, "msgpack");
    }
});

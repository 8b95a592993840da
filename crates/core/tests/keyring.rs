//! The keyring's appending and in-place forms, which the binding's fast paths use.

use cachekit_core::crypto::{AadContext, Keyring, MasterKey};
use cachekit_core::storage::check_format;
use cachekit_core::CoreError;

fn ring(tenant: &str) -> Keyring {
    let master = MasterKey::from_bytes(&[3; 32]).expect("key");
    Keyring::new(&master, &[], tenant).expect("keyring")
}

fn read(envelope: &[u8], format: &str) -> Vec<u8> {
    let checked = check_format(envelope, format).expect("envelope");
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out).expect("decompress");
    out
}

#[test]
fn a_keyring_reports_its_tenant() {
    assert_eq!(ring("acme").tenant(), "acme");
}

#[test]
fn seal_into_appends_after_what_the_buffer_holds_and_open_envelope_into_reads_it() {
    let ring = ring("t");
    let mut out = b"prefix".to_vec();
    ring.seal_into(&mut out, b"sealed value", "k", "json")
        .expect("seal");
    assert_eq!(&out[..6], b"prefix");
    let mut envelope = vec![0xee; 3]; // cleared first
    ring.open_envelope_into(&mut envelope, &out[6..], "k", "json")
        .expect("open");
    assert_eq!(read(&envelope, "json"), b"sealed value");
    assert_eq!(
        ring.open_envelope_into(&mut envelope, &out[6..], "other", "json"),
        Err(CoreError::AuthenticationFailed)
    );
}

#[test]
fn an_empty_plaintext_encrypts_to_nonce_and_tag_and_back() {
    let ring = ring("t");
    let ctx = AadContext {
        cache_key: "k",
        format: "msgpack",
        compressed: false,
        original_type: None,
    };
    let sealed = ring.encrypt(b"", &ctx).expect("encrypt");
    assert_eq!(sealed.len(), 12 + 16);
    assert_eq!(ring.decrypt(&sealed, &ctx).expect("decrypt"), b"");
}

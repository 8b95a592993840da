//! Property tests: any bytes and any format round-trip; every single-bit flip and every
//! truncation of a valid envelope or ciphertext gives a typed error, never a panic or wrong data.

use cachekit_core::crypto::{AadContext, Keyring, MasterKey};
use cachekit_core::storage::{check, retrieve, store};
use cachekit_core::CoreError;
use proptest::prelude::*;

fn ring() -> Keyring {
    Keyring::new(&MasterKey::from_bytes(&[42u8; 32]).unwrap(), &[], "prop").unwrap()
}

fn ctx() -> AadContext<'static> {
    AadContext {
        cache_key: "k",
        format: "msgpack",
        compressed: false,
        original_type: None,
    }
}

/// Compressible and incompressible inputs alike.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        (proptest::collection::vec(any::<u8>(), 1..8), 0usize..600)
            .prop_map(|(unit, n)| unit.repeat(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn store_retrieve_roundtrips(data in payload(), format in ".{0,40}") {
        let envelope = store(&data, &format).unwrap();
        let (out, f) = retrieve(&envelope).unwrap();
        prop_assert_eq!(out, data);
        prop_assert_eq!(f, format.as_str());
    }

    #[test]
    fn seal_open_roundtrips(data in payload(), key in "[a-z:0-9]{1,40}") {
        let r = ring();
        let sealed = r.seal(&data, &key, "msgpack").unwrap();
        let env = r.open_envelope(&sealed, &key, "msgpack").unwrap();
        let (out, _) = retrieve(&env).unwrap();
        prop_assert_eq!(out, data);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = retrieve(&bytes);
        let _ = ring().decrypt(&bytes, &ctx());
    }
}

fn assert_rejected_or_same(
    result: Result<(Vec<u8>, &str), CoreError>,
    original: &[u8],
    what: &str,
) {
    // A flip inside the format string or a legacy-irrelevant bit may still decode, but then the
    // data must be the original bytes: corruption is never returned as data.
    if let Ok((data, _)) = result {
        assert_eq!(data, original, "{what} returned different data");
    }
}

#[test]
fn every_bit_flip_and_truncation_of_an_envelope_is_caught() {
    for data in [
        b"{\"user_id\":42,\"name\":\"cachekit\",\"active\":true}".repeat(3),
        (0u8..=255).collect::<Vec<_>>(),
        Vec::new(),
    ] {
        let envelope = store(&data, "msgpack").unwrap();
        for i in 0..envelope.len() * 8 {
            let mut bad = envelope.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert_rejected_or_same(retrieve(&bad), &data, &format!("flip {i}"));
        }
        for n in 0..envelope.len() {
            assert!(check(&envelope[..n]).is_err(), "truncation to {n} accepted");
        }
    }
}

#[test]
fn every_bit_flip_and_truncation_of_a_ciphertext_fails_authentication() {
    let r = ring();
    let data = b"secret value that must never come back altered".to_vec();
    let sealed = r.encrypt(&data, &ctx()).unwrap();
    for i in 0..sealed.len() * 8 {
        let mut bad = sealed.clone();
        bad[i / 8] ^= 1 << (i % 8);
        assert_eq!(
            r.decrypt(&bad, &ctx()),
            Err(CoreError::AuthenticationFailed),
            "flip {i}"
        );
    }
    for n in 0..sealed.len() {
        let err = r.decrypt(&sealed[..n], &ctx()).unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::AuthenticationFailed | CoreError::CiphertextTooShort { .. }
            ),
            "truncation {n}: {err:?}"
        );
    }
}

#[test]
fn huge_declared_size_is_refused_before_allocation() {
    // 512 MiB declared from a 6-byte block: refused by the ratio bound, nothing allocated.
    let mut envelope = vec![0x94, 0xc4, 0x06, 0x50, 0, 0, 0, 0, 0];
    envelope.push(0x98);
    envelope.extend_from_slice(&[0; 8]);
    envelope.extend_from_slice(&[0xce, 0x20, 0, 0, 0]);
    envelope.extend_from_slice(&[0xa7]);
    envelope.extend_from_slice(b"msgpack");
    assert!(matches!(
        check(&envelope),
        Err(CoreError::DecompressionBomb { .. })
    ));
}

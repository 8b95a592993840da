//! encryption.json: HKDF tenant keys and fingerprints, AAD v0x03 bytes, exact ciphertexts with
//! the pinned nonces, AAD mismatches refused, keyring rotation, default tenant, key input rules.

mod common;

use cachekit_core::crypto::{build_aad, AadContext, Keyring, MasterKey, NonceSequence};
use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::storage;
use cachekit_core::CoreError;
use common::*;
use serde_json::Value;

fn ctx(v: &Value) -> AadContext<'_> {
    AadContext {
        cache_key: s(&v["cache_key"]),
        format: s(&v["format"]),
        compressed: v["compressed"].as_bool().expect("compressed"),
        original_type: v.get("original_type").and_then(Value::as_str),
    }
}

fn key(hex: &Value) -> MasterKey {
    MasterKey::from_hex(s(hex)).expect("valid master key")
}

/// A keyring whose next nonce is the one the vector's ciphertext starts with.
fn keyring_for(
    master: &MasterKey,
    previous: &[MasterKey],
    tenant: &str,
    ciphertext: &[u8],
) -> Keyring {
    let prefix: [u8; 8] = ciphertext[..8].try_into().unwrap();
    let counter = u32::from_be_bytes(ciphertext[8..12].try_into().unwrap());
    Keyring::with_nonces(
        master,
        previous,
        tenant,
        NonceSequence::with_prefix(prefix, counter),
    )
    .unwrap()
}

fn hexs(b: &[u8]) -> String {
    hex::encode(b)
}

#[test]
fn main_vectors_roundtrip_exactly() {
    let doc = load("encryption.json");
    let tenant = s(&doc["tenant_id"]);
    let master = key(&doc["master_key_hex"]);
    let vectors = arr(&doc["vectors"]);
    assert_eq!(vectors.len(), 9);
    for v in vectors {
        let name = s(&v["name"]);
        let c = ctx(v);
        assert_eq!(
            hexs(&build_aad(tenant, &c).unwrap()),
            s(&v["aad_hex"]),
            "{name} aad"
        );
        let ct = unhex(&v["ciphertext_hex"]);
        let ring = keyring_for(&master, &[], tenant, &ct);
        assert_eq!(
            hexs(&ring.fingerprint()),
            s(&doc["derived_key_fingerprint_hex"])
        );
        assert_eq!(
            ring.decrypt(&ct, &c).expect(name),
            unhex(&v["plaintext_hex"]),
            "{name}"
        );
        assert_eq!(
            hexs(&ring.encrypt(&unhex(&v["plaintext_hex"]), &c).unwrap()),
            s(&v["ciphertext_hex"]),
            "{name}"
        );
    }
}

#[test]
fn aad_reject_vectors_fail_authentication() {
    let doc = load("encryption.json");
    let tenant = s(&doc["tenant_id"]);
    let master = key(&doc["master_key_hex"]);
    let ring = Keyring::new(&master, &[], tenant).unwrap();
    let rejects = arr(&doc["aad_reject_vectors"]);
    assert_eq!(rejects.len(), 10);
    for v in rejects {
        let c = ctx(v);
        assert_eq!(
            hexs(&build_aad(tenant, &c).unwrap()),
            s(&v["aad_hex"]),
            "{}",
            s(&v["name"])
        );
        assert_eq!(
            ring.decrypt(&unhex(&v["ciphertext_hex"]), &c),
            Err(CoreError::AuthenticationFailed),
            "{}",
            s(&v["name"])
        );
    }
}

#[test]
fn decrypted_containers_are_never_unwrapped_by_the_wrong_reader() {
    let doc = load("encryption.json");
    let tenant = s(&doc["tenant_id"]);
    let ring = Keyring::new(&key(&doc["master_key_hex"]), &[], tenant).unwrap();
    let rows = arr(&doc["decrypted_container"]["vectors"]);
    assert_eq!(rows.len(), 6);
    for v in rows {
        let name = s(&v["name"]);
        let plain = ring
            .decrypt(&unhex(&v["ciphertext_hex"]), &ctx(v))
            .expect(name);
        assert_eq!(plain, unhex(&v["plaintext_hex"]), "{name}");
        match s(&v["reader"]) {
            // The plain reader takes the plaintext as one document: the envelope array itself,
            // never the map inside it.
            "plain_msgpack" => {
                assert_eq!(scan(&plain, ScanMode::ExactlyOne), Ok(plain.len()));
                assert_eq!(s(&v["outcome"]), "not_unwrapped");
            }
            "interop" => {
                assert!(scan(&plain, ScanMode::ExactlyOne).is_err(), "{name}");
            }
            "bytestorage_envelope" => {
                let err = ring
                    .open_envelope(
                        &unhex(&v["ciphertext_hex"]),
                        s(&v["cache_key"]),
                        s(&v["format"]),
                    )
                    .and_then(|env| storage::check_format(&env, s(&v["format"])).map(|_| ()));
                assert!(
                    matches!(err, Err(CoreError::MalformedEnvelope { .. })),
                    "{name}: {err:?}"
                );
            }
            // Checksummed arrow/orjson containers are cachekit-py reader shapes this SDK does not
            // read; our envelope reader refuses their plaintext too.
            _ => {
                assert!(storage::check(&plain).is_err(), "{name}");
            }
        }
    }
}

#[test]
fn keyring_decrypts_with_current_and_previous_keys() {
    let doc = load("encryption.json");
    let kr = &doc["keyring"];
    let tenant = s(&kr["tenant_id"]);
    let entries = arr(&kr["entries"]);
    let k1 = key(&entries[0]["master_key_hex"]);
    let k2 = key(&entries[1]["master_key_hex"]);
    let ring_12 = Keyring::new(&k1, &[key(&entries[1]["master_key_hex"])], tenant).unwrap();
    let ring_21 = Keyring::new(&k2, &[key(&entries[0]["master_key_hex"])], tenant).unwrap();
    assert_eq!(
        hexs(&ring_12.fingerprint()),
        s(&entries[0]["derived_key_fingerprint_hex"])
    );
    assert_eq!(
        hexs(&ring_21.fingerprint()),
        s(&entries[1]["derived_key_fingerprint_hex"])
    );
    assert_eq!(
        hexs(&ring_12.previous_fingerprints()[0]),
        s(&entries[1]["derived_key_fingerprint_hex"])
    );
    for v in arr(&kr["vectors"]) {
        let ct = unhex(&v["ciphertext_hex"]);
        let plain = unhex(&v["plaintext_hex"]);
        assert_eq!(ring_12.decrypt(&ct, &ctx(v)).unwrap(), plain);
        assert_eq!(ring_21.decrypt(&ct, &ctx(v)).unwrap(), plain);
        // A keyring without the sealing key refuses it.
        let only_other = if s(&v["encrypted_with"]) == "k1" {
            &k2
        } else {
            &k1
        };
        let lone = Keyring::new(only_other, &[], tenant).unwrap();
        assert_eq!(
            lone.decrypt(&ct, &ctx(v)),
            Err(CoreError::AuthenticationFailed)
        );
    }
}

#[test]
fn keyring_configurations() {
    let doc = load("encryption.json");
    for v in arr(&doc["keyring"]["configuration"]["vectors"]) {
        let current = key(&v["current_master_key_hex"]);
        let previous: Vec<MasterKey> = arr(&v["decrypt_only_master_keys_hex"])
            .iter()
            .map(key)
            .collect();
        let result = Keyring::new(&current, &previous, "default");
        match s(&v["verdict"]) {
            "accept" => assert!(result.is_ok(), "{}", s(&v["name"])),
            _ => assert!(
                matches!(result, Err(CoreError::InvalidKeyring { .. })),
                "{}",
                s(&v["name"])
            ),
        }
    }
}

#[test]
fn default_tenant_vector() {
    let doc = load("encryption.json");
    let dt = &doc["default_tenant"];
    assert_eq!(s(&dt["tenant_id"]), "default");
    let v = &arr(&dt["vectors"])[0];
    let ct = unhex(&v["ciphertext_hex"]);
    let ring = keyring_for(&key(&doc["master_key_hex"]), &[], "default", &ct);
    assert_eq!(
        hexs(&ring.fingerprint()),
        s(&dt["derived_key_fingerprint_hex"])
    );
    assert_eq!(
        ring.decrypt(&ct, &ctx(v)).unwrap(),
        unhex(&v["plaintext_hex"])
    );
    assert_eq!(
        hexs(&ring.encrypt(&unhex(&v["plaintext_hex"]), &ctx(v)).unwrap()),
        s(&v["ciphertext_hex"])
    );
}

#[test]
fn master_key_input_rules() {
    let doc = load("encryption.json");
    let mki = &doc["master_key_input"];
    let tenant = s(&mki["tenant_id"]);
    for v in arr(&mki["accept_vectors"]) {
        let ring = Keyring::new(&key(&v["master_key_hex"]), &[], tenant).unwrap();
        assert_eq!(
            hexs(&ring.fingerprint()),
            s(&v["derived_key_fingerprint_hex"])
        );
        assert_eq!(
            ring.decrypt(&unhex(&v["ciphertext_hex"]), &ctx(v)).unwrap(),
            unhex(&v["plaintext_hex"])
        );
    }
    let rejects = arr(&mki["reject_vectors"]);
    assert_eq!(rejects.len(), 11);
    for v in rejects {
        assert!(
            matches!(
                MasterKey::from_hex(s(&v["master_key_hex"])),
                Err(CoreError::InvalidKey { .. })
            ),
            "{}",
            s(&v["name"])
        );
    }
    let raw = arr(&mki["raw_reject_vectors"]);
    assert_eq!(raw.len(), 5);
    for v in raw {
        assert!(
            matches!(
                MasterKey::from_bytes(&unhex(&v["raw_key_hex"])),
                Err(CoreError::InvalidKey { .. })
            ),
            "{}",
            s(&v["name"])
        );
    }
}

#[test]
fn seal_and_open_bind_key_tenant_and_format() {
    let master = MasterKey::from_bytes(&[7u8; 32]).unwrap();
    let ring = Keyring::new(&master, &[], "tenant-a").unwrap();
    let sealed = ring.seal(b"{\"user\":42}", "users:42", "msgpack").unwrap();
    let env = ring.open_envelope(&sealed, "users:42", "msgpack").unwrap();
    let checked = storage::check_format(&env, "msgpack").unwrap();
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out).unwrap();
    assert_eq!(out, b"{\"user\":42}");
    assert_eq!(
        ring.open_envelope(&sealed, "users:43", "msgpack"),
        Err(CoreError::AuthenticationFailed)
    );
    assert_eq!(
        ring.open_envelope(&sealed, "users:42", "json"),
        Err(CoreError::AuthenticationFailed)
    );
    let other = Keyring::new(&MasterKey::from_bytes(&[7u8; 32]).unwrap(), &[], "tenant-b").unwrap();
    assert_eq!(
        other.open_envelope(&sealed, "users:42", "msgpack"),
        Err(CoreError::AuthenticationFailed)
    );
    // Nonces never repeat within a keyring.
    let again = ring.seal(b"{\"user\":42}", "users:42", "msgpack").unwrap();
    assert_ne!(sealed[..12], again[..12]);
}

#[test]
fn empty_cache_key_and_bad_tenants_are_refused() {
    let master = MasterKey::from_bytes(&[1u8; 32]).unwrap();
    let ring = Keyring::new(&master, &[], "t").unwrap();
    let c = AadContext {
        cache_key: "",
        format: "msgpack",
        compressed: false,
        original_type: None,
    };
    assert!(matches!(
        ring.encrypt(b"x", &c),
        Err(CoreError::InvalidAad { .. })
    ));
    assert!(matches!(
        Keyring::new(&master, &[], ""),
        Err(CoreError::InvalidTenant { .. })
    ));
    let long = "x".repeat(1025);
    assert!(matches!(
        Keyring::new(&master, &[], &long),
        Err(CoreError::InvalidTenant { .. })
    ));
    assert!(Keyring::new(&master, &[], &"x".repeat(1024)).is_ok());
}

//! interop-mode.json (and the pre-final 1.3.0 draft): every key vector's hash is BLAKE2b-256 of its
//! canonical argument bytes.

mod common;

use cachekit_core::interop_hash::blake2b_256_hex;
use common::*;

fn check_key_vectors(name: &str, expected_rows: usize) {
    let doc = load(name);
    let rows = arr(&doc["key_vectors"]);
    assert_eq!(rows.len(), expected_rows, "{name}");
    for v in rows {
        let canonical = unhex(&v["canonical_args_hex"]);
        let hash = blake2b_256_hex(&canonical);
        assert_eq!(hash, s(&v["args_hash"]), "{}", s(&v["name"]));
        let key = format!("{}:{}:{}", s(&v["namespace"]), s(&v["operation"]), hash);
        assert_eq!(key, s(&v["expected_key"]), "{}", s(&v["name"]));
    }
}

#[test]
fn published_key_vectors_hash_as_pinned() {
    check_key_vectors("interop-mode.json", 33);
}

#[test]
fn draft_key_vectors_hash_as_pinned() {
    check_key_vectors("drafts/interop-mode-1.3.0-prefinal.json", 44);
}

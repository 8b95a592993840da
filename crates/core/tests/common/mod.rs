//! Shared helpers for the conformance tests: where the protocol vectors live, and hex/construction.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// The repository's vendored `protocol/` folder, or `CACHEKIT_PROTOCOL_DIR` when set (absolute, or
/// relative to the repository root, as the JS tests read it). A missing folder fails the test:
/// conformance is never skipped.
pub fn protocol_dir() -> PathBuf {
    let repo_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    match std::env::var_os("CACHEKIT_PROTOCOL_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => repo_root.join(dir),
        None => repo_root.join("protocol"),
    }
}

pub fn load(name: &str) -> Value {
    let path = protocol_dir().join("test-vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "protocol vectors not found at {} ({e}): restore the repository's protocol/ folder or point CACHEKIT_PROTOCOL_DIR at a protocol folder",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("vector file is JSON")
}

pub fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

pub fn s(v: &Value) -> &str {
    v.as_str().expect("string field")
}

pub fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().expect("array field")
}

/// Builds bytes from `[{hex, count}, ...]` segments.
pub fn construct(segments: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for seg in arr(segments) {
        let bytes = unhex(&seg["hex"]);
        for _ in 0..seg["count"].as_u64().expect("count") {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// decode-bounds.json's `repeat_hex * count + suffix_hex`.
pub fn construct_repeat(c: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let rep = unhex(&c["repeat_hex"]);
    for _ in 0..c["count"].as_u64().expect("count") {
        out.extend_from_slice(&rep);
    }
    out.extend_from_slice(&unhex(&c["suffix_hex"]));
    out
}

//! decode-bounds.json: hostile MessagePack is refused by the pre-scan, bounded documents pass.

mod common;

use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::CoreError;
use common::*;

#[test]
fn reject_vectors_are_refused() {
    let doc = load("decode-bounds.json");
    let rejects = arr(&doc["reject_vectors"]);
    assert_eq!(rejects.len(), 19);
    for v in rejects {
        let input = construct_repeat(&v["construction"]);
        assert_eq!(hex::encode(&input), s(&v["input_hex"]), "construction");
        let err = scan(&input, ScanMode::ExactlyOne).expect_err(s(&v["name"]));
        assert!(matches!(err, CoreError::MalformedMsgpack { .. }));
        // Also refused when trailing bytes would be allowed: the rules are about the document.
        scan(&input, ScanMode::Prefix).expect_err(s(&v["name"]));
    }
}

#[test]
fn accept_vectors_pass() {
    let doc = load("decode-bounds.json");
    for v in arr(&doc["accept_vectors"]) {
        let input = construct_repeat(&v["construction"]);
        assert_eq!(
            scan(&input, ScanMode::ExactlyOne),
            Ok(input.len()),
            "{}",
            s(&v["name"])
        );
    }
}

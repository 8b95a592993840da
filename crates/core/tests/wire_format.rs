//! wire-format.json: every envelope decodes, every reject vector fails with the right error,
//! and what we write is byte-identical to the canonical `bin` encodings.

mod common;

use cachekit_core::storage::{retrieve, retrieve_msgpack, store};
use cachekit_core::CoreError;
use common::*;

#[test]
fn every_vector_decodes_to_its_input() {
    let doc = load("wire-format.json");
    let vectors = arr(&doc["vectors"]);
    assert_eq!(vectors.len(), 18);
    for v in vectors {
        let envelope = unhex(&v["envelope_hex"]);
        let (data, format) = retrieve(&envelope).unwrap_or_else(|e| {
            panic!("{}: {e}", s(&v["name"]));
        });
        assert_eq!(data, unhex(&v["input_hex"]), "{}", s(&v["name"]));
        assert_eq!(format, s(&v["format"]), "{}", s(&v["name"]));
    }
}

#[test]
fn writer_output_matches_canonical_bin_vectors() {
    let doc = load("wire-format.json");
    let mut checked = 0;
    for v in arr(&doc["vectors"]) {
        if v.get("envelope_encoding").and_then(|e| e.as_str()) != Some("bin") {
            continue;
        }
        let written = store(&unhex(&v["input_hex"]), s(&v["format"])).expect("store");
        assert_eq!(
            hex::encode(&written),
            s(&v["envelope_hex"]),
            "{}",
            s(&v["name"])
        );
        checked += 1;
    }
    assert_eq!(checked, 9);
}

fn expected_for_step(step: u64, name: &str, err: &CoreError) {
    let ok = match step {
        2 => matches!(err, CoreError::MalformedEnvelope { .. }),
        4 => matches!(err, CoreError::InputTooLarge { .. }),
        5 => matches!(err, CoreError::DecompressionBomb { .. }),
        6 => matches!(err, CoreError::SizeMismatch { .. }),
        8 => matches!(err, CoreError::ChecksumMismatch { .. }),
        _ => false,
    };
    assert!(ok, "{name}: step {step} gave {err:?}");
}

#[test]
fn every_reject_vector_is_refused_with_its_step_error() {
    let doc = load("wire-format.json");
    let rejects = arr(&doc["reject_vectors"]);
    assert_eq!(rejects.len(), 14);
    for v in rejects {
        let name = s(&v["name"]);
        let err = retrieve(&unhex(&v["envelope_hex"])).expect_err(name);
        expected_for_step(v["reject_step"].as_u64().expect("step"), name, &err);
    }
}

#[test]
fn constructed_vectors_decode() {
    let doc = load("wire-format.json");
    for v in arr(&doc["constructed_vectors"]) {
        let envelope = construct(&v["envelope_construction"]);
        assert_eq!(envelope.len() as u64, v["envelope_size"].as_u64().unwrap());
        let (data, _) = retrieve(&envelope).unwrap_or_else(|e| panic!("{}: {e}", s(&v["name"])));
        assert_eq!(
            data,
            construct(&v["input_construction"]),
            "{}",
            s(&v["name"])
        );
    }
}

#[test]
fn payload_reject_vectors_pass_the_envelope_but_not_the_msgpack_prescan() {
    let doc = load("wire-format.json");
    for v in arr(&doc["payload_reject_vectors"]) {
        let envelope = unhex(&v["envelope_hex"]);
        let (data, _) = retrieve(&envelope).expect("envelope itself is valid");
        assert_eq!(data, unhex(&v["input_hex"]));
        let err = retrieve_msgpack(&envelope).expect_err(s(&v["name"]));
        assert!(matches!(err, CoreError::MalformedMsgpack { .. }), "{err:?}");
    }
}

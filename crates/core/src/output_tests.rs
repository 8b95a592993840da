//! The `*_to` read functions: what they ask their output for, when they ask nothing, and which
//! error reaches the caller.

use super::*;
use crate::crypto::{AadContext, Keyring, MasterKey};
use crate::msgpack::{write_array_len, write_bin, write_str, write_uint};
use crate::storage;

/// Writes into a vector of its own and remembers what it was asked for.
#[derive(Default)]
struct Recorder {
    asked: Vec<(usize, String)>,
}

impl RetrieveOutput for &mut Recorder {
    type Value = Vec<u8>;
    type Error = CoreError;

    fn write(
        self,
        len: usize,
        format: &str,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Vec<u8>, CoreError> {
        self.asked.push((len, format.to_owned()));
        Output::write(NewVec, len, fill)
    }
}

impl Output for &mut Recorder {
    type Value = Vec<u8>;
    type Error = CoreError;

    fn write(
        self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Vec<u8>, CoreError> {
        self.asked.push((len, String::new()));
        Output::write(NewVec, len, fill)
    }
}

#[derive(Debug, PartialEq)]
enum CallerError {
    Core(CoreError),
    NoRoom,
}

impl From<CoreError> for CallerError {
    fn from(e: CoreError) -> Self {
        CallerError::Core(e)
    }
}

/// An output that cannot provide the bytes (an allocation the caller's runtime refused).
struct NoRoom;

impl RetrieveOutput for NoRoom {
    type Value = ();
    type Error = CallerError;

    fn write(
        self,
        _len: usize,
        _format: &str,
        _fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<(), CallerError> {
        Err(CallerError::NoRoom)
    }
}

fn envelope(block: &[u8], checksum: u64, original_size: u64, format: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_array_len(&mut out, 4);
    write_bin(&mut out, block);
    write_array_len(&mut out, 8);
    for b in checksum.to_be_bytes() {
        write_uint(&mut out, u64::from(b));
    }
    write_uint(&mut out, original_size);
    write_str(&mut out, format);
    out
}

fn keyring(master: u8) -> Keyring {
    Keyring::new(
        &MasterKey::from_bytes(&[master; 32]).unwrap(),
        &[],
        "tenant-a",
    )
    .unwrap()
}

fn code<T>(result: Result<T, CoreError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn retrieve_to_a_new_vec_gives_what_retrieve_gives() {
    for data in [
        Vec::new(),
        b"x".to_vec(),
        vec![b'a'; 70_000],
        (0..=255).collect(),
    ] {
        let stored = storage::store(&data, "json").unwrap();
        let (expected, format) = storage::retrieve(&stored).unwrap();
        let got = storage::retrieve_to(&stored, None, false, NewVec).unwrap();
        assert_eq!(got, (expected, format.to_owned()));
        assert_eq!(got.0, data);
    }
}

#[test]
fn retrieve_to_asks_its_output_once_for_the_declared_size_and_the_envelope_format() {
    let stored = storage::store(&[9u8; 1000], "arrow").unwrap();
    let mut recorder = Recorder::default();
    let data = storage::retrieve_to(&stored, None, false, &mut recorder).unwrap();
    assert_eq!(data, vec![9u8; 1000]);
    assert_eq!(recorder.asked, vec![(1000, "arrow".to_owned())]);
}

#[test]
fn retrieve_to_refuses_an_envelope_of_another_format_without_asking_for_output() {
    let stored = storage::store(b"payload", "json").unwrap();
    let mut recorder = Recorder::default();
    let result = storage::retrieve_to(&stored, Some("msgpack"), false, &mut recorder);
    assert_eq!(code(result), "MALFORMED_ENVELOPE");
    assert!(recorder.asked.is_empty());
    let same = storage::retrieve_to(&stored, Some("json"), false, &mut recorder);
    assert_eq!(same.unwrap(), b"payload");
}

#[test]
fn retrieve_to_refuses_a_declared_size_no_block_can_encode_without_asking_for_output() {
    let bomb = envelope(&[0u8; 10], 0, 512 * 1024 * 1024, "msgpack");
    let mut recorder = Recorder::default();
    let result = storage::retrieve_to(&bomb, None, false, &mut recorder);
    assert_eq!(code(result), "DECOMPRESSION_BOMB");
    assert!(recorder.asked.is_empty());
}

#[test]
fn retrieve_to_verifies_the_checksum_of_what_it_wrote() {
    let data = b"checked bytes";
    let block = storage::compress_block(data).unwrap();
    let wrong = crate::checksum::xxh3_64(data) ^ 1;
    let damaged = envelope(&block, wrong, data.len() as u64, "msgpack");
    let mut recorder = Recorder::default();
    let result = storage::retrieve_to(&damaged, None, false, &mut recorder);
    assert_eq!(code(result), "CHECKSUM_MISMATCH");
    assert_eq!(recorder.asked, vec![(data.len(), "msgpack".to_owned())]);
}

#[test]
fn retrieve_to_requires_one_msgpack_document_only_when_asked() {
    let not_msgpack = storage::store(&[0xc1], "msgpack").unwrap();
    assert_eq!(
        code(storage::retrieve_to(&not_msgpack, None, false, NewVec)),
        "ok"
    );
    assert_eq!(
        code(storage::retrieve_to(&not_msgpack, None, true, NewVec)),
        "MALFORMED_MSGPACK"
    );
    let array = storage::store(&[0x93, 0x01, 0x02, 0x03], "msgpack").unwrap();
    let (data, _) = storage::retrieve_to(&array, None, true, NewVec).unwrap();
    assert_eq!(data, [0x93, 0x01, 0x02, 0x03]);
}

#[test]
fn the_caller_gets_both_its_outputs_failure_and_the_reads_failure_in_its_own_error_type() {
    let stored = storage::store(b"fine", "msgpack").unwrap();
    assert_eq!(
        storage::retrieve_to(&stored, None, false, NoRoom),
        Err(CallerError::NoRoom)
    );
    let not_an_envelope = storage::retrieve_to(b"\x90", None, false, NoRoom);
    assert!(
        matches!(&not_an_envelope, Err(CallerError::Core(e)) if e.code() == "MALFORMED_ENVELOPE"),
        "{not_an_envelope:?}"
    );
}

#[test]
fn decompress_block_to_bounds_the_size_before_asking_and_requires_it_exactly() {
    let data = vec![b'z'; 5000];
    let block = storage::compress_block(&data).unwrap();
    assert_eq!(
        storage::decompress_block_to(&block, 5000, NewVec).unwrap(),
        data
    );
    let mut recorder = Recorder::default();
    let too_much = storage::decompress_block_to(&block, 255 * block.len() as u64, &mut recorder);
    assert_eq!(code(too_much), "DECOMPRESSION_BOMB");
    assert!(recorder.asked.is_empty());
    let short = storage::decompress_block_to(&block, 4999, &mut recorder);
    assert_eq!(code(short), "SIZE_MISMATCH");
    assert_eq!(recorder.asked, vec![(4999, String::new())]);
}

#[test]
fn open_to_reads_what_seal_wrote_and_asks_for_the_original_size() {
    let keys = keyring(1);
    let data = vec![42u8; 3000];
    let sealed = keys.seal(&data, "user:1", "msgpack").unwrap();
    let mut recorder = Recorder::default();
    let opened = keys
        .open_to(&sealed, "user:1", "msgpack", false, &mut recorder)
        .unwrap();
    assert_eq!(opened, data);
    assert_eq!(recorder.asked, vec![(3000, "msgpack".to_owned())]);
}

#[test]
fn open_to_refuses_another_cache_key_or_key_without_asking_for_output() {
    let sealed = keyring(1).seal(b"secret", "user:1", "msgpack").unwrap();
    let mut recorder = Recorder::default();
    let other_key = keyring(1).open_to(&sealed, "user:2", "msgpack", false, &mut recorder);
    assert_eq!(code(other_key), "AUTHENTICATION_FAILED");
    let other_master = keyring(2).open_to(&sealed, "user:1", "msgpack", false, &mut recorder);
    assert_eq!(code(other_master), "AUTHENTICATION_FAILED");
    assert!(recorder.asked.is_empty());
}

#[test]
fn open_to_refuses_an_envelope_that_names_another_format_than_the_aad() {
    let keys = keyring(1);
    let json_envelope = storage::store(b"{}", "json").unwrap();
    let ctx = AadContext {
        cache_key: "user:1",
        format: "msgpack",
        compressed: true,
        original_type: None,
    };
    let sealed = keys.encrypt(&json_envelope, &ctx).unwrap();
    let mut recorder = Recorder::default();
    let result = keys.open_to(&sealed, "user:1", "msgpack", false, &mut recorder);
    assert_eq!(code(result), "MALFORMED_ENVELOPE");
    assert!(recorder.asked.is_empty());
}

#[test]
fn open_to_requires_one_msgpack_document_only_when_asked() {
    let keys = keyring(1);
    let sealed = keys.seal(&[0x92, 0x01], "k", "msgpack").unwrap();
    assert_eq!(
        code(keys.open_to(&sealed, "k", "msgpack", false, NewVec)),
        "ok"
    );
    assert_eq!(
        code(keys.open_to(&sealed, "k", "msgpack", true, NewVec)),
        "MALFORMED_MSGPACK"
    );
}

#[test]
fn decrypt_to_gives_what_decrypt_gives_and_asks_for_the_plaintext_length() {
    let keys = keyring(1);
    let ctx = AadContext {
        cache_key: "k",
        format: "raw",
        compressed: false,
        original_type: Some("bytes"),
    };
    let sealed = keys.encrypt(b"plain text", &ctx).unwrap();
    let mut recorder = Recorder::default();
    let plain = keys.decrypt_to(&sealed, &ctx, &mut recorder).unwrap();
    assert_eq!(plain, keys.decrypt(&sealed, &ctx).unwrap());
    assert_eq!(plain, b"plain text");
    assert_eq!(recorder.asked, vec![(10, String::new())]);
}

#[test]
fn decrypt_to_refuses_input_shorter_than_nonce_and_tag_without_asking_for_output() {
    let ctx = AadContext {
        cache_key: "k",
        format: "raw",
        compressed: false,
        original_type: None,
    };
    let mut recorder = Recorder::default();
    let result = keyring(1).decrypt_to(&[0u8; 27], &ctx, &mut recorder);
    assert_eq!(code(result), "CIPHERTEXT_TOO_SHORT");
    assert!(recorder.asked.is_empty());
}

#[test]
fn decrypt_to_tries_previous_keys_and_refuses_another_context() {
    let old = MasterKey::from_bytes(&[1; 32]).unwrap();
    let new = MasterKey::from_bytes(&[2; 32]).unwrap();
    let rotated = Keyring::new(&new, &[old], "tenant-a").unwrap();
    let ctx = AadContext {
        cache_key: "k",
        format: "raw",
        compressed: false,
        original_type: None,
    };
    let sealed_before = keyring(1).encrypt(b"old value", &ctx).unwrap();
    assert_eq!(
        rotated.decrypt_to(&sealed_before, &ctx, NewVec).unwrap(),
        b"old value"
    );
    let other = AadContext {
        cache_key: "k2",
        ..ctx
    };
    assert_eq!(
        code(rotated.decrypt_to(&sealed_before, &other, NewVec)),
        "AUTHENTICATION_FAILED"
    );
}

//! Any bytes given to the envelope reader: an error or data whose checksum verified, never a
//! panic, and nothing allocated from an unbounded declared size.
#![no_main]

use cachekit_core::checksum::xxh3_64;
use cachekit_core::storage::{check, retrieve, store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if let Ok(checked) = check(input) {
        assert!(checked.original_len() as u64 <= 536_870_912);
    }
    if let Ok((data, format)) = retrieve(input) {
        // What was accepted re-encodes and reads back the same.
        let again = store(&data, format).expect("store of accepted data");
        let (round, _) = retrieve(&again).expect("retrieve of our own envelope");
        assert_eq!(xxh3_64(&round), xxh3_64(&data));
        assert_eq!(round, data);
    }
});

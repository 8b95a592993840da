//! Any bytes given to the envelope reader: an error or data whose checksum verified, never a
//! panic, and nothing allocated from an unbounded declared size. The same bytes as a bare LZ4
//! block never decode to more than `lz4_max_decoded_len`, the bound declared sizes are held to.
#![no_main]

use cachekit_core::checksum::xxh3_64;
use cachekit_core::limits::lz4_max_decoded_len;
use cachekit_core::storage::{check, decompress_block, retrieve, store};
use cachekit_core::CoreError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if let Ok(checked) = check(input) {
        assert!(checked.original_len() as u64 <= lz4_max_decoded_len(input.len() as u64));
    }
    if let Ok((data, format)) = retrieve(input) {
        // What was accepted re-encodes and reads back the same.
        let again = store(&data, format).expect("store of accepted data");
        let (round, _) = retrieve(&again).expect("retrieve of our own envelope");
        assert_eq!(xxh3_64(&round), xxh3_64(&data));
        assert_eq!(round, data);
    }
    // Room for 255 bytes per input byte: more than the bound, so a block that broke it would
    // decode completely and show its length here.
    let mut out = vec![0u8; input.len() * 255 + 1];
    let decoded = match decompress_block(input, &mut out) {
        Ok(()) => Some(out.len() as u64),
        Err(CoreError::SizeMismatch { actual, .. }) if actual < out.len() as u64 => Some(actual),
        Err(_) => None,
    };
    if let Some(len) = decoded {
        assert!(
            len <= lz4_max_decoded_len(input.len() as u64),
            "{len} bytes from {}",
            input.len()
        );
    }
});

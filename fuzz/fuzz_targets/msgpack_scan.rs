//! The bounded MessagePack pre-scan on any bytes: an error or a document length within the input.
#![no_main]

use cachekit_core::msgpack::{scan, ScanMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if let Ok(n) = scan(input, ScanMode::Prefix) {
        assert!(n >= 1 && n <= input.len());
        assert_eq!(scan(&input[..n], ScanMode::ExactlyOne), Ok(n));
    }
});

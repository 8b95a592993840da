//! The 512 MiB limits at their edges, for the writer and for a bare LZ4 block. Zero-filled
//! vectors are not touched until read, so the large inputs here cost little memory.

use cachekit_core::limits::MAX_SIZE;
use cachekit_core::storage::{check_block_bounds, compress_block, decompress_block, store};
use cachekit_core::CoreError;

const OVER: usize = MAX_SIZE as usize + 1;

fn too_large(what: &'static str, size: u64) -> CoreError {
    CoreError::InputTooLarge {
        what,
        size,
        limit: MAX_SIZE,
    }
}

#[test]
fn a_value_over_512_mib_is_refused_before_it_is_read() {
    let value = vec![0u8; OVER];
    assert_eq!(
        store(&value, "msgpack"),
        Err(too_large("value", OVER as u64))
    );
    assert_eq!(compress_block(&value), Err(too_large("value", OVER as u64)));
}

#[test]
fn a_bare_block_may_be_512_mib_and_no_more() {
    let max = MAX_SIZE;
    assert_eq!(check_block_bounds(max, max), Ok(max as usize));
    assert_eq!(
        check_block_bounds(max + 1, 1),
        Err(too_large("compressed data", max + 1))
    );
    assert_eq!(
        check_block_bounds(max, max + 1),
        Err(too_large("declared original size", max + 1))
    );
    assert_eq!(
        check_block_bounds(0, 0),
        Err(CoreError::DecompressionBomb {
            compressed: 0,
            original: 0
        })
    );
}

#[test]
fn compress_block_writes_a_bare_block_that_decodes_back() {
    for data in [
        b"".to_vec(),
        b"x".to_vec(),
        b"abcabcabcabcabcabcabc".repeat(100),
    ] {
        let block = compress_block(&data).expect("compress");
        assert!(!block.is_empty());
        let mut out = vec![0u8; data.len()];
        decompress_block(&block, &mut out).expect("decompress");
        assert_eq!(out, data);
    }
}

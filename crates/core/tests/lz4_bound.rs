//! The declared-size bound `lz4_max_decoded_len` is exact: the largest block of every length
//! decodes to exactly the bound (so no honest block is refused), one byte more is a decompression
//! bomb, and no block built from random sequences ever decodes to more.

use cachekit_core::checksum::xxh3_64;
use cachekit_core::limits::{lz4_max_decoded_len, MAX_COMPRESSION_RATIO};
use cachekit_core::storage::{check_block_bounds, decompress_block, retrieve, store};
use cachekit_core::CoreError;
use proptest::prelude::*;

/// The block of `len` (≥ 5) bytes that decodes to the most output: one literal, one match whose
/// length bytes fill the rest, an empty final sequence.
fn largest_block(len: usize) -> Vec<u8> {
    assert!(len >= 5);
    let extension = len - 5;
    let mut block = vec![if extension == 0 { 0x1e } else { 0x1f }, b'A', 0x01, 0x00];
    if extension > 0 {
        block.resize(block.len() + extension - 1, 0xff);
        block.push(0xfe);
    }
    block.push(0x00);
    assert_eq!(block.len(), len);
    block
}

/// A literals-only block of `len` (≥ 1) bytes.
fn literal_block(len: usize) -> Vec<u8> {
    assert!((1..=15).contains(&len));
    let mut block = vec![((len - 1) as u8) << 4];
    block.resize(block.len() + len - 1, b'L');
    block
}

/// An envelope with this block, original size and the checksum of `data`.
fn envelope(block: &[u8], original_size: usize, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x94, 0xc6];
    out.extend_from_slice(&(block.len() as u32).to_be_bytes());
    out.extend_from_slice(block);
    out.push(0x98);
    for b in xxh3_64(data).to_be_bytes() {
        if b < 0x80 {
            out.push(b);
        } else {
            out.extend_from_slice(&[0xcc, b]);
        }
    }
    out.push(0xce);
    out.extend_from_slice(&(original_size as u32).to_be_bytes());
    out.push(0xa7);
    out.extend_from_slice(b"msgpack");
    out
}

#[test]
fn the_largest_block_of_each_length_decodes_to_exactly_the_bound() {
    for len in (5..=300).chain([1_000, 4_096, 65_537, 600 * 1024]) {
        let block = largest_block(len);
        let bound = lz4_max_decoded_len(len as u64) as usize;
        let mut out = vec![0u8; bound];
        decompress_block(&block, &mut out).unwrap_or_else(|e| panic!("{len}: {e}"));
        assert!(out.iter().all(|b| *b == b'A'), "{len}");
        assert_eq!(bound, 255 * len - 1256, "{len}");
    }
}

#[test]
fn short_blocks_hold_literals_only() {
    assert_eq!(lz4_max_decoded_len(0), 0);
    for len in 1..=4 {
        let block = literal_block(len);
        let mut out = vec![0u8; len - 1];
        decompress_block(&block, &mut out).expect("literals");
        assert_eq!(lz4_max_decoded_len(len as u64), len as u64 - 1);
    }
}

#[test]
fn an_envelope_declaring_exactly_the_bound_is_read_and_one_byte_more_is_a_bomb() {
    for len in [5usize, 6, 255, 4096] {
        let block = largest_block(len);
        let bound = lz4_max_decoded_len(len as u64) as usize;
        let data = vec![b'A'; bound];
        let (out, _) = retrieve(&envelope(&block, bound, &data)).expect("at the bound");
        assert_eq!(out, data);
        assert!(matches!(
            retrieve(&envelope(&block, bound + 1, &data)),
            Err(CoreError::DecompressionBomb { .. })
        ));
    }
    for len in 1..=4usize {
        let block = literal_block(len);
        let data = vec![b'L'; len - 1];
        assert!(retrieve(&envelope(&block, len - 1, &data)).is_ok());
        assert!(matches!(
            retrieve(&envelope(&block, len, &data)),
            Err(CoreError::DecompressionBomb { .. })
        ));
    }
}

#[test]
fn the_bound_is_within_the_protocol_ratio_for_every_size_up_to_512_mib() {
    // lz4_max_decoded_len(n) <= 255 n < 1000 n: the tighter bound never admits what the protocol
    // refuses. Checked at the ends and at powers of two.
    for n in (0..=40u64).chain((6..=29).map(|p| 1u64 << p)) {
        assert!(lz4_max_decoded_len(n) <= n * MAX_COMPRESSION_RATIO, "{n}");
    }
    assert_eq!(
        check_block_bounds(1000, 1_000_001).map(|_| ()),
        Err(CoreError::DecompressionBomb {
            compressed: 1000,
            original: 1_000_001
        })
    );
}

#[test]
fn what_the_writer_produces_is_always_within_the_bound() {
    for data in [
        vec![0u8; 1 << 20],
        vec![0x41; 1 << 16],
        b"abcabcabcabc".repeat(5000),
    ] {
        let envelope = store(&data, "msgpack").expect("store");
        assert_eq!(retrieve(&envelope).expect("retrieve").0, data);
    }
}

/// One LZ4 sequence: literals, then (except in the last) a match of `len` bytes `back` bytes back.
#[derive(Debug, Clone)]
struct Sequence {
    literals: usize,
    match_len: usize,
    back: usize,
}

fn push_length(out: &mut Vec<u8>, mut rest: usize) {
    while rest >= 255 {
        out.push(255);
        rest -= 255;
    }
    out.push(rest as u8);
}

/// Encodes the sequences as a valid block (offsets clamped to the output so far) and returns it
/// with the length it decodes to.
fn encode(sequences: &[Sequence], last_literals: usize) -> (Vec<u8>, usize) {
    let mut block = Vec::new();
    let mut produced = 0usize;
    for s in sequences {
        let literals = if produced == 0 {
            s.literals.max(1)
        } else {
            s.literals
        };
        let match_code = s.match_len - 4;
        block.push(((literals.min(15) as u8) << 4) | match_code.min(15) as u8);
        if literals >= 15 {
            push_length(&mut block, literals - 15);
        }
        block.resize(block.len() + literals, b'x');
        produced += literals;
        let offset = s.back.clamp(1, produced.min(65_535));
        block.extend_from_slice(&(offset as u16).to_le_bytes());
        if match_code >= 15 {
            push_length(&mut block, match_code - 15);
        }
        produced += s.match_len;
    }
    block.push((last_literals.min(15) as u8) << 4);
    if last_literals >= 15 {
        push_length(&mut block, last_literals - 15);
    }
    block.resize(block.len() + last_literals, b'y');
    (block, produced + last_literals)
}

proptest! {
    #[test]
    fn no_block_decodes_to_more_than_the_bound(
        sequences in prop::collection::vec(
            (0usize..300, 4usize..3000, 1usize..70_000)
                .prop_map(|(literals, match_len, back)| Sequence { literals, match_len, back }),
            0..8,
        ),
        last_literals in 0usize..300,
    ) {
        let (block, produced) = encode(&sequences, last_literals);
        let mut out = vec![0u8; produced];
        decompress_block(&block, &mut out).expect("a valid block decodes");
        prop_assert!(produced as u64 <= lz4_max_decoded_len(block.len() as u64));
    }
}

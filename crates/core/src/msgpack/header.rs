//! Decoding one MessagePack item header. Never panics: every read is bounds-checked against the
//! input and a short input is an error, not a slice panic.

use crate::error::{CoreError, Result};

/// One item header. Payload-carrying kinds hold their declared byte or element count, which the
/// caller must still check against the remaining input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Nil,
    Bool(bool),
    Uint(u64),
    Int(i64),
    Float32,
    Float64,
    Str(u64),
    Bin(u64),
    /// Extension with its declared payload length (the type byte is consumed).
    Ext(u64),
    Array(u64),
    /// Map with its pair count.
    Map(u64),
}

fn take(input: &[u8], pos: usize, n: usize) -> Result<&[u8]> {
    let end = pos
        .checked_add(n)
        .ok_or_else(|| CoreError::msgpack("offset overflow"))?;
    input.get(pos..end).ok_or_else(|| {
        CoreError::msgpack(format!("input ends inside an item header at byte {pos}"))
    })
}

fn be(input: &[u8], pos: usize, n: usize) -> Result<u64> {
    Ok(take(input, pos, n)?
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// Reads the header at `pos` and returns it with the position just after it (before any payload).
pub fn read_header(input: &[u8], pos: usize) -> Result<(Header, usize)> {
    let marker = *input
        .get(pos)
        .ok_or_else(|| CoreError::msgpack(format!("input ends before item at byte {pos}")))?;
    let p = pos + 1;
    let h = match marker {
        0x00..=0x7f => (Header::Uint(u64::from(marker)), p),
        0x80..=0x8f => (Header::Map(u64::from(marker & 0x0f)), p),
        0x90..=0x9f => (Header::Array(u64::from(marker & 0x0f)), p),
        0xa0..=0xbf => (Header::Str(u64::from(marker & 0x1f)), p),
        0xc0 => (Header::Nil, p),
        0xc1 => return Err(CoreError::msgpack("reserved marker 0xc1")),
        0xc2 => (Header::Bool(false), p),
        0xc3 => (Header::Bool(true), p),
        0xc4 => (Header::Bin(be(input, p, 1)?), p + 1),
        0xc5 => (Header::Bin(be(input, p, 2)?), p + 2),
        0xc6 => (Header::Bin(be(input, p, 4)?), p + 4),
        // ext 8/16/32: length then a type byte
        0xc7 => (Header::Ext(be(input, p, 1)?), p + 2),
        0xc8 => (Header::Ext(be(input, p, 2)?), p + 3),
        0xc9 => (Header::Ext(be(input, p, 4)?), p + 5),
        0xca => (Header::Float32, p),
        0xcb => (Header::Float64, p),
        0xcc => (Header::Uint(be(input, p, 1)?), p + 1),
        0xcd => (Header::Uint(be(input, p, 2)?), p + 2),
        0xce => (Header::Uint(be(input, p, 4)?), p + 4),
        0xcf => (Header::Uint(be(input, p, 8)?), p + 8),
        0xd0 => (Header::Int(i64::from(be(input, p, 1)? as u8 as i8)), p + 1),
        0xd1 => (
            Header::Int(i64::from(be(input, p, 2)? as u16 as i16)),
            p + 2,
        ),
        0xd2 => (
            Header::Int(i64::from(be(input, p, 4)? as u32 as i32)),
            p + 4,
        ),
        0xd3 => (Header::Int(be(input, p, 8)? as i64), p + 8),
        // fixext 1/2/4/8/16: a type byte then a fixed payload
        0xd4 => (Header::Ext(1), p + 1),
        0xd5 => (Header::Ext(2), p + 1),
        0xd6 => (Header::Ext(4), p + 1),
        0xd7 => (Header::Ext(8), p + 1),
        0xd8 => (Header::Ext(16), p + 1),
        0xd9 => (Header::Str(be(input, p, 1)?), p + 1),
        0xda => (Header::Str(be(input, p, 2)?), p + 2),
        0xdb => (Header::Str(be(input, p, 4)?), p + 4),
        0xdc => (Header::Array(be(input, p, 2)?), p + 2),
        0xdd => (Header::Array(be(input, p, 4)?), p + 4),
        0xde => (Header::Map(be(input, p, 2)?), p + 2),
        0xdf => (Header::Map(be(input, p, 4)?), p + 4),
        0xe0..=0xff => (Header::Int(i64::from(marker as i8)), p),
    };
    if h.1 > input.len() {
        return Err(CoreError::msgpack(format!(
            "input ends inside an item header at byte {pos}"
        )));
    }
    Ok(h)
}

/// Payload bytes that follow a header (str, bin, ext, floats), or 0.
pub(crate) fn payload_len(h: Header) -> u64 {
    match h {
        Header::Str(n) | Header::Bin(n) | Header::Ext(n) => n,
        Header::Float32 => 4,
        Header::Float64 => 8,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every marker family with its value and header length. Read at byte 3 so that a header
    /// length computed from the position (rather than added to it) shows.
    const HEADERS: &[(&[u8], Header)] = &[
        (&[0x05], Header::Uint(5)),
        (&[0x83], Header::Map(3)),
        (&[0x93], Header::Array(3)),
        (&[0xa3], Header::Str(3)),
        (&[0xc0], Header::Nil),
        (&[0xc2], Header::Bool(false)),
        (&[0xc3], Header::Bool(true)),
        (&[0xc4, 0x07], Header::Bin(7)),
        (&[0xc5, 0x01, 0x02], Header::Bin(0x0102)),
        (&[0xc6, 0x01, 0x02, 0x03, 0x04], Header::Bin(0x0102_0304)),
        (&[0xc7, 0x07, 0x05], Header::Ext(7)),
        (&[0xc8, 0x01, 0x02, 0x05], Header::Ext(0x0102)),
        (
            &[0xc9, 0x01, 0x02, 0x03, 0x04, 0x05],
            Header::Ext(0x0102_0304),
        ),
        (&[0xca], Header::Float32),
        (&[0xcb], Header::Float64),
        (&[0xcc, 0xff], Header::Uint(0xff)),
        (&[0xcd, 0x01, 0x02], Header::Uint(0x0102)),
        (&[0xce, 0x01, 0x02, 0x03, 0x04], Header::Uint(0x0102_0304)),
        (
            &[0xcf, 1, 2, 3, 4, 5, 6, 7, 8],
            Header::Uint(0x0102_0304_0506_0708),
        ),
        (&[0xd0, 0xff], Header::Int(-1)),
        (&[0xd1, 0xff, 0xfe], Header::Int(-2)),
        (&[0xd2, 0xff, 0xff, 0xff, 0xfd], Header::Int(-3)),
        (
            &[0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc],
            Header::Int(-4),
        ),
        (&[0xd4, 0x05], Header::Ext(1)),
        (&[0xd5, 0x05], Header::Ext(2)),
        (&[0xd6, 0x05], Header::Ext(4)),
        (&[0xd7, 0x05], Header::Ext(8)),
        (&[0xd8, 0x05], Header::Ext(16)),
        (&[0xd9, 0x07], Header::Str(7)),
        (&[0xda, 0x01, 0x02], Header::Str(0x0102)),
        (&[0xdb, 0x01, 0x02, 0x03, 0x04], Header::Str(0x0102_0304)),
        (&[0xdc, 0x01, 0x02], Header::Array(0x0102)),
        (&[0xdd, 0x01, 0x02, 0x03, 0x04], Header::Array(0x0102_0304)),
        (&[0xde, 0x01, 0x02], Header::Map(0x0102)),
        (&[0xdf, 0x01, 0x02, 0x03, 0x04], Header::Map(0x0102_0304)),
        (&[0xe0], Header::Int(-32)),
        (&[0xff], Header::Int(-1)),
    ];

    #[test]
    fn every_header_kind_reads_its_value_and_ends_where_its_bytes_do() {
        for (bytes, expected) in HEADERS {
            let mut input = vec![0xaa; 3];
            input.extend_from_slice(bytes);
            input.push(0x00); // a payload or next item, never part of the header
            assert_eq!(
                read_header(&input, 3),
                Ok((*expected, 3 + bytes.len())),
                "{bytes:02x?}"
            );
        }
    }

    #[test]
    fn a_header_cut_short_is_an_error_not_a_panic() {
        for (bytes, _) in HEADERS.iter().filter(|(b, _)| b.len() > 1) {
            let cut = &bytes[..bytes.len() - 1];
            assert!(read_header(cut, 0).is_err(), "{bytes:02x?}");
        }
        assert!(read_header(&[], 0).is_err());
        assert!(read_header(&[0xc1], 0).is_err());
    }

    #[test]
    fn payload_lengths_follow_the_header() {
        assert_eq!(payload_len(Header::Float32), 4);
        assert_eq!(payload_len(Header::Float64), 8);
        assert_eq!(payload_len(Header::Str(3)), 3);
        assert_eq!(payload_len(Header::Bin(4)), 4);
        assert_eq!(payload_len(Header::Ext(5)), 5);
        assert_eq!(payload_len(Header::Array(6)), 0);
        assert_eq!(payload_len(Header::Uint(7)), 0);
    }
}

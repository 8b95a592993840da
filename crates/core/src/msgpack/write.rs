//! Writers for the item kinds the envelope uses, always in their shortest form.

pub fn write_array_len(out: &mut Vec<u8>, n: u32) {
    match n {
        0..=15 => out.push(0x90 | n as u8),
        16..=0xffff => {
            out.push(0xdc);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdd);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

pub fn write_uint(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=0x7f => out.push(v as u8),
        0x80..=0xff => out.extend_from_slice(&[0xcc, v as u8]),
        0x100..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        _ => {
            out.push(0xcf);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

/// Length of the shortest bin header for `len` payload bytes.
pub(crate) fn bin_header_len(len: usize) -> usize {
    match len {
        0..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}

/// Writes a bin header for `len` bytes into `out` (which has `bin_header_len(len)` bytes).
pub(crate) fn put_bin_header(out: &mut [u8], len: usize) {
    match (len, out) {
        (0..=0xff, [m, l, ..]) => {
            *m = 0xc4;
            *l = len as u8;
        }
        (0x100..=0xffff, [m, rest @ ..]) if rest.len() >= 2 => {
            *m = 0xc5;
            rest[..2].copy_from_slice(&(len as u16).to_be_bytes());
        }
        (_, [m, rest @ ..]) if rest.len() >= 4 => {
            *m = 0xc6;
            rest[..4].copy_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {}
    }
}

pub fn write_bin(out: &mut Vec<u8>, data: &[u8]) {
    let start = out.len();
    out.resize(start + bin_header_len(data.len()), 0);
    put_bin_header(&mut out[start..], data.len());
    out.extend_from_slice(data);
}

pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let n = s.len();
    match n {
        0..=31 => out.push(0xa0 | n as u8),
        32..=0xff => out.extend_from_slice(&[0xd9, n as u8]),
        0x100..=0xffff => {
            out.push(0xda);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdb);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgpack::{read_header, Header};

    /// What the writer wrote reads back as `expected`, with `marker` first and nothing left over
    /// but `payload` bytes.
    fn reads_back(out: &[u8], marker: u8, expected: Header, payload: usize) {
        assert_eq!(out.first(), Some(&marker), "{expected:?}");
        let (header, end) = read_header(out, 0).expect("header");
        assert_eq!(header, expected);
        assert_eq!(end + payload, out.len(), "{expected:?}");
    }

    #[test]
    fn array_lengths_take_the_shortest_form() {
        for (n, marker) in [
            (0, 0x90),
            (15, 0x9f),
            (16, 0xdc),
            (0xffff, 0xdc),
            (0x1_0000, 0xdd),
        ] {
            let mut out = Vec::new();
            write_array_len(&mut out, n);
            reads_back(&out, marker, Header::Array(u64::from(n)), 0);
        }
    }

    #[test]
    fn unsigned_integers_take_the_shortest_form() {
        let cases = [
            (0x7f, 0x7f),
            (0x80, 0xcc),
            (0xff, 0xcc),
            (0x100, 0xcd),
            (0xffff, 0xcd),
            (0x1_0000, 0xce),
            (0xffff_ffff, 0xce),
            (0x1_0000_0000, 0xcf),
            (u64::MAX, 0xcf),
        ];
        for (v, marker) in cases {
            let mut out = Vec::new();
            write_uint(&mut out, v);
            reads_back(&out, marker, Header::Uint(v), 0);
        }
    }

    #[test]
    fn strings_take_the_shortest_header() {
        for (n, marker) in [
            (0, 0xa0),
            (31, 0xbf),
            (32, 0xd9),
            (255, 0xd9),
            (256, 0xda),
            (0xffff, 0xda),
            (0x1_0000, 0xdb),
        ] {
            let s = "s".repeat(n);
            let mut out = Vec::new();
            write_str(&mut out, &s);
            reads_back(&out, marker, Header::Str(n as u64), n);
        }
    }

    #[test]
    fn bins_take_the_shortest_header() {
        for (n, marker) in [
            (0, 0xc4),
            (255, 0xc4),
            (256, 0xc5),
            (0xffff, 0xc5),
            (0x1_0000, 0xc6),
        ] {
            let data = vec![0xb1; n];
            let mut out = vec![0x01]; // written after what is already there
            write_bin(&mut out, &data);
            assert_eq!(out.len(), 1 + bin_header_len(n) + n);
            reads_back(&out[1..], marker, Header::Bin(n as u64), n);
            assert!(out[1 + bin_header_len(n)..].iter().all(|b| *b == 0xb1));
        }
    }

    #[test]
    fn a_bin_header_never_writes_past_a_slot_too_small_for_it() {
        for (len, slot) in [(300usize, 2usize), (70_000, 4)] {
            let mut out = vec![0u8; slot];
            put_bin_header(&mut out, len);
            assert!(out.iter().all(|b| *b == 0), "{len} into {slot}");
        }
    }
}

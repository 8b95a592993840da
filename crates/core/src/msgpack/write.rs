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

//! The bounded pre-scan (decode-bounds.json): a document is accepted only if its nesting is at
//! most `MAX_MSGPACK_DEPTH` deep, the element and byte counts its headers declare, summed over the
//! whole document, fit in `input_len - 1`, and its root item is complete. Nothing is materialised:
//! the scan walks headers with an explicit stack, so hostile depth cannot overflow the call stack.

use super::header::{payload_len, read_header, Header};
use crate::error::{CoreError, Result};
use crate::limits::MAX_MSGPACK_DEPTH;

/// Whether bytes may follow the root item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    /// The input is exactly one document (the strict reader every cachekit payload uses).
    ExactlyOne,
    /// The input starts with one document; the returned length says where it ends.
    Prefix,
}

/// Checks `input` and returns the length of its first (root) document.
pub fn scan(input: &[u8], mode: ScanMode) -> Result<usize> {
    if input.is_empty() {
        return Err(CoreError::msgpack("empty input"));
    }
    // Every declared element or byte needs at least one input byte; the root header backs none.
    let budget = (input.len() as u64) - 1;
    let mut declared: u64 = 0;
    // Items still owed by each open collection, innermost last.
    let mut open: Vec<u64> = Vec::new();
    let mut pos = 0usize;
    loop {
        let (header, after) = read_header(input, pos)?;
        let claim = match header {
            Header::Array(n) => n,
            Header::Map(n) => n
                .checked_mul(2)
                .ok_or_else(|| CoreError::msgpack("map pair count overflows"))?,
            other => payload_len(other),
        };
        declared = declared
            .checked_add(claim)
            .ok_or_else(|| CoreError::msgpack("declared sizes overflow"))?;
        if declared > budget {
            return Err(CoreError::msgpack(format!(
                "headers declare {declared} elements and bytes but the input can back at most {budget}"
            )));
        }
        pos = after;
        let is_collection = matches!(header, Header::Array(_) | Header::Map(_));
        if is_collection && open.len() >= MAX_MSGPACK_DEPTH {
            return Err(CoreError::msgpack(format!(
                "nesting deeper than {MAX_MSGPACK_DEPTH}"
            )));
        }
        match header {
            Header::Array(_) | Header::Map(_) if claim > 0 => {
                open.push(claim);
                continue;
            }
            _ => {
                // claim fits the budget, which fits usize because it came from a slice length
                let skip = usize::try_from(payload_len(header))
                    .map_err(|_| CoreError::msgpack("payload length overflows"))?;
                pos = pos
                    .checked_add(skip)
                    .filter(|end| *end <= input.len())
                    .ok_or_else(|| {
                        CoreError::msgpack("input ends inside a str, bin or ext payload")
                    })?;
            }
        }
        // A complete item fills one slot of each enclosing collection it completes.
        loop {
            match open.last_mut() {
                None => return finish(input, pos, mode),
                Some(remaining) => {
                    *remaining -= 1;
                    if *remaining > 0 {
                        break;
                    }
                    open.pop();
                }
            }
        }
        if pos >= input.len() {
            return Err(CoreError::msgpack(
                "document is incomplete: input ends before its root item does",
            ));
        }
    }
}

fn finish(input: &[u8], end: usize, mode: ScanMode) -> Result<usize> {
    if mode == ScanMode::ExactlyOne && end != input.len() {
        return Err(CoreError::msgpack(format!(
            "{} trailing bytes after the document",
            input.len() - end
        )));
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_scalars_and_nested() {
        assert_eq!(scan(&[0xc0], ScanMode::ExactlyOne), Ok(1));
        assert_eq!(scan(&[0x92, 0x01, 0x91, 0x02], ScanMode::ExactlyOne), Ok(4));
        assert_eq!(scan(&[0x90], ScanMode::ExactlyOne), Ok(1));
        assert_eq!(scan(&[0x80], ScanMode::ExactlyOne), Ok(1));
    }

    #[test]
    fn trailing_bytes_depend_on_mode() {
        assert!(scan(&[0xc0, 0x00], ScanMode::ExactlyOne).is_err());
        assert_eq!(scan(&[0xc0, 0x00], ScanMode::Prefix), Ok(1));
    }

    #[test]
    fn empty_and_reserved_rejected() {
        assert!(scan(&[], ScanMode::ExactlyOne).is_err());
        assert!(scan(&[0xc1], ScanMode::ExactlyOne).is_err());
    }

    #[test]
    fn declared_sizes_may_use_every_byte_after_the_root_header_and_no_more() {
        // [1 element] in 2 bytes declares 1 = len - 1: within the budget.
        assert_eq!(scan(&[0x91, 0xc0], ScanMode::ExactlyOne), Ok(2));
        // [2 elements] in 2 bytes declares 2: refused by the budget before walking on.
        let err = scan(&[0x92, 0xc0], ScanMode::Prefix).unwrap_err();
        assert!(
            err.to_string().contains("the input can back at most 1"),
            "{err}"
        );
        // bin8 of 3 bytes with 3 bytes after its header: 4 + 1 = 5 bytes, declares 3 of budget 4.
        assert_eq!(scan(&[0xc4, 0x03, 1, 2, 3], ScanMode::ExactlyOne), Ok(5));
    }

    #[test]
    fn floats_carry_their_fixed_payloads() {
        assert_eq!(scan(&[0xca, 0, 0, 0, 0], ScanMode::ExactlyOne), Ok(5));
        assert_eq!(
            scan(&[0xcb, 0, 0, 0, 0, 0, 0, 0, 0], ScanMode::ExactlyOne),
            Ok(9)
        );
        assert_eq!(
            scan(&[0x92, 0xca, 0, 0, 0, 0, 0xc0], ScanMode::ExactlyOne),
            Ok(7)
        );
        assert!(scan(&[0xcb, 0, 0, 0], ScanMode::Prefix).is_err());
    }

    #[test]
    fn depth_limit() {
        let mut deep = vec![0x91u8; MAX_MSGPACK_DEPTH];
        deep.push(0xc0);
        assert!(scan(&deep, ScanMode::ExactlyOne).is_ok());
        let mut deeper = vec![0x91u8; MAX_MSGPACK_DEPTH + 1];
        deeper.push(0xc0);
        assert!(scan(&deeper, ScanMode::ExactlyOne).is_err());
    }
}

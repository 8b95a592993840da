//! The protocol 1.1 ByteStorage envelope: a MessagePack array
//! `[compressed_data: bin, checksum: [u8; 8], original_size: uint, format: str]`.
//! Writers write `bin`; readers also accept the legacy array-of-uint8 form of `compressed_data`.

use std::borrow::Cow;

use crate::error::{CoreError, Result};
use crate::limits::MAX_SIZE;
use crate::msgpack::{read_header, Header};

/// A decoded envelope whose fields borrow from the input where they can.
#[derive(Debug)]
pub struct Envelope<'a> {
    pub compressed: Cow<'a, [u8]>,
    pub checksum: u64,
    pub original_size: u64,
    pub format: &'a str,
}

struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> u64 {
        (self.input.len() - self.pos) as u64
    }

    fn header(&mut self) -> Result<Header> {
        let (h, next) = read_header(self.input, self.pos).map_err(to_envelope_error)?;
        self.pos = next;
        Ok(h)
    }

    fn bytes(&mut self, n: u64) -> Result<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| CoreError::malformed("length overflows"))?;
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| CoreError::malformed("length overflows"))?;
        let out = self
            .input
            .get(self.pos..end)
            .ok_or_else(|| CoreError::malformed("a field runs past the end of the envelope"))?;
        self.pos = end;
        Ok(out)
    }

    fn byte_element(&mut self, what: &str) -> Result<u8> {
        // Fast path for the two encodings writers use for a byte: positive fixint and uint8.
        match self.input.get(self.pos..self.pos + 2) {
            Some([b, _]) | Some([b]) if *b < 0x80 => {
                self.pos += 1;
                return Ok(*b);
            }
            Some([0xcc, v]) => {
                self.pos += 2;
                return Ok(*v);
            }
            _ => {}
        }
        match self.header()? {
            Header::Uint(v) => u8::try_from(v)
                .map_err(|_| CoreError::malformed(format!("{what} element {v} is above 255"))),
            other => Err(CoreError::malformed(format!(
                "{what} element is {other:?}, not an integer 0..=255"
            ))),
        }
    }
}

fn to_envelope_error(e: CoreError) -> CoreError {
    match e {
        CoreError::MalformedMsgpack { detail } => CoreError::MalformedEnvelope { detail },
        other => other,
    }
}

/// Decodes and structurally validates an envelope. Sizes are returned as declared; the caller
/// applies the size and ratio limits before decompressing.
pub fn decode(input: &[u8]) -> Result<Envelope<'_>> {
    if input.len() as u64 > MAX_SIZE {
        return Err(CoreError::InputTooLarge {
            what: "envelope",
            size: input.len() as u64,
            limit: MAX_SIZE,
        });
    }
    // The typed parse below is the bounds check: every bin and str length is checked against the
    // bytes that remain before it is read, a legacy array's element count likewise before anything
    // is allocated, the nesting is fixed, and the input must end exactly where the envelope does.
    // (A generic pre-scan on top of it doubled the cost of a small read.)
    let mut c = Cursor { input, pos: 0 };
    match c.header()? {
        Header::Array(4) => {}
        Header::Array(n) => {
            return Err(CoreError::malformed(format!(
                "array of {n} elements, expected 4"
            )))
        }
        other => {
            return Err(CoreError::malformed(format!(
                "root is {other:?}, expected an array of 4"
            )))
        }
    }
    let compressed = match c.header()? {
        Header::Bin(n) => Cow::Borrowed(c.bytes(n)?),
        Header::Array(n) => {
            // Legacy writers: one uint per byte, so each element needs at least one input byte.
            if n > c.remaining() {
                return Err(CoreError::malformed(format!(
                    "compressed_data claims {n} elements but only {} bytes remain",
                    c.remaining()
                )));
            }
            let n = usize::try_from(n).map_err(|_| CoreError::malformed("length overflows"))?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(c.byte_element("compressed_data")?);
            }
            Cow::Owned(v)
        }
        other => {
            return Err(CoreError::malformed(format!(
                "compressed_data is {other:?}, expected bin or an array of bytes"
            )))
        }
    };
    let checksum = match c.header()? {
        Header::Array(8) => {
            let mut v = 0u64;
            for _ in 0..8 {
                v = (v << 8) | u64::from(c.byte_element("checksum")?);
            }
            v
        }
        other => {
            return Err(CoreError::malformed(format!(
                "checksum is {other:?}, expected an array of 8 bytes"
            )))
        }
    };
    let original_size = match c.header()? {
        Header::Uint(v) => v,
        other => {
            return Err(CoreError::malformed(format!(
                "original_size is {other:?}, expected an unsigned integer"
            )))
        }
    };
    let format = match c.header()? {
        Header::Str(n) => std::str::from_utf8(c.bytes(n)?)
            .map_err(|_| CoreError::malformed("format is not valid UTF-8"))?,
        other => {
            return Err(CoreError::malformed(format!(
                "format is {other:?}, expected a string"
            )))
        }
    };
    if c.pos != input.len() {
        return Err(CoreError::malformed(format!(
            "{} trailing bytes after the envelope",
            input.len() - c.pos
        )));
    }
    Ok(Envelope {
        compressed,
        checksum,
        original_size,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_array_claiming_more_elements_than_bytes_is_refused_before_allocating() {
        // [array32 of 2^32 - 1 elements, ...] in 9 bytes: refused by the count check, not by an
        // allocation of 4 GiB.
        let input = [0x94, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03];
        let err = decode(&input).unwrap_err();
        assert!(
            matches!(err, CoreError::MalformedEnvelope { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_legacy_array_is_refused_with_the_bytes_that_actually_remain() {
        // array16 of 5 elements with 3 bytes after its header.
        let input = [0x94, 0xdc, 0x00, 0x05, 0x01, 0x02, 0x03];
        let err = decode(&input).unwrap_err();
        assert!(
            err.to_string()
                .contains("claims 5 elements but only 3 bytes remain"),
            "{err}"
        );
    }

    #[test]
    fn a_checksum_element_must_be_an_integer_even_where_a_fixmap_looks_like_one_byte() {
        // simple_string's envelope with the checksum's first element 0x6d replaced by 0x80, an
        // empty fixmap: not a byte, so not an envelope (and not a checksum mismatch).
        let mut envelope = crate::storage::store(b"hello, cachekit!", "msgpack").unwrap();
        let at = envelope
            .windows(2)
            .position(|w| w == [0x98, 0x6d])
            .expect("checksum array")
            + 1;
        envelope[at] = 0x80;
        let err = decode(&envelope).unwrap_err();
        assert!(
            matches!(err, CoreError::MalformedEnvelope { .. }),
            "{err:?}"
        );
        assert!(matches!(
            crate::storage::retrieve(&envelope),
            Err(CoreError::MalformedEnvelope { .. })
        ));
    }

    #[test]
    fn inputs_up_to_512_mib_are_parsed_and_larger_ones_refused_unread() {
        // Zero-filled allocations are not touched until read, so these cost little memory.
        let at_limit = vec![0u8; MAX_SIZE as usize];
        assert!(matches!(
            decode(&at_limit),
            Err(CoreError::MalformedEnvelope { .. })
        ));
        drop(at_limit);
        let over = vec![0u8; MAX_SIZE as usize + 1];
        assert_eq!(
            decode(&over).unwrap_err(),
            CoreError::InputTooLarge {
                what: "envelope",
                size: MAX_SIZE + 1,
                limit: MAX_SIZE
            }
        );
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut envelope = crate::storage::store(b"abc", "msgpack").unwrap();
        envelope.push(0xc0);
        assert!(matches!(
            decode(&envelope),
            Err(CoreError::MalformedEnvelope { .. })
        ));
    }
}

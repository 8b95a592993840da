//! The protocol 1.1 ByteStorage envelope: a MessagePack array
//! `[compressed_data: bin, checksum: [u8; 8], original_size: uint, format: str]`.
//! Writers write `bin`; readers also accept the legacy array-of-uint8 form of `compressed_data`.

use std::borrow::Cow;

use crate::error::{CoreError, Result};
use crate::limits::MAX_SIZE;
use crate::msgpack::{read_header, scan, Header, ScanMode};

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
    // Bounded pre-scan first: hostile length claims are refused before anything is read.
    scan(input, ScanMode::ExactlyOne).map_err(to_envelope_error)?;
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
            // Legacy writers: one uint per byte. The pre-scan bounded n by the input length.
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
    Ok(Envelope {
        compressed,
        checksum,
        original_size,
        format,
    })
}

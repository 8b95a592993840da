//! ByteStorage: store (compress + checksum + envelope) and retrieve (bounds + decompress +
//! length + checksum), the reference Retrieve Flow in order, with every limit checked in 64-bit
//! integer math before anything is allocated from a declared size.

use lz4_flex::block::{compress_into, decompress_into, get_maximum_output_size, DecompressError};

use crate::checksum::xxh3_64;
use crate::envelope::{self, Envelope};
use crate::error::{CoreError, Result};
use crate::limits::{lz4_max_decoded_len, MAX_SIZE};
use crate::msgpack::{
    self, bin_header_len, put_bin_header, write_array_len, write_str, write_uint, ScanMode,
};
use crate::output::{Output, RetrieveOutput};

/// The format name the standard (MessagePack) serializer writes.
pub const DEFAULT_FORMAT: &str = "msgpack";

fn check_input_size(data: &[u8]) -> Result<()> {
    if data.len() as u64 > MAX_SIZE {
        return Err(CoreError::InputTooLarge {
            what: "value",
            size: data.len() as u64,
            limit: MAX_SIZE,
        });
    }
    Ok(())
}

/// Upper bound of the envelope size for `len` input bytes and a format of `format_len` bytes.
pub fn max_envelope_len(len: usize, format_len: usize) -> usize {
    // array(1) + bin header(5) + block + checksum array(1 + 8*2) + uint(9) + str header(5)
    1 + 5 + get_maximum_output_size(len) + 17 + 9 + 5 + format_len
}

/// Appends the envelope of `data` to `out` (which may already hold a prefix, such as a nonce).
pub fn store_into(out: &mut Vec<u8>, data: &[u8], format: &str) -> Result<()> {
    check_input_size(data)?;
    let max_block = get_maximum_output_size(data.len());
    out.reserve(max_envelope_len(data.len(), format.len()));
    let start = out.len();
    write_array_len(out, 4);
    // Compress straight into the output after room for the widest header the block may need,
    // then close the gap if the block turned out small enough for a shorter header.
    let guess = bin_header_len(max_block);
    let block_at = out.len() + guess;
    out.resize(block_at + max_block, 0);
    let written =
        compress_into(data, &mut out[block_at..]).map_err(|e| CoreError::DecompressionFailed {
            detail: format!("compression failed: {e}"),
        })?;
    out.truncate(block_at + written);
    let header_len = bin_header_len(written);
    let header_at = start + 1;
    if header_len < guess {
        out.copy_within(block_at.., header_at + header_len);
        out.truncate(header_at + header_len + written);
    }
    put_bin_header(&mut out[header_at..header_at + header_len], written);
    let sum = xxh3_64(data);
    write_array_len(out, 8);
    for b in sum.to_be_bytes() {
        write_uint(out, u64::from(b));
    }
    write_uint(out, data.len() as u64);
    write_str(out, format);
    Ok(())
}

/// Compresses and wraps `data` in a new envelope.
pub fn store(data: &[u8], format: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    store_into(&mut out, data, format)?;
    Ok(out)
}

/// An envelope that passed every check that can be made before decompression.
pub struct Checked<'a> {
    envelope: Envelope<'a>,
    original_len: usize,
}

impl<'a> Checked<'a> {
    pub fn format(&self) -> &'a str {
        self.envelope.format
    }

    /// The number of bytes `decompress_into` writes.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Decompresses into `out` (exactly `original_len()` bytes), then verifies length and checksum.
    pub fn decompress_into(&self, out: &mut [u8]) -> Result<()> {
        let declared = self.envelope.original_size;
        if out.len() != self.original_len {
            return Err(CoreError::SizeMismatch {
                declared,
                actual: out.len() as u64,
            });
        }
        decompress_block(&self.envelope.compressed, out)?;
        let actual = xxh3_64(out);
        if actual != self.envelope.checksum {
            return Err(CoreError::ChecksumMismatch {
                expected: self.envelope.checksum,
                actual,
            });
        }
        Ok(())
    }
}

/// Steps 1–5 of the Retrieve Flow: decode, size caps, ratio bound. No allocation from a declared
/// size happens here.
pub fn check(input: &[u8]) -> Result<Checked<'_>> {
    let envelope = envelope::decode(input)?;
    let original_len =
        check_block_bounds(envelope.compressed.len() as u64, envelope.original_size)?;
    Ok(Checked {
        envelope,
        original_len,
    })
}

/// The whole Retrieve Flow: returns the original bytes and the envelope's format.
pub fn retrieve(input: &[u8]) -> Result<(Vec<u8>, &str)> {
    let checked = check(input)?;
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out)?;
    Ok((out, checked.format()))
}

/// Retrieve, then require the payload to be exactly one bounded MessagePack document.
pub fn retrieve_msgpack(input: &[u8]) -> Result<(Vec<u8>, &str)> {
    let (data, format) = retrieve(input)?;
    msgpack::scan(&data, ScanMode::ExactlyOne)?;
    Ok((data, format))
}

/// `check`, plus the requirement that the envelope names `expected_format` (a reader configured
/// for one format never unwraps another).
pub fn check_format<'a>(input: &'a [u8], expected_format: &str) -> Result<Checked<'a>> {
    let checked = check(input)?;
    if checked.format() != expected_format {
        return Err(CoreError::malformed(format!(
            "envelope format is {:?}, the reader expects {:?}",
            checked.format(),
            expected_format
        )));
    }
    Ok(checked)
}

/// The whole Retrieve Flow into `output`, in order: `check` (or `check_format` when
/// `expected_format` is given), then `output` is asked for the declared original size, the block
/// is decompressed there and its length and checksum verified, then, when `validate_msgpack`, the
/// payload must be exactly one bounded MessagePack document. `output` is not asked for anything
/// when the envelope fails a check that precedes decompression.
pub fn retrieve_to<O: RetrieveOutput>(
    input: &[u8],
    expected_format: Option<&str>,
    validate_msgpack: bool,
    output: O,
) -> std::result::Result<O::Value, O::Error> {
    let checked = match expected_format {
        Some(format) => check_format(input, format)?,
        None => check(input)?,
    };
    output.write(checked.original_len(), checked.format(), |out| {
        checked.decompress_into(out)?;
        if validate_msgpack {
            msgpack::scan(out, ScanMode::ExactlyOne)?;
        }
        Ok(())
    })
}

/// A bare LZ4 block that must decode to exactly `original_size` bytes, into `output`: the size
/// passes `check_block_bounds` before `output` is asked for it.
pub fn decompress_block_to<O: Output>(
    block: &[u8],
    original_size: u64,
    output: O,
) -> std::result::Result<O::Value, O::Error> {
    let len = check_block_bounds(block.len() as u64, original_size)?;
    output.write(len, |out| decompress_block(block, out))
}

/// The envelope's size and ratio rules applied to a bare LZ4 block: returns the output length.
pub fn check_block_bounds(compressed: u64, original: u64) -> Result<usize> {
    if compressed > MAX_SIZE {
        return Err(CoreError::InputTooLarge {
            what: "compressed data",
            size: compressed,
            limit: MAX_SIZE,
        });
    }
    if original > MAX_SIZE {
        return Err(CoreError::InputTooLarge {
            what: "declared original size",
            size: original,
            limit: MAX_SIZE,
        });
    }
    // The protocol's 1000:1 ratio admits claims no LZ4 block can honour (600 KiB "declaring"
    // 512 MiB); holding them to what the block can encode refuses those before the declared size
    // is allocated, and still accepts every block a real encoder writes.
    if compressed == 0 || original > lz4_max_decoded_len(compressed) {
        return Err(CoreError::DecompressionBomb {
            compressed,
            original,
        });
    }
    usize::try_from(original).map_err(|_| CoreError::InputTooLarge {
        what: "declared original size",
        size: original,
        limit: MAX_SIZE,
    })
}

/// One bare LZ4 block of `data` (no size prefix, no frame).
pub fn compress_block(data: &[u8]) -> Result<Vec<u8>> {
    check_input_size(data)?;
    Ok(lz4_flex::block::compress(data))
}

/// Decompresses a bare LZ4 block into `out`, which it must fill exactly.
pub fn decompress_block(block: &[u8], out: &mut [u8]) -> Result<()> {
    let declared = out.len() as u64;
    let n = decompress_into(block, out).map_err(|e| match e {
        DecompressError::OutputTooSmall { expected, .. } => CoreError::SizeMismatch {
            declared,
            actual: expected as u64,
        },
        other => CoreError::DecompressionFailed {
            detail: other.to_string(),
        },
    })?;
    if n as u64 != declared {
        return Err(CoreError::SizeMismatch {
            declared,
            actual: n as u64,
        });
    }
    Ok(())
}

//! The little MessagePack this crate needs: reading one item header at a time, the bounded
//! pre-scan every untrusted document goes through, and writing the envelope's few item kinds.

mod bounds;
mod header;
mod write;

pub use bounds::{scan, ScanMode};
pub use header::{read_header, Header};
pub(crate) use write::{bin_header_len, put_bin_header};
pub use write::{write_array_len, write_bin, write_str, write_uint};

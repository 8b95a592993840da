//! BLAKE2b-256 (unkeyed, 32-byte digest) of interop/v1 argument bytes: the hash in an interop key
//! `{namespace}:{operation}:{hash}`. It is BLAKE2b with digest length 32 in its parameter block,
//! not a truncated BLAKE2b-512 (the two differ in every byte), which is why Node's `blake2b512`
//! cannot stand in for it.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// BLAKE2b with a 32-byte digest over `data`.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(data).into()
}

/// `blake2b_256(data)` as 64 lowercase hex characters, as interop keys spell it.
pub fn blake2b_256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = blake2b_256(data);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_argument_array_matches_the_protocol() {
        // interop-mode.json `empty_args`: canonical bytes 0x90.
        assert_eq!(
            blake2b_256_hex(&[0x90]),
            "8064bf5f945dba521b017bb3f32b31a293a6e16944838d171ea9e77fab085e8e"
        );
    }

    #[test]
    fn is_not_a_truncated_blake2b_512() {
        let long = Blake2b::<blake2::digest::consts::U64>::digest([0x90]);
        assert_ne!(&long[..32], &blake2b_256(&[0x90])[..]);
    }
}

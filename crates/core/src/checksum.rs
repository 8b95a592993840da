//! xxHash3-64, the protocol's integrity checksum (runtime variant, not the const one).

/// xxHash3-64 of `data` with seed 0.
#[inline]
pub fn xxh3_64(data: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(data)
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_input_matches_protocol() {
        assert_eq!(super::xxh3_64(b""), 0x2d06_8005_38d3_94c2);
    }
}

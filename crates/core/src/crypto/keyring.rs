//! A tenant's keyring: one current key that encrypts and decrypts, and at most three previous
//! keys that only decrypt, so values written before a rotation stay readable until they expire.

use super::aad::{build_aad, AadContext};
use super::master_key::MasterKey;
use super::nonce::NonceSequence;
use super::tenant_key::{check_tenant, TenantKey};
use crate::error::{CoreError, Result};
use crate::limits::{MAX_PREVIOUS_KEYS, NONCE_LEN, TAG_LEN};
use crate::output::{Output, RetrieveOutput};
use crate::storage;

pub struct Keyring {
    tenant: String,
    current: TenantKey,
    previous: Vec<TenantKey>,
    nonces: NonceSequence,
}

impl Keyring {
    pub fn new(current: &MasterKey, previous: &[MasterKey], tenant: &str) -> Result<Self> {
        Self::with_nonces(current, previous, tenant, NonceSequence::random()?)
    }

    /// A keyring whose nonces come from `nonces` (tests and fuzzing pin them).
    pub fn with_nonces(
        current: &MasterKey,
        previous: &[MasterKey],
        tenant: &str,
        nonces: NonceSequence,
    ) -> Result<Self> {
        check_tenant(tenant)?;
        if previous.len() > MAX_PREVIOUS_KEYS {
            return Err(CoreError::InvalidKeyring {
                detail: format!(
                    "{} previous keys given, at most {MAX_PREVIOUS_KEYS} allowed",
                    previous.len()
                ),
            });
        }
        for (i, key) in previous.iter().enumerate() {
            if key.bytes() == current.bytes() {
                return Err(CoreError::InvalidKeyring {
                    detail: format!("previous key {i} is the current key"),
                });
            }
            if previous[..i].iter().any(|k| k.bytes() == key.bytes()) {
                return Err(CoreError::InvalidKeyring {
                    detail: format!("previous key {i} is repeated"),
                });
            }
        }
        let current_key = TenantKey::derive(current, tenant)?;
        let previous_keys = previous
            .iter()
            .map(|k| TenantKey::derive(k, tenant))
            .collect::<Result<Vec<_>>>()?;
        Ok(Keyring {
            tenant: tenant.to_owned(),
            current: current_key,
            previous: previous_keys,
            nonces,
        })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn fingerprint(&self) -> [u8; 16] {
        self.current.fingerprint()
    }

    pub fn previous_fingerprints(&self) -> Vec<[u8; 16]> {
        self.previous.iter().map(TenantKey::fingerprint).collect()
    }

    /// Encrypts `plain` under the current key: `nonce ‖ ciphertext ‖ tag`.
    pub fn encrypt(&self, plain: &[u8], ctx: &AadContext<'_>) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encrypt_into(&mut out, plain, ctx)?;
        Ok(out)
    }

    /// Builds the plaintext with `fill` directly after room for the nonce, then encrypts it in
    /// place, so the pipeline never copies the plaintext.
    fn seal_with(
        &self,
        ctx: &AadContext<'_>,
        size_hint: usize,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(NONCE_LEN + size_hint + TAG_LEN);
        self.seal_with_into(&mut buf, ctx, fill)?;
        Ok(buf)
    }

    /// `seal_with`, appending `nonce ‖ ciphertext ‖ tag` to `out`.
    fn seal_with_into(
        &self,
        out: &mut Vec<u8>,
        ctx: &AadContext<'_>,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        let aad = build_aad(&self.tenant, ctx)?;
        let nonce = self.nonces.next_nonce()?;
        let start = out.len();
        out.resize(start + NONCE_LEN, 0);
        fill(out)?;
        self.current.seal_in_place(out, start, &nonce, &aad)
    }

    /// `encrypt`, appending to `out`.
    pub fn encrypt_into(
        &self,
        out: &mut Vec<u8>,
        plain: &[u8],
        ctx: &AadContext<'_>,
    ) -> Result<()> {
        out.reserve(NONCE_LEN + plain.len() + TAG_LEN);
        self.seal_with_into(out, ctx, |buf| {
            buf.extend_from_slice(plain);
            Ok(())
        })
    }

    /// `seal`, appending to `out`.
    pub fn seal_into(
        &self,
        out: &mut Vec<u8>,
        data: &[u8],
        cache_key: &str,
        format: &str,
    ) -> Result<()> {
        let ctx = Self::envelope_context(cache_key, format);
        self.seal_with_into(out, &ctx, |buf| storage::store_into(buf, data, format))
    }

    /// `open_envelope`, writing the envelope into `out` (cleared first) instead of a new vector.
    pub fn open_envelope_into(
        &self,
        out: &mut Vec<u8>,
        sealed: &[u8],
        cache_key: &str,
        format: &str,
    ) -> Result<()> {
        let len = Self::plaintext_len(sealed)?;
        out.clear();
        out.resize(len, 0);
        self.decrypt_into(sealed, &Self::envelope_context(cache_key, format), out)
    }

    /// The AAD of a sealed envelope: compressed is `"True"` because the plaintext is an envelope.
    fn envelope_context<'a>(cache_key: &'a str, format: &'a str) -> AadContext<'a> {
        AadContext {
            cache_key,
            format,
            compressed: true,
            original_type: None,
        }
    }

    /// Length of the plaintext inside `sealed`, or the error for a too-short input.
    pub fn plaintext_len(sealed: &[u8]) -> Result<usize> {
        sealed
            .len()
            .checked_sub(NONCE_LEN + TAG_LEN)
            .ok_or(CoreError::CiphertextTooShort { len: sealed.len() })
    }

    /// Decrypts into `out` (exactly `plaintext_len(sealed)` bytes), trying the current key and
    /// then each previous key.
    pub fn decrypt_into(&self, sealed: &[u8], ctx: &AadContext<'_>, out: &mut [u8]) -> Result<()> {
        let len = Self::plaintext_len(sealed)?;
        if out.len() != len {
            return Err(CoreError::CiphertextTooShort { len: sealed.len() });
        }
        let aad = build_aad(&self.tenant, ctx)?;
        let opened = std::iter::once(&self.current)
            .chain(self.previous.iter())
            .any(|key| key.open_into(sealed, &aad, out));
        if opened {
            Ok(())
        } else {
            out.fill(0);
            Err(CoreError::AuthenticationFailed)
        }
    }

    /// `decrypt` into `output`, which is asked for `plaintext_len(sealed)` bytes once the input
    /// is long enough to hold a nonce and a tag.
    pub fn decrypt_to<O: Output>(
        &self,
        sealed: &[u8],
        ctx: &AadContext<'_>,
        output: O,
    ) -> std::result::Result<O::Value, O::Error> {
        let len = Self::plaintext_len(sealed)?;
        output.write(len, |out| self.decrypt_into(sealed, ctx, out))
    }

    pub fn decrypt(&self, sealed: &[u8], ctx: &AadContext<'_>) -> Result<Vec<u8>> {
        let mut out = vec![0u8; Self::plaintext_len(sealed)?];
        self.decrypt_into(sealed, ctx, &mut out)?;
        Ok(out)
    }

    /// The cache write path in one call: envelope (LZ4 + xxHash3-64) then AES-GCM, with the AAD
    /// compressed flag `"True"` because the plaintext is a ByteStorage envelope.
    pub fn seal(&self, data: &[u8], cache_key: &str, format: &str) -> Result<Vec<u8>> {
        let hint = storage::max_envelope_len(data.len(), format.len());
        let ctx = Self::envelope_context(cache_key, format);
        self.seal_with(&ctx, hint, |buf| storage::store_into(buf, data, format))
    }

    /// The cache read path in one call, into `output`: AES-256-GCM (current key, then previous
    /// keys) with the AAD of a sealed envelope, then `storage::retrieve_to` with the envelope
    /// required to name `format`, the format the AAD bound.
    pub fn open_to<O: RetrieveOutput>(
        &self,
        sealed: &[u8],
        cache_key: &str,
        format: &str,
        validate_msgpack: bool,
        output: O,
    ) -> std::result::Result<O::Value, O::Error> {
        // Grown from empty rather than `vec![0; n]`: glibc's calloc skips its per-thread cache,
        // and measured here it costs twice as much for a small envelope (146 against 70 ns at
        // 330 bytes, with the bytes then written) and is no faster at 1 MiB.
        let mut envelope = Vec::new();
        self.open_envelope_into(&mut envelope, sealed, cache_key, format)?;
        storage::retrieve_to(&envelope, Some(format), validate_msgpack, output)
    }

    /// The cache read path's decryption: returns the envelope bytes, ready for `storage::check`.
    pub fn open_envelope(&self, sealed: &[u8], cache_key: &str, format: &str) -> Result<Vec<u8>> {
        self.decrypt(sealed, &Self::envelope_context(cache_key, format))
    }
}

//! One tenant's AES-256-GCM key: HKDF-SHA256 from the master key with the protocol salt, and its
//! fingerprint. The derived bytes only live long enough to build the cipher and the fingerprint.

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Nonce, Tag};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::master_key::MasterKey;
use crate::error::{CoreError, Result};
use crate::limits::{MAX_TENANT_LEN, NONCE_LEN, TAG_LEN};

const DOMAIN: &str = "encryption";
const SALT_PREFIX: &[u8] = b"cachekit_v1_";
const FINGERPRINT_LABEL: &[u8] = b"key_fingerprint_v1";

pub struct TenantKey {
    cipher: Aes256Gcm,
    fingerprint: [u8; 16],
}

pub(crate) fn check_tenant(tenant: &str) -> Result<()> {
    if tenant.is_empty() {
        return Err(CoreError::InvalidTenant {
            detail: "tenant id is empty".into(),
        });
    }
    if tenant.len() > MAX_TENANT_LEN {
        return Err(CoreError::InvalidTenant {
            detail: format!("tenant id is {} bytes", tenant.len()),
        });
    }
    Ok(())
}

impl TenantKey {
    pub fn derive(master: &MasterKey, tenant: &str) -> Result<Self> {
        check_tenant(tenant)?;
        let mut salt = Vec::with_capacity(SALT_PREFIX.len() + 1 + DOMAIN.len() + 2 + tenant.len());
        salt.extend_from_slice(SALT_PREFIX);
        salt.push(DOMAIN.len() as u8);
        salt.extend_from_slice(DOMAIN.as_bytes());
        salt.extend_from_slice(&(tenant.len() as u16).to_be_bytes());
        salt.extend_from_slice(tenant.as_bytes());
        let hk = Hkdf::<Sha256>::new(Some(&salt), master.bytes());
        let mut derived = Zeroizing::new([0u8; 32]);
        hk.expand(DOMAIN.as_bytes(), derived.as_mut())
            .map_err(|_| CoreError::InvalidKey {
                detail: "HKDF expand failed".into(),
            })?;
        let cipher =
            Aes256Gcm::new_from_slice(derived.as_ref()).map_err(|_| CoreError::InvalidKey {
                detail: "derived key has the wrong length".into(),
            })?;
        let mut h = Sha256::new();
        h.update(FINGERPRINT_LABEL);
        h.update(derived.as_ref());
        let digest = h.finalize();
        let mut fingerprint = [0u8; 16];
        fingerprint.copy_from_slice(&digest[..16]);
        Ok(TenantKey {
            cipher,
            fingerprint,
        })
    }

    pub fn fingerprint(&self) -> [u8; 16] {
        self.fingerprint
    }

    /// Encrypts `buf[start + NONCE_LEN..]` in place (`buf[start..start + NONCE_LEN]` receives
    /// `nonce`) and appends the tag: the bytes from `start` become `nonce ‖ ciphertext ‖ tag`.
    pub(crate) fn seal_in_place(
        &self,
        buf: &mut Vec<u8>,
        start: usize,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
    ) -> Result<()> {
        let sealed = buf.get_mut(start..).ok_or_else(|| CoreError::InvalidAad {
            detail: "seal start is past the end of the buffer".into(),
        })?;
        if sealed.len() < NONCE_LEN {
            return Err(CoreError::CiphertextTooShort { len: sealed.len() });
        }
        let (head, body) = sealed.split_at_mut(NONCE_LEN);
        head.copy_from_slice(nonce);
        let body_len = body.len() as u64;
        let tag = self
            .cipher
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, InOutBuf::from(body))
            .map_err(|_| CoreError::InputTooLarge {
                what: "plaintext",
                size: body_len,
                limit: crate::limits::MAX_SIZE,
            })?;
        buf.extend_from_slice(tag.as_slice());
        Ok(())
    }

    /// Verifies and decrypts `sealed` (nonce ‖ ct ‖ tag) into `out` (exactly ct.len() bytes).
    /// `out` is only meaningful when this returns true.
    pub(crate) fn open_into(&self, sealed: &[u8], aad: &[u8], out: &mut [u8]) -> bool {
        let Some((nonce, rest)) = sealed.split_first_chunk::<NONCE_LEN>() else {
            return false;
        };
        let Some((ct, tag)) = rest.split_last_chunk::<TAG_LEN>() else {
            return false;
        };
        let Ok(buf) = InOutBuf::new(ct, out) else {
            return false;
        };
        self.cipher
            .decrypt_inout_detached(&Nonce::from(*nonce), aad, buf, &Tag::from(*tag))
            .is_ok()
    }
}

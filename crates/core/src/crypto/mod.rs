//! Encryption as the protocol pins it: HKDF-SHA256 tenant keys from a 32-byte master key, key
//! fingerprints, AAD v0x03, AES-256-GCM with counter nonces, and a keyring for rotation.

mod aad;
mod keyring;
mod master_key;
mod nonce;
mod tenant_key;

pub use aad::{build_aad, AadContext};
pub use keyring::Keyring;
pub use master_key::MasterKey;
pub use nonce::NonceSequence;
pub use tenant_key::TenantKey;

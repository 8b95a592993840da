//! `TenantKeys`: an opaque handle on a tenant's keyring. Key material stays in Rust (zeroized on
//! drop); JavaScript only ever sees fingerprints.

use std::sync::Arc;

use cachekit_core::crypto::{AadContext, Keyring, MasterKey};
use cachekit_core::storage::{self, DEFAULT_FORMAT};
use napi::bindgen_prelude::{AsyncTask, Either, Uint8Array, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::byte_storage::{decompress_to_js, Retrieved};
use crate::errors::{core_error, guard, guard_core};
use crate::js_buffer::{from_vec, new_buffer_with, JsBuffer};
use crate::tasks::{DecryptTask, EncryptTask, OpenTask, SealTask};

#[napi(object)]
pub struct DeriveOptions {
    /// Decrypt-only master keys from before a rotation (at most 3).
    #[napi(ts_type = "Array<string | Uint8Array>")]
    pub previous_keys: Option<Vec<Either<String, Uint8Array>>>,
}

/// What the AAD binds a ciphertext to, besides the tenant.
#[napi(object)]
#[derive(Clone)]
pub struct EncryptionContext {
    pub cache_key: String,
    pub format: String,
    pub compressed: bool,
    /// Python's optional fifth AAD component.
    pub original_type: Option<String>,
}

impl EncryptionContext {
    pub(crate) fn as_aad(&self) -> AadContext<'_> {
        AadContext {
            cache_key: &self.cache_key,
            format: &self.format,
            compressed: self.compressed,
            original_type: self.original_type.as_deref(),
        }
    }
}

#[napi(object)]
pub struct SealOptions {
    pub cache_key: String,
    /// Default `"msgpack"`.
    pub format: Option<String>,
}

#[napi(object)]
pub struct OpenOptions {
    pub cache_key: String,
    /// Default `"msgpack"`. The envelope must carry this format.
    pub format: Option<String>,
    pub validate_msgpack: Option<bool>,
}

fn master_key(input: &Either<String, Uint8Array>) -> cachekit_core::Result<MasterKey> {
    match input {
        Either::A(hex) => MasterKey::from_hex(hex),
        Either::B(raw) => MasterKey::from_bytes(raw),
    }
}

fn master_key_slice(input: &Either<String, Uint8ArraySlice>) -> cachekit_core::Result<MasterKey> {
    match input {
        Either::A(hex) => MasterKey::from_hex(hex),
        Either::B(raw) => MasterKey::from_bytes(raw),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[napi]
pub struct TenantKeys {
    keyring: Arc<Keyring>,
}

#[napi]
impl TenantKeys {
    /// Derives the tenant's keys (HKDF-SHA256) from a master key given as 64 hex characters or
    /// exactly 32 raw bytes. `tenant` defaults to `"default"`.
    #[napi(factory)]
    pub fn derive(
        #[napi(ts_arg_type = "string | Uint8Array")] master: Either<String, Uint8ArraySlice>,
        tenant: Option<String>,
        options: Option<DeriveOptions>,
    ) -> napi::Result<Self> {
        guard_core(|| {
            let current = master_key_slice(&master)?;
            let previous = options
                .and_then(|o| o.previous_keys)
                .unwrap_or_default()
                .iter()
                .map(master_key)
                .collect::<cachekit_core::Result<Vec<_>>>()?;
            let tenant = tenant.as_deref().unwrap_or("default");
            let keyring = Keyring::new(&current, &previous, tenant)?;
            Ok(TenantKeys {
                keyring: Arc::new(keyring),
            })
        })
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    #[napi(getter)]
    pub fn tenant(&self) -> String {
        self.keyring.tenant().to_owned()
    }

    /// First 16 bytes of SHA-256("key_fingerprint_v1" ‖ derived key), as 32 hex characters.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        hex(&self.keyring.fingerprint())
    }

    #[napi(getter)]
    pub fn previous_fingerprints(&self) -> Vec<String> {
        self.keyring
            .previous_fingerprints()
            .iter()
            .map(|f| hex(f))
            .collect()
    }

    /// AES-256-GCM under the current key: `nonce(12) ‖ ciphertext ‖ tag(16)`.
    #[napi(ts_return_type = "Buffer")]
    pub fn encrypt(
        &self,
        env: &Env,
        plaintext: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> napi::Result<JsBuffer> {
        let sealed = guard_core(|| self.keyring.encrypt(&plaintext, &context.as_aad()))?;
        from_vec(env, sealed)
    }

    /// Verifies and decrypts, trying the current key and then each previous key.
    #[napi(ts_return_type = "Buffer")]
    pub fn decrypt(
        &self,
        env: &Env,
        sealed: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> napi::Result<JsBuffer> {
        guard(|| {
            let len = Keyring::plaintext_len(&sealed).map_err(core_error)?;
            new_buffer_with(env, len, |out| {
                self.keyring.decrypt_into(&sealed, &context.as_aad(), out)
            })?
            .map_err(core_error)
        })
    }

    /// The cache write path in one call: envelope (LZ4 + xxHash3-64) then AES-256-GCM, with the
    /// AAD binding tenant, cache key, format and compressed = "True".
    #[napi(ts_return_type = "Buffer")]
    pub fn seal(
        &self,
        env: &Env,
        data: Uint8ArraySlice,
        options: SealOptions,
    ) -> napi::Result<JsBuffer> {
        let format = options.format.as_deref().unwrap_or(DEFAULT_FORMAT);
        let sealed = guard_core(|| self.keyring.seal(&data, &options.cache_key, format))?;
        from_vec(env, sealed)
    }

    /// The cache read path in one call: AES-256-GCM, then the envelope checks and decompression.
    #[napi]
    pub fn open(
        &self,
        env: &Env,
        sealed: Uint8ArraySlice,
        options: OpenOptions,
    ) -> napi::Result<Retrieved> {
        let format = options.format.as_deref().unwrap_or(DEFAULT_FORMAT);
        let validate = options.validate_msgpack.unwrap_or(false);
        guard(|| {
            let envelope = self
                .keyring
                .open_envelope(&sealed, &options.cache_key, format)
                .map_err(core_error)?;
            let checked = storage::check_format(&envelope, format).map_err(core_error)?;
            decompress_to_js(env, &checked, validate)
        })
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn encrypt_async(
        &self,
        plaintext: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> AsyncTask<EncryptTask> {
        AsyncTask::new(EncryptTask {
            keyring: Arc::clone(&self.keyring),
            input: plaintext.to_vec(),
            context,
        })
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn decrypt_async(
        &self,
        sealed: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> AsyncTask<DecryptTask> {
        AsyncTask::new(DecryptTask {
            keyring: Arc::clone(&self.keyring),
            input: sealed.to_vec(),
            context,
        })
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn seal_async(&self, data: Uint8ArraySlice, options: SealOptions) -> AsyncTask<SealTask> {
        AsyncTask::new(SealTask {
            keyring: Arc::clone(&self.keyring),
            data: data.to_vec(),
            cache_key: options.cache_key,
            format: options.format.unwrap_or_else(|| DEFAULT_FORMAT.to_owned()),
        })
    }

    #[napi(ts_return_type = "Promise<Retrieved>")]
    pub fn open_async(&self, sealed: Uint8ArraySlice, options: OpenOptions) -> AsyncTask<OpenTask> {
        AsyncTask::new(OpenTask {
            keyring: Arc::clone(&self.keyring),
            sealed: sealed.to_vec(),
            cache_key: options.cache_key,
            format: options.format.unwrap_or_else(|| DEFAULT_FORMAT.to_owned()),
            validate_msgpack: options.validate_msgpack.unwrap_or(false),
        })
    }
}

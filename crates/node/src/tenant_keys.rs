//! `TenantKeys`: an opaque handle on a tenant's keyring. Key material stays in Rust (zeroized on
//! drop); JavaScript only ever sees fingerprints. Every method is one call into
//! `cachekit_core::crypto::Keyring`; they differ in where the result goes: a new Buffer, the
//! thread pool (`*Async`, see `tasks`) or the facade's scratch (`*To`, see `scratch.rs`; internal,
//! the TypeScript facade hands users ordinary Buffers).

use std::ops::Deref;
use std::sync::Arc;

use cachekit_core::crypto::{Keyring, MasterKey};
use cachekit_core::storage::DEFAULT_FORMAT;
use napi::bindgen_prelude::{AsyncTask, Either, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::errors::{guard, guard_core};
use crate::js_buffer::{from_vec, JsBuffer};
use crate::outputs::NewBuffer;
use crate::scratch::{build_out, ScratchOrBuffer};
use crate::tasks::{DecryptTask, EncryptTask, OpenTask, SealTask};
use crate::types::{
    aad_context, DeriveOptions, EncryptionContext, OpenOptions, Retrieved, SealOptions,
};

/// A master key given as 64 hex characters or as raw bytes (a `Uint8Array` or a view of one).
fn master_key<B: Deref<Target = [u8]>>(
    input: &Either<String, B>,
) -> cachekit_core::Result<MasterKey> {
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
            let current = master_key(&master)?;
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
        let ctx = context.as_aad();
        guard(|| Ok(self.keyring.decrypt_to(&sealed, &ctx, NewBuffer(env))?))
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
        let key = &options.cache_key;
        guard(|| {
            let output = NewBuffer(env);
            Ok(self
                .keyring
                .open_to(&sealed, key, format, validate, output)?)
        })
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn encrypt_async(
        &self,
        plaintext: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> AsyncTask<EncryptTask> {
        AsyncTask::new(EncryptTask::new(&self.keyring, &plaintext, context))
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn decrypt_async(
        &self,
        sealed: Uint8ArraySlice,
        context: EncryptionContext,
    ) -> AsyncTask<DecryptTask> {
        AsyncTask::new(DecryptTask::new(&self.keyring, &sealed, context))
    }

    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn seal_async(&self, data: Uint8ArraySlice, options: SealOptions) -> AsyncTask<SealTask> {
        let format = options.format.unwrap_or_else(|| DEFAULT_FORMAT.to_owned());
        AsyncTask::new(SealTask::new(
            &self.keyring,
            &data,
            options.cache_key,
            format,
        ))
    }

    #[napi(ts_return_type = "Promise<Retrieved>")]
    pub fn open_async(&self, sealed: Uint8ArraySlice, options: OpenOptions) -> AsyncTask<OpenTask> {
        let format = options.format.unwrap_or_else(|| DEFAULT_FORMAT.to_owned());
        let validate = options.validate_msgpack.unwrap_or(false);
        AsyncTask::new(OpenTask::new(
            &self.keyring,
            &sealed,
            options.cache_key,
            format,
            validate,
        ))
    }

    #[napi(ts_return_type = "number | Buffer")]
    pub fn seal_to(
        &self,
        env: &Env,
        data: Uint8ArraySlice,
        cache_key: String,
        format: Option<String>,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, JsBuffer>> {
        let format = format.as_deref().unwrap_or(DEFAULT_FORMAT);
        guard(|| {
            build_out(env, &mut scratch, |w| {
                self.keyring.seal_into(w, &data, &cache_key, format)
            })
        })
    }

    #[napi(ts_return_type = "number | Retrieved")]
    pub fn open_to(
        &self,
        env: &Env,
        sealed: Uint8ArraySlice,
        cache_key: String,
        format: Option<String>,
        validate_msgpack: bool,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, Retrieved>> {
        let format = format.as_deref().unwrap_or(DEFAULT_FORMAT);
        guard(|| {
            let output = ScratchOrBuffer::new(env, &mut scratch);
            Ok(self
                .keyring
                .open_to(&sealed, &cache_key, format, validate_msgpack, output)?)
        })
    }

    #[napi(ts_return_type = "number | Buffer")]
    #[allow(clippy::too_many_arguments)]
    pub fn encrypt_to(
        &self,
        env: &Env,
        plaintext: Uint8ArraySlice,
        cache_key: String,
        format: String,
        compressed: bool,
        original_type: Option<String>,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, JsBuffer>> {
        let ctx = aad_context(&cache_key, &format, compressed, original_type.as_deref());
        guard(|| {
            build_out(env, &mut scratch, |w| {
                self.keyring.encrypt_into(w, &plaintext, &ctx)
            })
        })
    }

    #[napi(ts_return_type = "number | Buffer")]
    #[allow(clippy::too_many_arguments)]
    pub fn decrypt_to(
        &self,
        env: &Env,
        sealed: Uint8ArraySlice,
        cache_key: String,
        format: String,
        compressed: bool,
        original_type: Option<String>,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, JsBuffer>> {
        let ctx = aad_context(&cache_key, &format, compressed, original_type.as_deref());
        guard(|| {
            let output = ScratchOrBuffer::new(env, &mut scratch);
            Ok(self.keyring.decrypt_to(&sealed, &ctx, output)?)
        })
    }
}

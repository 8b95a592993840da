//! The scratch-output forms of the hot calls (see `scratch.rs`). They are internal: the
//! TypeScript facade calls them and hands users ordinary Buffers.

use cachekit_core::crypto::{AadContext, Keyring};
use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::storage::{self, Checked, DEFAULT_FORMAT};
use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::byte_storage::{decompress_to_js, ByteStorage, Retrieved};
use crate::errors::{core_error, guard};
use crate::js_buffer::{new_buffer_with, JsBuffer};
use crate::scratch::{build_out, scratch_bytes};
use crate::tenant_keys::TenantKeys;

/// Longest format name the scratch encoding carries (its length goes in the low byte).
const MAX_SCRATCH_FORMAT: usize = 255;

/// Decompresses into the scratch when data and format fit: returns `len * 256 + format_len`
/// with the data at `[0, len)` and the format's UTF-8 at `[len, len + format_len)`.
fn retrieve_out(
    env: &Env,
    checked: &Checked<'_>,
    validate_msgpack: bool,
    scratch: &mut Uint8ArraySlice,
) -> napi::Result<Either<f64, Retrieved>> {
    let n = checked.original_len();
    let format = checked.format().as_bytes();
    let dest = scratch_bytes(scratch);
    let split = if format.len() <= MAX_SCRATCH_FORMAT && n + format.len() <= dest.len() {
        dest.split_at_mut_checked(n)
    } else {
        None
    };
    let Some((data, rest)) = split else {
        return decompress_to_js(env, checked, validate_msgpack).map(Either::B);
    };
    checked.decompress_into(data).map_err(core_error)?;
    if validate_msgpack {
        scan(data, ScanMode::ExactlyOne).map_err(core_error)?;
    }
    if let Some(slot) = rest.get_mut(..format.len()) {
        slot.copy_from_slice(format);
    }
    Ok(Either::A((n * 256 + format.len()) as f64))
}

/// The AAD context from the positional arguments of `encryptTo` / `decryptTo`.
fn aad_context<'a>(
    cache_key: &'a str,
    format: &'a str,
    compressed: bool,
    original_type: Option<&'a str>,
) -> AadContext<'a> {
    AadContext {
        cache_key,
        format,
        compressed,
        original_type,
    }
}

#[napi]
impl ByteStorage {
    #[napi(ts_return_type = "number | Buffer")]
    pub fn store_to(
        &self,
        env: &Env,
        data: Uint8ArraySlice,
        format: Option<String>,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, JsBuffer>> {
        let format = format.as_deref().unwrap_or(self.default_format());
        guard(|| {
            build_out(
                env,
                &mut scratch,
                |w| storage::store_into(w, &data, format),
                core_error,
            )
        })
    }

    #[napi(ts_return_type = "number | Retrieved")]
    pub fn retrieve_to(
        &self,
        env: &Env,
        envelope: Uint8ArraySlice,
        validate_msgpack: bool,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, Retrieved>> {
        guard(|| {
            let checked = storage::check(&envelope).map_err(core_error)?;
            retrieve_out(env, &checked, validate_msgpack, &mut scratch)
        })
    }
}

#[napi]
impl TenantKeys {
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
        let keyring = self.keyring();
        guard(|| {
            build_out(
                env,
                &mut scratch,
                |w| keyring.seal_into(w, &data, &cache_key, format),
                core_error,
            )
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
        let keyring = self.keyring();
        guard(|| {
            let mut envelope = Vec::new();
            keyring
                .open_envelope_into(&mut envelope, &sealed, &cache_key, format)
                .map_err(core_error)?;
            let checked = storage::check_format(&envelope, format).map_err(core_error)?;
            retrieve_out(env, &checked, validate_msgpack, &mut scratch)
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
        let keyring = self.keyring();
        guard(|| {
            build_out(
                env,
                &mut scratch,
                |w| keyring.encrypt_into(w, &plaintext, &ctx),
                core_error,
            )
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
        let keyring = self.keyring();
        guard(|| {
            let len = Keyring::plaintext_len(&sealed).map_err(core_error)?;
            let dest = scratch_bytes(&mut scratch);
            if let Some(out) = dest.get_mut(..len) {
                keyring
                    .decrypt_into(&sealed, &ctx, out)
                    .map_err(core_error)?;
                return Ok(Either::A(len as f64));
            }
            new_buffer_with(env, len, |out| keyring.decrypt_into(&sealed, &ctx, out))?
                .map(Either::B)
                .map_err(core_error)
        })
    }
}

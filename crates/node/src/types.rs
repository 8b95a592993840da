//! The plain JavaScript objects the binding takes and returns (`#[napi(object)]`): options,
//! encryption contexts, results. The class files, the free functions and the tasks all use them;
//! this module uses nothing of the binding but `js_buffer`.

use cachekit_core::crypto::AadContext;
use napi::bindgen_prelude::{Either, Uint8Array};
use napi::Env;
use napi_derive::napi;

use crate::js_buffer::{from_vec, JsBuffer};

#[napi(object)]
pub struct ByteStorageOptions {
    /// Format name written into envelopes when `store` is not given one. Default `"msgpack"`.
    pub format: Option<String>,
}

#[napi(object)]
pub struct RetrieveOptions {
    /// Also require the payload to be exactly one bounded MessagePack document.
    pub validate_msgpack: Option<bool>,
}

#[napi(object, object_from_js = false)]
pub struct Retrieved {
    #[napi(ts_type = "Buffer")]
    pub data: JsBuffer,
    pub format: String,
}

impl Retrieved {
    /// A result made away from the JavaScript thread, copied into a V8-owned Buffer.
    pub fn from_owned(env: &Env, (data, format): (Vec<u8>, String)) -> napi::Result<Self> {
        Ok(Retrieved {
            data: from_vec(env, data)?,
            format,
        })
    }
}

#[napi(object)]
pub struct DeriveOptions {
    /// Decrypt-only master keys from before a rotation (at most 3).
    #[napi(ts_type = "Array<string | Uint8Array>")]
    pub previous_keys: Option<Vec<Either<String, Uint8Array>>>,
}

/// What the AAD binds a ciphertext to, besides the tenant.
#[napi(object)]
pub struct EncryptionContext {
    pub cache_key: String,
    pub format: String,
    pub compressed: bool,
    /// Python's optional fifth AAD component.
    pub original_type: Option<String>,
}

impl EncryptionContext {
    pub fn as_aad(&self) -> AadContext<'_> {
        aad_context(
            &self.cache_key,
            &self.format,
            self.compressed,
            self.original_type.as_deref(),
        )
    }
}

/// The one place the binding builds an AAD context: from an `EncryptionContext` object
/// (`encrypt`, `decrypt`, their async forms) or from the positional arguments of the scratch
/// forms (`encryptTo`, `decryptTo`).
pub fn aad_context<'a>(
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

#[napi(object)]
pub struct ValidateMsgpackOptions {
    /// Accept bytes after the first document (default false: exactly one document).
    pub allow_trailing: Option<bool>,
}

#[napi(object)]
pub struct Limits {
    pub max_size: f64,
    /// The protocol's bound on original / compressed size.
    pub max_compression_ratio: u32,
    /// The tighter bound readers apply: output bytes one LZ4 block byte can stand for.
    pub lz4_max_expansion: u32,
    pub max_msgpack_depth: u32,
    pub max_previous_keys: u32,
    pub max_tenant_bytes: u32,
    pub nonce_bytes: u32,
    pub tag_bytes: u32,
}

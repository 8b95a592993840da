//! `ByteStorage`: the protocol 1.1 envelope (LZ4 block + xxHash3-64) for JavaScript.

use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::storage::{self, Checked, DEFAULT_FORMAT};
use napi::bindgen_prelude::{AsyncTask, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::errors::{core_error, guard, guard_core};
use crate::js_buffer::{from_vec, new_buffer_with, JsBuffer};
use crate::tasks::{RetrieveTask, StoreTask};

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

/// Decompresses a checked envelope straight into a new JavaScript Buffer.
pub(crate) fn decompress_to_js(
    env: &Env,
    checked: &Checked<'_>,
    validate_msgpack: bool,
) -> napi::Result<Retrieved> {
    let data = new_buffer_with(env, checked.original_len(), |out| {
        checked.decompress_into(out)?;
        if validate_msgpack {
            scan(out, ScanMode::ExactlyOne)?;
        }
        Ok(())
    })?
    .map_err(core_error)?;
    Ok(Retrieved {
        data,
        format: checked.format().to_owned(),
    })
}

#[napi]
pub struct ByteStorage {
    format: String,
}

#[napi]
impl ByteStorage {
    #[napi(constructor)]
    pub fn new(options: Option<ByteStorageOptions>) -> Self {
        ByteStorage {
            format: options
                .and_then(|o| o.format)
                .unwrap_or_else(|| DEFAULT_FORMAT.to_owned()),
        }
    }

    pub(crate) fn default_format(&self) -> &str {
        &self.format
    }

    /// The format written when `store` is called without one.
    #[napi(getter)]
    pub fn format(&self) -> String {
        self.format.clone()
    }

    /// Compresses `data` and wraps it in an envelope with its xxHash3-64 checksum.
    #[napi(ts_return_type = "Buffer")]
    pub fn store(
        &self,
        env: &Env,
        data: Uint8ArraySlice,
        format: Option<String>,
    ) -> napi::Result<JsBuffer> {
        let format = format.as_deref().unwrap_or(&self.format);
        let envelope = guard_core(|| storage::store(&data, format))?;
        from_vec(env, envelope)
    }

    /// Verifies and unwraps an envelope: sizes, ratio, decompression, length, checksum.
    #[napi]
    pub fn retrieve(
        &self,
        env: &Env,
        envelope: Uint8ArraySlice,
        options: Option<RetrieveOptions>,
    ) -> napi::Result<Retrieved> {
        let validate = options.and_then(|o| o.validate_msgpack).unwrap_or(false);
        guard(|| {
            let checked = storage::check(&envelope).map_err(core_error)?;
            decompress_to_js(env, &checked, validate)
        })
    }

    /// `store` on the libuv thread pool (for large values).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn store_async(
        &self,
        data: Uint8ArraySlice,
        format: Option<String>,
    ) -> AsyncTask<StoreTask> {
        AsyncTask::new(StoreTask {
            data: data.to_vec(),
            format: format.unwrap_or_else(|| self.format.clone()),
        })
    }

    /// `retrieve` on the libuv thread pool (for large values).
    #[napi(ts_return_type = "Promise<Retrieved>")]
    pub fn retrieve_async(
        &self,
        envelope: Uint8ArraySlice,
        options: Option<RetrieveOptions>,
    ) -> AsyncTask<RetrieveTask> {
        AsyncTask::new(RetrieveTask {
            envelope: envelope.to_vec(),
            validate_msgpack: options.and_then(|o| o.validate_msgpack).unwrap_or(false),
        })
    }
}

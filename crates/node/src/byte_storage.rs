//! `ByteStorage`: the protocol 1.1 envelope (LZ4 block + xxHash3-64) for JavaScript. Every method
//! is one call into `cachekit_core::storage`; they differ in where the result goes: a new Buffer
//! (`store`, `retrieve`), the thread pool (`*Async`, see `tasks`) or the facade's scratch
//! (`*To`, see `scratch.rs`; internal, the TypeScript facade hands users ordinary Buffers).

use cachekit_core::storage::{self, DEFAULT_FORMAT};
use napi::bindgen_prelude::{AsyncTask, Either, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

use crate::errors::{guard, guard_core};
use crate::js_buffer::{from_vec, JsBuffer};
use crate::outputs::NewBuffer;
use crate::scratch::{build_out, ScratchOrBuffer};
use crate::tasks::{RetrieveTask, StoreTask};
use crate::types::{ByteStorageOptions, RetrieveOptions, Retrieved};

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
            Ok(storage::retrieve_to(
                &envelope,
                None,
                validate,
                NewBuffer(env),
            )?)
        })
    }

    /// `store` on the libuv thread pool (for large values).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn store_async(
        &self,
        data: Uint8ArraySlice,
        format: Option<String>,
    ) -> AsyncTask<StoreTask> {
        let format = format.unwrap_or_else(|| self.format.clone());
        AsyncTask::new(StoreTask::new(&data, format))
    }

    /// `retrieve` on the libuv thread pool (for large values).
    #[napi(ts_return_type = "Promise<Retrieved>")]
    pub fn retrieve_async(
        &self,
        envelope: Uint8ArraySlice,
        options: Option<RetrieveOptions>,
    ) -> AsyncTask<RetrieveTask> {
        let validate = options.and_then(|o| o.validate_msgpack).unwrap_or(false);
        AsyncTask::new(RetrieveTask::new(&envelope, validate))
    }

    #[napi(ts_return_type = "number | Buffer")]
    pub fn store_to(
        &self,
        env: &Env,
        data: Uint8ArraySlice,
        format: Option<String>,
        mut scratch: Uint8ArraySlice,
    ) -> napi::Result<Either<f64, JsBuffer>> {
        let format = format.as_deref().unwrap_or(&self.format);
        guard(|| build_out(env, &mut scratch, |w| storage::store_into(w, &data, format)))
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
            let output = ScratchOrBuffer::new(env, &mut scratch);
            Ok(storage::retrieve_to(
                &envelope,
                None,
                validate_msgpack,
                output,
            )?)
        })
    }
}

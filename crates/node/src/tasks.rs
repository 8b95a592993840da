//! The `*Async` variants: the same core calls, run on the libuv thread pool. Each task owns a copy
//! of its input, taken while the JavaScript call is still on the stack: a view the caller could
//! shrink (resizable ArrayBuffer) or detach (transfer) while the task runs would otherwise leave the
//! worker thread reading freed or foreign memory. The copy is cheap next to the work these calls
//! exist for (values of hundreds of KiB and more); the small-value sync paths borrow instead.

use std::sync::Arc;

use cachekit_core::crypto::Keyring;
use cachekit_core::msgpack::{scan, ScanMode};
use cachekit_core::storage;
use napi::{Env, Task};

use crate::byte_storage::Retrieved;
use crate::errors::guard_core;
use crate::js_buffer::{from_vec, JsBuffer};
use crate::tenant_keys::EncryptionContext;

fn retrieve_checked(
    envelope: &[u8],
    format: Option<&str>,
    validate: bool,
) -> cachekit_core::Result<(Vec<u8>, String)> {
    let checked = match format {
        Some(f) => storage::check_format(envelope, f)?,
        None => storage::check(envelope)?,
    };
    let mut out = vec![0u8; checked.original_len()];
    checked.decompress_into(&mut out)?;
    if validate {
        scan(&out, ScanMode::ExactlyOne)?;
    }
    Ok((out, checked.format().to_owned()))
}

fn to_retrieved(env: &Env, (data, format): (Vec<u8>, String)) -> napi::Result<Retrieved> {
    Ok(Retrieved {
        data: from_vec(env, data)?,
        format,
    })
}

pub struct StoreTask {
    pub(crate) data: Vec<u8>,
    pub(crate) format: String,
}

impl Task for StoreTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| storage::store(&self.data, &self.format))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

pub struct RetrieveTask {
    pub(crate) envelope: Vec<u8>,
    pub(crate) validate_msgpack: bool,
}

impl Task for RetrieveTask {
    type Output = (Vec<u8>, String);
    type JsValue = Retrieved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| retrieve_checked(&self.envelope, None, self.validate_msgpack))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        to_retrieved(&env, output)
    }
}

pub struct EncryptTask {
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) input: Vec<u8>,
    pub(crate) context: EncryptionContext,
}

impl Task for EncryptTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| self.keyring.encrypt(&self.input, &self.context.as_aad()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

pub struct DecryptTask {
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) input: Vec<u8>,
    pub(crate) context: EncryptionContext,
}

impl Task for DecryptTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| self.keyring.decrypt(&self.input, &self.context.as_aad()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

pub struct SealTask {
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) data: Vec<u8>,
    pub(crate) cache_key: String,
    pub(crate) format: String,
}

impl Task for SealTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| self.keyring.seal(&self.data, &self.cache_key, &self.format))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

pub struct OpenTask {
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) sealed: Vec<u8>,
    pub(crate) cache_key: String,
    pub(crate) format: String,
    pub(crate) validate_msgpack: bool,
}

impl Task for OpenTask {
    type Output = (Vec<u8>, String);
    type JsValue = Retrieved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| {
            let envelope =
                self.keyring
                    .open_envelope(&self.sealed, &self.cache_key, &self.format)?;
            retrieve_checked(&envelope, Some(&self.format), self.validate_msgpack)
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        to_retrieved(&env, output)
    }
}

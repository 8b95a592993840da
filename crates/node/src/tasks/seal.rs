//! `TenantKeys.sealAsync`: envelope, then AES-256-GCM.

use std::sync::Arc;

use cachekit_core::crypto::Keyring;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::js_buffer::{from_vec, JsBuffer};

pub struct SealTask {
    keyring: Arc<Keyring>,
    data: Vec<u8>,
    cache_key: String,
    format: String,
}

impl SealTask {
    pub fn new(keyring: &Arc<Keyring>, data: &[u8], cache_key: String, format: String) -> Self {
        SealTask {
            keyring: Arc::clone(keyring),
            data: data.to_vec(),
            cache_key,
            format,
        }
    }
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

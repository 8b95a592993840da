//! `TenantKeys.openAsync`: AES-256-GCM, then the Retrieve Flow of an envelope that must name the
//! format the AAD bound.

use std::sync::Arc;

use cachekit_core::crypto::Keyring;
use cachekit_core::output::NewVec;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::types::Retrieved;

pub struct OpenTask {
    keyring: Arc<Keyring>,
    sealed: Vec<u8>,
    cache_key: String,
    format: String,
    validate_msgpack: bool,
}

impl OpenTask {
    pub fn new(
        keyring: &Arc<Keyring>,
        sealed: &[u8],
        cache_key: String,
        format: String,
        validate_msgpack: bool,
    ) -> Self {
        OpenTask {
            keyring: Arc::clone(keyring),
            sealed: sealed.to_vec(),
            cache_key,
            format,
            validate_msgpack,
        }
    }
}

impl Task for OpenTask {
    type Output = (Vec<u8>, String);
    type JsValue = Retrieved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| {
            self.keyring.open_to(
                &self.sealed,
                &self.cache_key,
                &self.format,
                self.validate_msgpack,
                NewVec,
            )
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Retrieved::from_owned(&env, output)
    }
}

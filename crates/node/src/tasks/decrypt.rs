//! `TenantKeys.decryptAsync`: AES-256-GCM, trying the current key and then each previous key.

use std::sync::Arc;

use cachekit_core::crypto::Keyring;
use cachekit_core::output::NewVec;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::js_buffer::{from_vec, JsBuffer};
use crate::types::EncryptionContext;

pub struct DecryptTask {
    keyring: Arc<Keyring>,
    sealed: Vec<u8>,
    context: EncryptionContext,
}

impl DecryptTask {
    pub fn new(keyring: &Arc<Keyring>, sealed: &[u8], context: EncryptionContext) -> Self {
        DecryptTask {
            keyring: Arc::clone(keyring),
            sealed: sealed.to_vec(),
            context,
        }
    }
}

impl Task for DecryptTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| {
            self.keyring
                .decrypt_to(&self.sealed, &self.context.as_aad(), NewVec)
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

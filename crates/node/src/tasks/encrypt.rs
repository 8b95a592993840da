//! `TenantKeys.encryptAsync`: AES-256-GCM under the current key.

use std::sync::Arc;

use cachekit_core::crypto::Keyring;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::js_buffer::{from_vec, JsBuffer};
use crate::types::EncryptionContext;

pub struct EncryptTask {
    keyring: Arc<Keyring>,
    plaintext: Vec<u8>,
    context: EncryptionContext,
}

impl EncryptTask {
    pub fn new(keyring: &Arc<Keyring>, plaintext: &[u8], context: EncryptionContext) -> Self {
        EncryptTask {
            keyring: Arc::clone(keyring),
            plaintext: plaintext.to_vec(),
            context,
        }
    }
}

impl Task for EncryptTask {
    type Output = Vec<u8>;
    type JsValue = JsBuffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| {
            self.keyring
                .encrypt(&self.plaintext, &self.context.as_aad())
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        from_vec(&env, output)
    }
}

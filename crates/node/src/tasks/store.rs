//! `ByteStorage.storeAsync`: compress, checksum and wrap in an envelope.

use cachekit_core::storage;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::js_buffer::{from_vec, JsBuffer};

pub struct StoreTask {
    data: Vec<u8>,
    format: String,
}

impl StoreTask {
    pub fn new(data: &[u8], format: String) -> Self {
        StoreTask {
            data: data.to_vec(),
            format,
        }
    }
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

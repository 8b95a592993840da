//! `ByteStorage.retrieveAsync`: the whole Retrieve Flow, optionally with the MessagePack check.

use cachekit_core::output::NewVec;
use cachekit_core::storage;
use napi::{Env, Task};

use crate::errors::guard_core;
use crate::types::Retrieved;

pub struct RetrieveTask {
    envelope: Vec<u8>,
    validate_msgpack: bool,
}

impl RetrieveTask {
    pub fn new(envelope: &[u8], validate_msgpack: bool) -> Self {
        RetrieveTask {
            envelope: envelope.to_vec(),
            validate_msgpack,
        }
    }
}

impl Task for RetrieveTask {
    type Output = (Vec<u8>, String);
    type JsValue = Retrieved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_core(|| storage::retrieve_to(&self.envelope, None, self.validate_msgpack, NewVec))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Retrieved::from_owned(&env, output)
    }
}

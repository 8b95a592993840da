//! The N-API face of `cachekit-node-core`: argument and result conversion, error codes, panic
//! containment. No protocol logic lives here.
#![deny(clippy::all)]
// napi-derive registers exports only outside `cargo test`, so test builds see them as unused.
#![cfg_attr(test, allow(dead_code))]

mod byte_storage;
mod errors;
mod functions;
mod js_buffer;
mod outputs;
mod scratch;
mod tasks;
mod tenant_keys;
mod types;

pub use byte_storage::ByteStorage;
pub use tenant_keys::TenantKeys;

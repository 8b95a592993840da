//! Core errors become JavaScript errors whose message starts with the stable code
//! (`CHECKSUM_MISMATCH: ...`); `src/native` turns that into a `CachekitError` subclass. Panics are
//! caught here and never unwind into N-API.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cachekit_core::CoreError;
use napi::{Error, Status};

pub fn core_error(e: CoreError) -> Error {
    Error::new(Status::GenericFailure, format!("{}: {}", e.code(), e))
}

pub fn invalid_argument(message: impl std::fmt::Display) -> Error {
    Error::new(Status::InvalidArg, format!("INVALID_ARGUMENT: {message}"))
}

/// Runs `f`, turning a panic into an `INTERNAL_ERROR` JavaScript error.
pub fn guard<T>(f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Error::new(
                Status::GenericFailure,
                format!("INTERNAL_ERROR: cachekit native code panicked ({detail}); please report this with the input that caused it"),
            ))
        }
    }
}

/// `guard` for code that returns core results.
pub fn guard_core<T>(f: impl FnOnce() -> cachekit_core::Result<T>) -> napi::Result<T> {
    guard(|| f().map_err(core_error))
}

/// The error of the binding's destinations for core reads (`outputs.rs`, `scratch.rs`): core's
/// `Output` needs an error type its own errors convert into, and `napi::Error` belongs to neither
/// crate, so this carries it. `?` turns it back into a `napi::Error`.
pub struct BindingError(Error);

impl From<CoreError> for BindingError {
    fn from(e: CoreError) -> Self {
        BindingError(core_error(e))
    }
}

impl From<Error> for BindingError {
    fn from(e: Error) -> Self {
        BindingError(e)
    }
}

impl From<BindingError> for Error {
    fn from(e: BindingError) -> Self {
        e.0
    }
}

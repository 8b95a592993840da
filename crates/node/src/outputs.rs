//! A new JavaScript Buffer as the destination of a core read (`cachekit_core::output`): the
//! result is decompressed or decrypted straight into it, so it is never copied. The scratch
//! destination of the fast path builds on it (`scratch.rs`).

use cachekit_core::output::{Output, RetrieveOutput};
use cachekit_core::CoreError;
use napi::Env;

use crate::errors::BindingError;
use crate::js_buffer::{new_buffer_with, JsBuffer};
use crate::types::Retrieved;

/// A Buffer of exactly the result's length, allocated once the read has passed every check that
/// precedes writing.
pub struct NewBuffer<'e>(pub &'e Env);

impl Output for NewBuffer<'_> {
    type Value = JsBuffer;
    type Error = BindingError;

    fn write(
        self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<JsBuffer, BindingError> {
        Ok(new_buffer_with(self.0, len, fill)??)
    }
}

impl RetrieveOutput for NewBuffer<'_> {
    type Value = Retrieved;
    type Error = BindingError;

    fn write(
        self,
        len: usize,
        format: &str,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Retrieved, BindingError> {
        Ok(Retrieved {
            data: Output::write(self, len, fill)?,
            format: format.to_owned(),
        })
    }
}

//! The fast path for small values. Creating a Node Buffer from native code costs about 1.5 µs
//! (Node re-parents every new Uint8Array onto Buffer.prototype), several times the work of
//! compressing or encrypting a 1 KiB value. So the TypeScript facade passes one private scratch
//! Buffer with every call; when the result fits, it is written there and only its length crosses
//! back (a number), and JavaScript copies it into a pooled `Buffer.allocUnsafe`. Larger results
//! come back as Buffers as usual. Either way it is one native call per value.

use std::cell::RefCell;

use cachekit_core::output::{Output, RetrieveOutput};
use cachekit_core::CoreError;
use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi::Env;

use crate::errors::BindingError;
use crate::js_buffer::{from_vec, JsBuffer};
use crate::outputs::NewBuffer;
use crate::types::Retrieved;

/// Longest format name the scratch encoding carries (its length goes in the low byte).
const MAX_SCRATCH_FORMAT: usize = 255;

thread_local! {
    /// Reused build buffer for results made in Rust (store, seal, encrypt), so the fast path
    /// does not allocate once warm.
    static WORK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The writable bytes of the facade's scratch Buffer.
fn scratch_bytes<'a>(scratch: &'a mut Uint8ArraySlice) -> &'a mut [u8] {
    // SAFETY: the scratch Buffer is private to the TypeScript facade, which never touches it while
    // a native call runs (the JS thread is blocked in this call) and never passes it as input.
    unsafe { scratch.as_mut() }
}

/// Runs `build` into the reusable work buffer, then copies the result into the scratch when it
/// fits (returning its length) or hands it over as a Buffer.
pub fn build_out(
    env: &Env,
    scratch: &mut Uint8ArraySlice,
    build: impl FnOnce(&mut Vec<u8>) -> Result<(), CoreError>,
) -> napi::Result<Either<f64, JsBuffer>> {
    WORK.with(|cell| {
        let mut work = cell.try_borrow_mut().map_err(|_| {
            napi::Error::from_reason("INTERNAL_ERROR: re-entrant native call; please report this")
        })?;
        work.clear();
        build(&mut work).map_err(BindingError::from)?;
        let dest = scratch_bytes(scratch);
        if let Some(slot) = dest.get_mut(..work.len()) {
            slot.copy_from_slice(&work);
            Ok(Either::A(work.len() as f64))
        } else {
            // Too large for the scratch: give it away (the work buffer starts empty next time).
            let out = std::mem::take(&mut *work);
            Ok(Either::B(from_vec(env, out)?))
        }
    })
}

/// A core read's destination on the fast path: the scratch when the result fits, else a new
/// Buffer. A plain result in the scratch comes back as its length; a read's as
/// `len * 256 + format_len`, with the data at `[0, len)` and the format's UTF-8 right after it.
pub struct ScratchOrBuffer<'a> {
    env: &'a Env,
    scratch: &'a mut [u8],
}

impl<'a> ScratchOrBuffer<'a> {
    pub fn new(env: &'a Env, scratch: &'a mut Uint8ArraySlice) -> Self {
        ScratchOrBuffer {
            env,
            scratch: scratch_bytes(scratch),
        }
    }
}

impl Output for ScratchOrBuffer<'_> {
    type Value = Either<f64, JsBuffer>;
    type Error = BindingError;

    fn write(
        self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Self::Value, BindingError> {
        if let Some(out) = self.scratch.get_mut(..len) {
            fill(out)?;
            return Ok(Either::A(len as f64));
        }
        Output::write(NewBuffer(self.env), len, fill).map(Either::B)
    }
}

impl RetrieveOutput for ScratchOrBuffer<'_> {
    type Value = Either<f64, Retrieved>;
    type Error = BindingError;

    fn write(
        self,
        len: usize,
        format: &str,
        fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
    ) -> Result<Self::Value, BindingError> {
        let name = format.as_bytes();
        let room = name.len() <= MAX_SCRATCH_FORMAT
            && len
                .checked_add(name.len())
                .is_some_and(|end| end <= self.scratch.len());
        let (data, rest) = match self.scratch.split_at_mut_checked(len) {
            Some(parts) if room => parts,
            _ => {
                return RetrieveOutput::write(NewBuffer(self.env), len, format, fill).map(Either::B)
            }
        };
        fill(data)?;
        if let Some(slot) = rest.get_mut(..name.len()) {
            slot.copy_from_slice(name);
        }
        Ok(Either::A((len * 256 + name.len()) as f64))
    }
}

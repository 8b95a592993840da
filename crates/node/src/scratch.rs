//! The fast path for small values. Creating a Node Buffer from native code costs about 1.5 µs
//! (Node re-parents every new Uint8Array onto Buffer.prototype), several times the work of
//! compressing or encrypting a 1 KiB value. So the TypeScript facade passes one private scratch
//! Buffer with every call; when the result fits, it is written there and only its length crosses
//! back (a number), and JavaScript copies it into a pooled `Buffer.allocUnsafe`. Larger results
//! come back as Buffers as usual. Either way it is one native call per value.

use std::cell::RefCell;

use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi::Env;

use crate::js_buffer::{from_vec, JsBuffer};

thread_local! {
    /// Reused build buffer for results made in Rust (store, seal, encrypt), so the fast path
    /// does not allocate once warm.
    static WORK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The writable bytes of the facade's scratch Buffer.
pub fn scratch_bytes<'a>(scratch: &'a mut Uint8ArraySlice) -> &'a mut [u8] {
    // SAFETY: the scratch Buffer is private to the TypeScript facade, which never touches it while
    // a native call runs (the JS thread is blocked in this call) and never passes it as input.
    unsafe { scratch.as_mut() }
}

/// Runs `build` into the reusable work buffer, then copies the result into the scratch when it
/// fits (returning its length) or hands it over as a Buffer.
pub fn build_out<E>(
    env: &Env,
    scratch: &mut Uint8ArraySlice,
    build: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    to_napi: impl FnOnce(E) -> napi::Error,
) -> napi::Result<Either<f64, JsBuffer>> {
    WORK.with(|cell| {
        let mut work = cell.try_borrow_mut().map_err(|_| {
            napi::Error::from_reason("INTERNAL_ERROR: re-entrant native call; please report this")
        })?;
        work.clear();
        build(&mut work).map_err(to_napi)?;
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

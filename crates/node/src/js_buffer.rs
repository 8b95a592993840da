//! Output buffers. A value whose size is known before the work (retrieve, decrypt) is written
//! straight into a freshly allocated JavaScript Buffer, so it is never copied. A value built in
//! Rust first (store, seal) is copied when small and handed over without a copy when large.

use std::ffi::c_void;
use std::ptr;

use napi::bindgen_prelude::{Buffer, ToNapiValue, TypeName, ValueType};
use napi::{check_status, sys, Env};

/// Values at or below this size are copied into a V8-owned buffer; larger ones are handed over
/// as external memory (creating an external buffer costs more than copying a small one).
const COPY_LIMIT: usize = 64 * 1024;

/// A JavaScript Buffer already created in the current scope.
pub struct JsBuffer(sys::napi_value);

impl TypeName for JsBuffer {
    fn type_name() -> &'static str {
        "Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for JsBuffer {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(val.0)
    }
}

/// Allocates a zeroed Buffer of `len` bytes and lets `fill` write it.
pub fn new_buffer_with<E>(
    env: &Env,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
) -> napi::Result<Result<JsBuffer, E>> {
    let mut data: *mut c_void = ptr::null_mut();
    let mut value: sys::napi_value = ptr::null_mut();
    // SAFETY: napi_create_buffer writes a valid buffer handle and data pointer on success.
    check_status!(
        unsafe { sys::napi_create_buffer(env.raw(), len, &mut data, &mut value) },
        "Failed to allocate a Buffer of {} bytes",
        len
    )?;
    let out: &mut [u8] = if len == 0 || data.is_null() {
        &mut []
    } else {
        // SAFETY: `data` points at `len` bytes owned by the new Buffer, which stays alive in this
        // handle scope; they are zeroed before a slice is formed over them.
        unsafe {
            ptr::write_bytes(data.cast::<u8>(), 0, len);
            std::slice::from_raw_parts_mut(data.cast::<u8>(), len)
        }
    };
    Ok(fill(out).map(|()| JsBuffer(value)))
}

/// Hands a Rust-built value to JavaScript (copy when small, external memory when large).
pub fn from_vec(env: &Env, data: Vec<u8>) -> napi::Result<JsBuffer> {
    let raw = if data.len() <= COPY_LIMIT {
        let mut value: sys::napi_value = ptr::null_mut();
        // SAFETY: napi_create_buffer_copy copies `len` bytes from a valid pointer.
        check_status!(
            unsafe {
                sys::napi_create_buffer_copy(
                    env.raw(),
                    data.len(),
                    data.as_ptr().cast(),
                    ptr::null_mut(),
                    &mut value,
                )
            },
            "Failed to copy a Buffer"
        )?;
        value
    } else {
        // SAFETY: converts an owned Buffer into a JS value in the current env.
        unsafe { Buffer::to_napi_value(env.raw(), Buffer::from(data))? }
    };
    Ok(JsBuffer(raw))
}

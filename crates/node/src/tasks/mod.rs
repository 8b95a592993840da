//! The `*Async` methods' work, one task per file: each makes the same single core call as its
//! synchronous method, on the libuv thread pool. Each task owns a copy of its input, taken in its
//! constructor while the JavaScript call is still on the stack: a view the caller could shrink
//! (resizable ArrayBuffer) or detach (transfer) while the task runs would otherwise leave the
//! worker thread reading freed or foreign memory. The copy is cheap next to the work these calls
//! exist for (values of hundreds of KiB and more); the small-value sync paths borrow instead.
//! Results are built in Rust and copied into a V8-owned Buffer when the task resolves, because a
//! worker thread cannot create JavaScript values.

mod decrypt;
mod encrypt;
mod open;
mod retrieve;
mod seal;
mod store;

pub use decrypt::DecryptTask;
pub use encrypt::EncryptTask;
pub use open::OpenTask;
pub use retrieve::RetrieveTask;
pub use seal::SealTask;
pub use store::StoreTask;

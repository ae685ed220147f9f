//! The safe Rust API of rivet's C util library (include/util/), and what
//! every other safe crate builds on:
//!
//! - [`cell`]: [`Opaque`](cell::Opaque) for C structures that C writes,
//!   [`Zeroable`](cell::Zeroable), [`StateCell`](cell::StateCell) for a
//!   device's mutable state;
//! - [`error`]: the C core's `Error` as a Rust error type;
//! - [`log`]: `-d guest_errors` / `-d unimp` logging;
//! - [`timer`]: one-shot timers on the deterministic virtual clock.
//!
//! The safe layer is one crate per bridged C library, as the -sys crates
//! are: `rivet-util`, `rivet-qom`, `rivet-memory`, `rivet-migration`,
//! `rivet-chardev`, `rivet-hwcore`.  A device crate depends on the ones it
//! uses, so touching a header rebuilds only the devices that use its
//! subsystem (docs/rust.md).
//!
//! The emulator is single-threaded: every callback from C runs on the main
//! thread, one at a time, so device state lives in [`Cell`](std::cell::Cell)
//! and [`StateCell`](cell::StateCell) fields and callbacks take `&self`.

pub mod cell;
pub mod error;
pub mod log;
pub mod timer;

/// The raw bindings of `util-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use util_sys as bindings;

/// What a device crate usually needs from this crate.
pub mod prelude {
    pub use crate::cell::{Opaque, StateCell, Zeroable};
    pub use crate::error::{Error, Result};
    pub use crate::log::{guest_error, unimplemented};
    pub use crate::timer::{Timer, TimerHandler};
}

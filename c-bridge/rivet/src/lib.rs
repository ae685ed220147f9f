//! The safe Rust API of rivet's C core, for devices written in Rust.
//!
//! Device crates (`crates/`) depend on this crate only; it wraps the raw
//! bindings of the `*-sys` crates (re-exported, for the rare need, as
//! [`bindings`]).  What it offers:
//!
//! - [`qom`]: QOM object types defined in Rust ([`qom::ObjectImpl`]),
//!   type registration from a constructor ([`module_init!`]);
//! - [`qdev`]: devices ([`qdev::DeviceImpl`]: realize, reset) and their
//!   static properties ([`qdev_prop!`]);
//! - [`sysbus`]: MMIO regions and IRQ outputs of system-bus devices;
//! - [`memory`]: MMIO regions whose callbacks are Rust methods
//!   ([`memory::MmioOps`]);
//! - [`irq`]: interrupt lines ([`irq::InterruptSource`]);
//! - [`timer`]: one-shot timers on the deterministic virtual clock;
//! - [`migration`]: migration state (`VMStateDescription`s) built from
//!   Rust structs (`#[derive(VMState)]`, [`vmstate_field!`]);
//! - [`chardev`]: character-device frontends (a UART's host side);
//! - [`log`]: `-d guest_errors` / `-d unimp` logging;
//! - [`error`]: the C core's `Error` as a Rust error type.
//!
//! The emulator is single-threaded: every callback from C runs on the main
//! thread, one at a time, so device state lives in [`Cell`](std::cell::Cell)
//! and [`RefCell`](std::cell::RefCell) fields and callbacks take `&self`.
//! C structures embedded in a device (a `MemoryRegion`, a `Timer`...) sit in
//! [`cell::Opaque`] wrappers, whose memory C may change at any time.

pub mod cell;
pub mod chardev;
pub mod error;
pub mod irq;
pub mod log;
pub mod memory;
pub mod migration;
pub mod qdev;
pub mod qom;
pub mod sysbus;
pub mod timer;

#[cfg(test)]
mod finalize_tests;

/// The raw bindings of every bridge crate, for what the safe API does not
/// cover yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub mod bindings {
    pub use chardev_sys::*;
    pub use hwcore_sys::*;
    pub use memory_sys::*;
    pub use migration_sys::*;
    pub use qom_sys::*;
    pub use util_sys::*;
}

/// What a device crate usually needs: `use rivet::prelude::*;`.
pub mod prelude {
    pub use crate::cell::{Opaque, Zeroable};
    pub use crate::chardev::{CharFrontend, CharHandlers, ChardevLink};
    pub use crate::error::{Error, Result};
    pub use crate::irq::InterruptSource;
    pub use crate::log::{guest_error, unimplemented};
    pub use crate::memory::{AccessSizes, Endianness, MemoryRegion, MmioOps};
    pub use crate::migration::{VMState, VMStateDescribed};
    pub use crate::qdev::{DeviceImpl, PropertyInfo};
    pub use crate::qom::{IsA, ObjectImpl, ObjectType, ParentField};
    pub use crate::sysbus::SysBusDevice;
    pub use crate::timer::{Timer, TimerHandler};
    pub use crate::{module_init, qdev_prop};
}

#[doc(hidden)]
pub use std as __std;

//! HPET (IA-PC HPET specification 1.0a) in Rust: the twin of
//! hw/timer/hpet/hpet.c, registered as QOM type `hpet-rust`.
//!
//! [`registers`] names the registers and bits of the specification,
//! [`model`] is the programming model as plain Rust (unit-tested here
//! without any C), and the QOM glue maps it onto a sysbus device with one
//! IRQ output per interrupt route.

mod device;
pub mod model;
pub mod registers;

#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
mod tests;

pub use device::HPETState;
pub use model::{HPETRegs, HPETTimerRegs, Host, LogItem};

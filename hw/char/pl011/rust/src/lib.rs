//! ARM PrimeCell UART (PL011) r1p5 in Rust: the twin of
//! hw/char/pl011/pl011.c, registered as QOM type `pl011-rust`.
//!
//! [`registers`] names the registers and bits of the TRM (ARM DDI 0183),
//! [`model`] is the programming model as plain Rust (unit-tested here
//! without any C), and the QOM glue maps it onto a sysbus device.

mod device;
pub mod model;
pub mod registers;

#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
mod tests;

pub use device::PL011State;
pub use model::{Host, LogItem, PL011Regs};

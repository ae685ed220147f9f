//! NXP PCF8574 8-bit I2C GPIO expander in Rust, an I2C target registered as QOM type `pcf8574-rust`.
//!
//! [`model`] is the target as plain Rust (unit-tested here without any
//! C); the QOM glue in `device` puts it on the I2C bus.

mod device;
pub mod model;

#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
mod tests;

pub use device::Pcf8574State;
pub use model::Pcf8574Regs;

//! virtio-mmio transport (version 2) with a virtio-blk device in Rust,
//! registered as QOM type `virtio-rust` (docs/virtio.md).
//!
//! [`model`] is the transport's register model and [`blk`] the block
//! device's requests, both plain Rust over vm-memory and unit-tested
//! without the C core; the QOM glue in `device` maps them onto a sysbus
//! device whose DMA reaches guest RAM through rivet-memory.

pub mod blk;
mod device;
pub mod model;

#[cfg(test)]
mod blk_tests;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
mod tests;

pub use device::VirtioState;
pub use model::VirtioMmioRegs;

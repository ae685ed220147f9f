//! The safe Rust API of rivet's C hwcore library (include/hwcore/):
//!
//! - [`qdev`]: devices ([`qdev::DeviceImpl`]: realize, reset) and their
//!   static properties ([`qdev_prop!`]);
//! - [`sysbus`]: MMIO regions and IRQ outputs of system-bus devices;
//! - [`irq`]: interrupt lines ([`irq::InterruptSource`]);
//! - [`iommu`]: DMA through the board's IOMMU, as vm-memory's `Iommu`
//!   ([`iommu::DeviceIommu`], the `iommu` link [`iommu::IommuLink`]); 64-bit
//!   hosts only, as vm-memory (rivet-memory's `guest_memory`).
//!
//! Its [`prelude`] also re-exports the preludes of the crates below it
//! (`rivet-util`, `rivet-qom`, `rivet-memory`, `rivet-migration`), which a
//! device uses anyway; a UART adds `rivet_chardev::prelude`.

#[cfg(target_pointer_width = "64")]
pub mod iommu;
pub mod irq;
pub mod qdev;
pub mod sysbus;

/// The raw bindings of `hwcore-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use hwcore_sys as bindings;

/// What a device crate usually needs: `use rivet_hwcore::prelude::*;`.
pub mod prelude {
    pub use crate::irq::InterruptSource;
    pub use crate::qdev::{DeviceImpl, DeviceMethods, DynamicProperty, PropertyInfo};
    pub use crate::qdev_prop;
    pub use crate::sysbus::{SysBusDevice, SysBusDeviceMethods};
    pub use rivet_memory::prelude::*;
    pub use rivet_migration::prelude::*;
    pub use rivet_qom::prelude::*;
    pub use rivet_util::prelude::*;
}

#[cfg(test)]
mod tests;

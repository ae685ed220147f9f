//! System-bus devices: the MMIO regions and IRQ outputs a device exports
//! for the board to map and wire.

use crate::irq::InterruptSource;
use crate::qdev::DeviceState;
use hwcore_sys as sys;
use rivet_memory::MemoryRegion;
use rivet_qom::{IsA, Object};

rivet_qom::c_object_type!(
    /// The C system-bus device type, `SysBusDevice` (C writes its MMIO and
    /// IRQ tables).
    SysBusDevice(sys::SysBusDevice) = sys::TYPE_SYS_BUS_DEVICE,
    isa: DeviceState, Object
);

/// What a system-bus device does with its regions and lines.
pub trait SysBusDeviceMethods: IsA<SysBusDevice> {
    /// Export `mr` as the next MMIO region (0, 1...).
    ///
    /// # Safety
    ///
    /// `mr` must be an initialised region that lives as long as the device
    /// (a field of it).
    unsafe fn init_mmio(&self, mr: &MemoryRegion) {
        // SAFETY: the device is live; mr lives as long (caller).
        unsafe { sys::sysbus_init_mmio(self.upcast().as_raw(), mr.as_mut_ptr()) };
    }

    /// Export `irq` as the next IRQ output (0, 1...); the board connects it.
    ///
    /// # Safety
    ///
    /// `irq` must live as long as the device (a field of it).
    unsafe fn init_irq(&self, irq: &InterruptSource) {
        // SAFETY: the device is live; irq lives as long (caller).
        unsafe { sys::sysbus_init_irq(self.upcast().as_raw(), irq.as_ptr()) };
    }

    /// Map MMIO region `n` at guest address `addr` (board wiring).
    fn mmio_map(&self, n: u32, addr: u64) {
        // SAFETY: a live device; C checks n.
        unsafe { sys::sysbus_mmio_map(self.upcast().as_raw(), n as i32, addr) };
    }

    /// Connect IRQ output `n` to `line` (board wiring).
    ///
    /// # Safety
    ///
    /// `line` must be NULL or a C IRQ that outlives the device.
    unsafe fn connect_irq(&self, n: u32, line: sys::IRQ) {
        // SAFETY: a live device; line as the caller promises.
        unsafe { sys::sysbus_connect_irq(self.upcast().as_raw(), n as i32, line) };
    }
}

impl<T: IsA<SysBusDevice>> SysBusDeviceMethods for T {}

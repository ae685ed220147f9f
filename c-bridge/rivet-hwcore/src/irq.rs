//! Interrupt lines.  A device's output is an [`InterruptSource`]: the C
//! core stores into it the line it is wired to (sysbus_connect_irq), and
//! the device raises and lowers it.  An unconnected source ignores changes.

use std::cell::Cell;

use hwcore_sys as sys;

/// An IRQ output of a device (a C `IRQ`, i.e. `IRQState *`, which the
/// board fills in when wiring).
#[repr(transparent)]
#[derive(Debug)]
pub struct InterruptSource(Cell<sys::IRQ>);

// Written out: `*mut T: Default` only exists from Rust 1.88, above our
// MSRV.
impl Default for InterruptSource {
    fn default() -> Self {
        Self(Cell::new(core::ptr::null_mut()))
    }
}

impl InterruptSource {
    /// An unconnected output: until the board connects it, driving it
    /// does nothing.
    ///
    /// ```
    /// let irq = rivet_hwcore::irq::InterruptSource::new();
    /// irq.raise();
    /// assert!(!irq.is_connected() && !irq.level());
    /// ```
    pub const fn new() -> Self {
        Self(Cell::new(std::ptr::null_mut()))
    }

    /// Drive the line to `level`.
    pub fn set(&self, level: bool) {
        // SAFETY: the line is NULL (a no-op in C) or a valid IRQ installed
        // by the board, which outlives the devices.
        unsafe { sys::irq_set(self.0.get(), i32::from(level)) };
    }

    /// The level the line was last driven to (false while unconnected).
    pub fn level(&self) -> bool {
        // SAFETY: as in set(); irq_get_level is a static inline reached
        // through bindgen's generated wrapper and only reads the line.
        unsafe { sys::irq_get_level(self.0.get()) != 0 }
    }

    /// Drive the line high.
    pub fn raise(&self) {
        // SAFETY: as in set(); irq_raise is a static inline reached through
        // bindgen's generated wrapper.
        unsafe { sys::irq_raise(self.0.get()) };
    }

    /// Drive the line low.
    pub fn lower(&self) {
        // SAFETY: as in set().
        unsafe { sys::irq_lower(self.0.get()) };
    }

    /// Raise then lower the line (an edge).
    pub fn pulse(&self) {
        // SAFETY: as in set().
        unsafe { sys::irq_pulse(self.0.get()) };
    }

    /// Whether the board connected the line.
    pub fn is_connected(&self) -> bool {
        !self.0.get().is_null()
    }

    /// The C slot, for `sysbus_init_irq`.
    pub(crate) fn as_ptr(&self) -> *mut sys::IRQ {
        self.0.as_ptr()
    }
}

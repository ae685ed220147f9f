//! The safe Rust API of rivet's C i2c library (include/i2c/): an I2C
//! target written in Rust, in safe code.
//!
//! A target is a device whose parent type is the C abstract type
//! `i2c-target` ([`I2CTargetDevice`]): that type owns the `address` and
//! `bus` properties, checks the address at realize and places the target
//! on its bus.  The Rust type implements [`I2CTarget`] (its default
//! address and what it does with the bus's events and bytes) on top of
//! [`DeviceImpl`], and registers with [`register_i2c_target`]:
//!
//! ```ignore
//! impl I2CTarget for Expander {
//!     const DEFAULT_ADDRESS: u8 = 0x20;
//!     fn send(&self, byte: u8) -> bool { self.write_port(byte); true }
//!     fn recv(&self) -> u8 { self.read_port() }
//! }
//! rivet_qom::module_init! {
//!     rivet_i2c::register_i2c_target::<Expander>();
//! }
//! ```
//!
//! [`I2CBus`] is the C bus, which the board's controller drives; Rust
//! uses it to put a target on a bus and to run transfers in tests.

use std::ffi::c_void;

use i2c_sys as sys;
use qom_sys::ObjectClass;
use rivet_hwcore::qdev::{init_device_class, lifecycle_hooks, DeviceImpl, DeviceState};
use rivet_qom::{IsA, Object};
use rivet_util::error::{Error, Result};

/// The raw bindings of `i2c-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use i2c_sys as bindings;

/// What an I2C target crate usually needs: `use rivet_i2c::prelude::*;`
/// next to `rivet_hwcore::prelude::*`.
pub mod prelude {
    pub use crate::{I2CBus, I2CEvent, I2CTarget, I2CTargetDevice, I2CTargetMethods};
}

rivet_qom::c_object_type!(
    /// The C abstract target type `i2c-target`, the parent of every I2C
    /// target (C writes its `address` and `bus` properties).
    I2CTargetDevice(sys::I2CTarget) = sys::TYPE_I2C_TARGET,
    isa: DeviceState, Object
);

rivet_qom::c_object_type!(
    /// The C I2C bus, `i2c-bus`: a controller drives it, the targets on it
    /// answer at their addresses.
    I2CBus(sys::I2CBus) = sys::TYPE_I2C_BUS,
    isa: Object
);

/// What the bus tells a target besides data bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2CEvent {
    /// Addressed (start or repeated start) for a write: bytes follow
    /// through [`I2CTarget::send`].
    StartWrite,
    /// Addressed (start or repeated start) for a read: the controller
    /// takes bytes through [`I2CTarget::recv`].
    StartRead,
    /// A stop ended the transfer the target was part of.
    Stop,
}

/// An I2C target written in Rust.  The bus calls it; each method runs
/// while the controller's register write that caused it is in progress.
pub trait I2CTarget: DeviceImpl + IsA<I2CTargetDevice> {
    /// The default of the `address` property (a 7-bit address).
    const DEFAULT_ADDRESS: u8;

    /// The target was addressed, or the transfer stopped.  Returning false
    /// NACKs the address (ignored for [`I2CEvent::Stop`]).  The default
    /// acknowledges.
    fn event(&self, event: I2CEvent) -> bool {
        let _ = event;
        true
    }

    /// The controller wrote `byte`; returning false NACKs it.  The default
    /// NACKs every byte (a read-only target).
    fn send(&self, byte: u8) -> bool {
        let _ = byte;
        false
    }

    /// The controller reads a byte.  The default is 0xff, an undriven bus.
    fn recv(&self) -> u8 {
        0xff
    }
}

/// # Safety
///
/// `target` must be a live instance of `T`.
unsafe extern "C" fn target_event<T: I2CTarget>(
    target: *mut sys::I2CTarget,
    event: sys::I2CEvent,
) -> bool {
    let event = match event {
        sys::I2CEvent::I2C_EVENT_START_WRITE => I2CEvent::StartWrite,
        sys::I2CEvent::I2C_EVENT_START_READ => I2CEvent::StartRead,
        sys::I2CEvent::I2C_EVENT_STOP => I2CEvent::Stop,
    };
    // SAFETY: target is a live T (caller).
    unsafe { &*target.cast::<T>() }.event(event)
}

/// # Safety
///
/// `target` must be a live instance of `T`.
unsafe extern "C" fn target_send<T: I2CTarget>(target: *mut sys::I2CTarget, byte: u8) -> bool {
    // SAFETY: target is a live T (caller).
    unsafe { &*target.cast::<T>() }.send(byte)
}

/// # Safety
///
/// `target` must be a live instance of `T`.
unsafe extern "C" fn target_recv<T: I2CTarget>(target: *mut sys::I2CTarget) -> u8 {
    // SAFETY: target is a live T (caller).
    unsafe { &*target.cast::<T>() }.recv()
}

/// # Safety
///
/// `klass` must be the class of `T`'s type, an `I2CTargetClass`.
unsafe extern "C" fn target_class_init<T: I2CTarget>(
    klass: *mut ObjectClass,
    _data: *const c_void,
) {
    // SAFETY: T's class is a device class, being initialised (caller).
    unsafe { init_device_class::<T>(klass) };
    // i2c-target's DeviceClass::realize stays: it checks the address and
    // joins the bus around the subtype's realize installed here.
    let (realize, unrealize) = lifecycle_hooks::<T>();
    let tc = klass.cast::<sys::I2CTargetClass>();
    // SAFETY: T derives from i2c-target (I2CTarget: IsA<I2CTargetDevice>),
    // so its class begins with I2CTargetClass, which C gives us to fill in.
    unsafe {
        (*tc).default_address = T::DEFAULT_ADDRESS;
        (*tc).event = Some(target_event::<T>);
        (*tc).send = Some(target_send::<T>);
        (*tc).recv = Some(target_recv::<T>);
        (*tc).realize = Some(realize);
        (*tc).unrealize = Some(unrealize);
    }
}

/// Register a Rust I2C target type.  Call it from
/// [`module_init!`](rivet_qom::module_init).
pub fn register_i2c_target<T: I2CTarget>() {
    rivet_qom::register(rivet_qom::type_info::<T>(Some(target_class_init::<T>)));
}

/// What any I2C target, Rust or C, offers.
pub trait I2CTargetMethods: IsA<I2CTargetDevice> + IsA<Object> {
    /// Put the target on `bus` (its `bus` link; it joins at realize).
    ///
    /// # Errors
    ///
    /// When the target is realized already.
    fn set_bus(&self, bus: &I2CBus) -> Result<()> {
        let obj = IsA::<Object>::upcast(self).as_raw();
        // SAFETY: both objects are live (we hold references); the link
        // takes its own reference to the bus.
        unsafe {
            Error::with_errp(|errp| {
                qom_sys::object_property_set_link(obj, c"bus".as_ptr(), bus.as_raw().cast(), errp)
            })
        }
        .map(drop)
    }

    /// The target's 7-bit address (its `address` property).
    fn address(&self) -> u8 {
        // SAFETY: reads one field of a live target; C writes it only
        // through the property, which cannot run meanwhile.
        unsafe { (*IsA::<I2CTargetDevice>::upcast(self).as_raw()).address }
    }
}

impl<T: IsA<I2CTargetDevice> + IsA<Object>> I2CTargetMethods for T {}

impl I2CBus {
    /// A start (or repeated start) to `address` for a read or a write;
    /// true when a target acknowledged.
    ///
    /// ```
    /// use rivet_i2c::I2CBus;
    ///
    /// let bus = rivet_qom::Owned::<I2CBus>::new().unwrap();
    /// assert!(!bus.start(0x20, true), "no target at 0x20: a NACK");
    /// assert_eq!(bus.recv(), 0xff, "nobody drives the bus");
    /// bus.stop();
    /// assert!(!bus.is_busy());
    /// ```
    pub fn start(&self, address: u8, read: bool) -> bool {
        // SAFETY: a live bus; C checks the address.
        unsafe { sys::i2c_bus_start(self.as_raw(), address, read) }
    }

    /// Send a byte to the addressed write target; true when acknowledged.
    pub fn send(&self, byte: u8) -> bool {
        // SAFETY: a live bus.
        unsafe { sys::i2c_bus_send(self.as_raw(), byte) }
    }

    /// Read a byte from the addressed read target (0xff when none).
    pub fn recv(&self) -> u8 {
        // SAFETY: a live bus.
        unsafe { sys::i2c_bus_recv(self.as_raw()) }
    }

    /// A stop condition.
    pub fn stop(&self) {
        // SAFETY: a live bus.
        unsafe { sys::i2c_bus_stop(self.as_raw()) }
    }

    /// Between a start and a stop.
    pub fn is_busy(&self) -> bool {
        // SAFETY: a live bus.
        unsafe { sys::i2c_bus_busy(self.as_raw()) }
    }
}

#[cfg(test)]
mod tests;

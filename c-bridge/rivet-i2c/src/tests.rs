//! A Rust I2C target on a C bus: addressing, bytes both ways, NACKs, the
//! events, the default address and the address checks of the C base type.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::ffi::CStr;
use std::sync::Once;

use rivet_hwcore::qdev::{DeviceImpl, DeviceMethods, DeviceState};
use rivet_qom::prelude::PinInit;
use rivet_qom::{IsA, Object, ObjectImpl, ObjectType, Owned, ParentField};
use rivet_util::error::{Error, Result};

use crate::{register_i2c_target, I2CBus, I2CEvent, I2CTarget, I2CTargetDevice, I2CTargetMethods};

/// A one-byte latch: a write stores the byte, a read returns it; the byte
/// 0xee is refused; `refuse_reads` NACKs its address for reads.
#[repr(C)]
struct Latch {
    parent_obj: ParentField<I2CTargetDevice>,
    value: Cell<u8>,
    refuse_reads: Cell<bool>,
    realized: Cell<u32>,
    events: RefCell<Vec<I2CEvent>>,
}

// SAFETY: instances of "rivet-test-i2c-latch" are Latch, registered by
// register_i2c_target with its size.
unsafe impl ObjectType for Latch {
    const TYPE_NAME: &'static CStr = c"rivet-test-i2c-latch";
}
rivet_qom::qom_isa!(Latch: I2CTargetDevice, DeviceState, Object);

/// Initialises the Rust fields in place, leaving the parent's struct to C.
struct LatchInit;

// SAFETY: writes each field after the parent once, in place, and never
// fails; none of them is structurally pinned.
unsafe impl PinInit<Latch> for LatchInit {
    unsafe fn __pinned_init(self, slot: *mut Latch) -> std::result::Result<(), Infallible> {
        // SAFETY: slot is valid for writes (the trait's contract).
        unsafe {
            (&raw mut (*slot).value).write(Cell::new(0));
            (&raw mut (*slot).refuse_reads).write(Cell::new(false));
            (&raw mut (*slot).realized).write(Cell::new(0));
            (&raw mut (*slot).events).write(RefCell::new(Vec::new()));
        }
        Ok(())
    }
}

impl ObjectImpl for Latch {
    type ParentType = I2CTargetDevice;
    fn init() -> impl PinInit<Self> {
        LatchInit
    }
}

impl DeviceImpl for Latch {
    fn realize(&self) -> Result<()> {
        self.realized.set(self.realized.get() + 1);
        Ok(())
    }
    fn reset(&self) {
        self.value.set(0);
    }
}

impl I2CTarget for Latch {
    const DEFAULT_ADDRESS: u8 = 0x50;

    fn event(&self, event: I2CEvent) -> bool {
        self.events.borrow_mut().push(event);
        !(event == I2CEvent::StartRead && self.refuse_reads.get())
    }
    fn send(&self, byte: u8) -> bool {
        if byte == 0xee {
            return false;
        }
        self.value.set(byte);
        true
    }
    fn recv(&self) -> u8 {
        self.value.get()
    }
}

fn new_latch() -> Owned<Latch> {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(register_i2c_target::<Latch>);
    Owned::<Latch>::new().unwrap()
}

fn set_address(latch: &Latch, address: u64) {
    let obj = IsA::<Object>::upcast(latch).as_raw();
    // SAFETY: a live object; errp follows the C convention.
    unsafe {
        Error::with_errp(|errp| {
            qom_sys::object_property_set_uint(obj, c"address".as_ptr(), address, errp)
        })
    }
    .unwrap();
}

#[test]
fn a_rust_target_takes_bytes_both_ways_and_sees_the_events() {
    let bus = Owned::<I2CBus>::new().unwrap();
    let latch = new_latch();
    assert_eq!(latch.address(), 0x50, "the default address is the target's");
    latch.set_bus(&bus).unwrap();
    latch.realize_device().unwrap();
    assert_eq!(latch.realized.get(), 1, "the Rust realize ran");

    assert!(bus.start(0x50, false));
    assert!(bus.is_busy());
    assert!(bus.send(0x5a));
    assert!(!bus.send(0xee), "the target NACKs a byte it refuses");
    assert!(bus.start(0x50, true), "repeated start for a read");
    assert_eq!(bus.recv(), 0x5a);
    bus.stop();
    assert!(!bus.is_busy());
    assert_eq!(
        *latch.events.borrow(),
        [I2CEvent::StartWrite, I2CEvent::StartRead, I2CEvent::Stop]
    );
}

#[test]
fn a_target_that_refuses_its_address_is_a_nack() {
    let bus = Owned::<I2CBus>::new().unwrap();
    let latch = new_latch();
    set_address(&latch, 0x51);
    latch.set_bus(&bus).unwrap();
    latch.realize_device().unwrap();
    latch.refuse_reads.set(true);
    assert!(!bus.start(0x51, true));
    assert_eq!(bus.recv(), 0xff, "nobody drives the bus");
    bus.stop();
    assert!(!bus.start(0x52, false), "no target at 0x52");
    bus.stop();
}

#[test]
fn the_c_base_type_checks_the_address_before_the_rust_realize() {
    let bus = Owned::<I2CBus>::new().unwrap();
    let first = new_latch();
    set_address(&first, 0x53);
    first.set_bus(&bus).unwrap();
    first.realize_device().unwrap();

    let second = new_latch();
    set_address(&second, 0x53);
    second.set_bus(&bus).unwrap();
    let err = second.realize_device().unwrap_err();
    assert!(
        err.to_string().contains("address 0x53 is taken"),
        "unexpected error: {err}"
    );
    assert_eq!(second.realized.get(), 0, "the Rust realize did not run");
    assert!(!second.is_realized());

    let unplaced = new_latch();
    assert!(unplaced.realize_device().is_err(), "no bus");
}

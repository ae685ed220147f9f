//! A Rust system-bus device registered with the C core: its static
//! properties, the realize/reset trampolines, its `registers` property and
//! its IRQ output, all driven through the C API.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::ffi::{c_int, c_void, CStr};
use std::sync::Once;

use rivet_qom::prelude::PinInit;
use rivet_qom::{IsA, Object, ObjectImpl, ObjectType, Owned, ParentField};
use rivet_util::error::{Error, Result};

use crate::irq::InterruptSource;
use crate::qdev::{
    register_device, DeviceImpl, DeviceMethods, DeviceState, DynamicProperty, PropertyInfo,
};
use crate::qdev_prop;
use crate::sysbus::{SysBusDevice, SysBusDeviceMethods};

#[repr(C)]
struct TestDev {
    parent_obj: ParentField<SysBusDevice>,
    width: Cell<u32>,
    enabled: Cell<bool>,
    resets: Cell<u32>,
    irq: InterruptSource,
    level: Cell<u8>,
    pins: [InterruptSource; 2],
}

// SAFETY: instances of "rivet-test-hwcore-dev" are TestDev, registered by
// register_device with its size.
unsafe impl ObjectType for TestDev {
    const TYPE_NAME: &'static CStr = c"rivet-test-hwcore-dev";
}
rivet_qom::qom_isa!(TestDev: SysBusDevice, DeviceState, Object);

/// Initialises the Rust fields in place, leaving the parent's struct to C.
struct TestDevInit;

// SAFETY: writes each field after the parent once, in place, and never
// fails; none of them is structurally pinned.
unsafe impl PinInit<TestDev> for TestDevInit {
    unsafe fn __pinned_init(self, slot: *mut TestDev) -> std::result::Result<(), Infallible> {
        // SAFETY: slot is valid for writes (the trait's contract).
        unsafe {
            (&raw mut (*slot).width).write(Cell::new(0));
            (&raw mut (*slot).enabled).write(Cell::new(false));
            (&raw mut (*slot).resets).write(Cell::new(0));
            (&raw mut (*slot).irq).write(InterruptSource::new());
            (&raw mut (*slot).level).write(Cell::new(0));
            (&raw mut (*slot).pins).write([InterruptSource::new(), InterruptSource::new()]);
        }
        Ok(())
    }
}

impl ObjectImpl for TestDev {
    type ParentType = SysBusDevice;
    fn init() -> impl PinInit<Self> {
        TestDevInit
    }
    fn instance_init(&self) {
        // SAFETY: the IRQ output and the pins are fields of the device.
        unsafe {
            self.init_irq(&self.irq);
            self.init_gpio_out(&self.pins);
        }
    }
}

impl DeviceImpl for TestDev {
    const PROPERTIES: &'static [PropertyInfo] = &[
        qdev_prop!(TestDev, width, c"width", default = 8),
        qdev_prop!(TestDev, enabled, c"enabled", default = true),
    ];
    const DYNAMIC_PROPERTIES: &'static [DynamicProperty<Self>] = &[DynamicProperty {
        name: c"level",
        description: c"a level, 0 or 1, that drives pin 1",
        ty: qom_sys::PropType::PROP_TYPE_UINT8,
        get: |dev| dev.level.get().into(),
        set: |dev, value| match value {
            0 | 1 => {
                dev.level.set(value as u8);
                dev.pins[1].set(value == 1);
                Ok(())
            }
            _ => Err(Error::new(format!(
                "hwcore-test: level {value} is not 0 or 1"
            ))),
        },
    }];
    const REGISTERS: Option<fn(&Self) -> String> =
        Some(|dev| format!("WIDTH={:#x} RESETS={}", dev.width.get(), dev.resets.get()));

    fn realize(&self) -> Result<()> {
        match self.width.get() {
            8 | 16 | 32 => Ok(()),
            w => Err(Error::new(format!(
                "hwcore-test: width {w} is not 8, 16 or 32"
            ))),
        }
    }
    fn reset(&self) {
        self.resets.set(self.resets.get() + 1);
        self.irq.lower();
    }
}

/// A new, unrealized TestDev (the type is registered on first use).
fn new_dev() -> Owned<TestDev> {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(register_device::<TestDev>);
    Owned::<TestDev>::new().unwrap()
}

fn obj(dev: &TestDev) -> *mut qom_sys::Object {
    IsA::<Object>::upcast(dev).as_raw()
}

fn set_uint(dev: &TestDev, name: &CStr, value: u64) -> Result<()> {
    // SAFETY: a live object; errp follows the C convention.
    unsafe {
        Error::with_errp(|errp| {
            qom_sys::object_property_set_uint(obj(dev), name.as_ptr(), value, errp)
        })
    }
    .map(drop)
}

fn get_uint(dev: &TestDev, name: &CStr) -> Result<u64> {
    // SAFETY: as in set_uint.
    unsafe {
        Error::with_errp(|errp| qom_sys::object_property_get_uint(obj(dev), name.as_ptr(), errp))
    }
}

extern "C" {
    fn free(ptr: *mut c_void);
}

fn get_str(dev: &TestDev, name: &CStr) -> Result<String> {
    // SAFETY: as in set_uint; the string is malloc'ed for the caller.
    let s = unsafe {
        Error::with_errp(|errp| qom_sys::object_property_get_str(obj(dev), name.as_ptr(), errp))
    }?;
    // SAFETY: a valid C string we own, freed once.
    unsafe {
        let text = CStr::from_ptr(s).to_string_lossy().into_owned();
        free(s.cast());
        Ok(text)
    }
}

#[test]
fn properties_start_at_their_defaults_and_are_set_through_c() {
    let dev = new_dev();
    assert_eq!((dev.width.get(), dev.enabled.get()), (8, true));
    set_uint(&dev, c"width", 16).unwrap();
    assert_eq!(dev.width.get(), 16);
    assert_eq!(get_uint(&dev, c"width"), Ok(16));
    // A uint32 property refuses what does not fit, and keeps its value.
    assert!(set_uint(&dev, c"width", 1 << 32).is_err());
    assert_eq!(dev.width.get(), 16);
}

#[test]
fn realize_reports_the_rust_error_and_leaves_the_device_unrealized() {
    let dev = new_dev();
    set_uint(&dev, c"width", 12).unwrap();
    assert_eq!(
        dev.realize_device(),
        Err(Error::new("hwcore-test: width 12 is not 8, 16 or 32"))
    );
    assert!(!dev.is_realized());
    set_uint(&dev, c"width", 32).unwrap();
    dev.realize_device().unwrap();
    assert!(dev.is_realized());
}

#[test]
fn reset_runs_the_rust_reset_and_registers_renders_it() {
    let dev = new_dev();
    assert_eq!(dev.resets.get(), 0);
    // device_realize resets the device it realized.
    dev.realize_device().unwrap();
    assert_eq!(get_str(&dev, c"registers").unwrap(), "WIDTH=0x8 RESETS=1");
    dev.reset_device();
    dev.reset_device();
    assert_eq!(dev.resets.get(), 3);
    assert_eq!(get_str(&dev, c"registers").unwrap(), "WIDTH=0x8 RESETS=3");
}

/// The levels a C IRQ line was driven to, in order.
unsafe extern "C" fn record_level(opaque: *mut c_void, _n: c_int, level: c_int) {
    // SAFETY: opaque is the RefCell given to irq_new, alive while the line is.
    unsafe { &*opaque.cast::<RefCell<Vec<c_int>>>() }
        .borrow_mut()
        .push(level);
}

#[test]
fn the_irq_output_drives_the_line_the_board_connects() {
    let dev = new_dev();
    dev.realize_device().unwrap();
    // Unconnected: changes go nowhere.
    dev.irq.raise();
    assert!(!dev.irq.is_connected() && !dev.irq.level());

    let levels = Box::new(RefCell::new(Vec::<c_int>::new()));
    // SAFETY: levels outlives the line, freed below.
    let line = unsafe {
        hwcore_sys::irq_new(
            Some(record_level),
            std::ptr::from_ref(&*levels).cast_mut().cast(),
            0,
        )
    };
    // SAFETY: the line outlives the device (freed after it).
    unsafe { dev.connect_irq(0, line) };
    assert!(dev.irq.is_connected());
    dev.irq.raise();
    assert!(dev.irq.level());
    dev.irq.pulse();
    dev.reset_device();
    assert!(!dev.irq.level());
    dev.irq.set(true);
    assert_eq!(*levels.borrow(), [1, 1, 0, 0, 1]);
    drop(dev);
    // SAFETY: made by irq_new; nothing drives it any more.
    unsafe { hwcore_sys::irq_free(line) };
}

#[test]
fn a_dynamic_property_is_set_after_realize_and_its_setter_decides() {
    let dev = new_dev();
    dev.realize_device().unwrap();
    // A static property is not writable any more; the dynamic one is.
    assert!(set_uint(&dev, c"width", 16).is_err());
    set_uint(&dev, c"level", 1).unwrap();
    assert_eq!(get_uint(&dev, c"level"), Ok(1));
    assert_eq!(
        set_uint(&dev, c"level", 2),
        Err(Error::new("hwcore-test: level 2 is not 0 or 1"))
    );
    // C checks the type's range before the setter sees the value.
    assert!(set_uint(&dev, c"level", 256).is_err());
    assert_eq!(dev.level.get(), 1);
}

#[test]
fn gpio_outputs_drive_the_lines_the_board_connects() {
    let dev = new_dev();
    dev.realize_device().unwrap();
    let levels = Box::new(RefCell::new(Vec::<c_int>::new()));
    // SAFETY: levels outlives the line, freed below.
    let line = unsafe {
        hwcore_sys::irq_new(
            Some(record_level),
            std::ptr::from_ref(&*levels).cast_mut().cast(),
            0,
        )
    };
    // SAFETY: the line outlives the device (freed after it).
    unsafe { dev.connect_gpio_out(1, line) };
    assert!(!dev.pins[0].is_connected() && dev.pins[1].is_connected());
    set_uint(&dev, c"level", 1).unwrap();
    set_uint(&dev, c"level", 0).unwrap();
    assert_eq!(*levels.borrow(), [1, 0]);
    drop(dev);
    // SAFETY: made by irq_new; nothing drives it any more.
    unsafe { hwcore_sys::irq_free(line) };
}

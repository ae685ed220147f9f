//! Devices: realize/reset/unrealize implemented in Rust, and static
//! properties (the `Property` tables of the C core) pointing at fields of
//! the Rust device struct.

use std::ffi::{c_void, CStr};

use hwcore_sys as sys;
use qom_sys::{ObjectClass, PropType};
use rivet_migration::VMStateDescription;
use rivet_qom::{self as qom, IsA, ObjectImpl, PropertyType};
use rivet_util::error::{Error, Result};

rivet_qom::c_object_type!(
    /// The C device base type, `DeviceState` (C writes it: `realized`, the
    /// parent bus).
    DeviceState(sys::DeviceState) = sys::TYPE_DEVICE,
    isa: qom::Object
);

/// A device implemented in Rust.
///
/// Register it with [`register_device`] from
/// [`module_init!`](rivet_qom::module_init).
pub trait DeviceImpl: ObjectImpl + IsA<DeviceState> {
    /// One-line description shown by the C core (`desc`).
    const DESCRIPTION: Option<&'static CStr> = None;
    /// The static properties, usually built with [`qdev_prop!`](crate::qdev_prop)
    /// (no end marker: it is added).
    const PROPERTIES: &'static [PropertyInfo] = &[];
    /// Renders the guest-visible registers for the read-only `registers`
    /// property (`DEVICE_PROP_REGISTERS` in include/hwcore/qdev.h:
    /// space-separated `NAME=VALUE` items, what `-d dev_regs` prints).
    /// `None`, the default, adds no such property.
    const REGISTERS: Option<fn(&Self) -> String> = None;
    /// The migration description (`dc->vmsd`), usually
    /// `Some(<Self as VMStateDescribed>::VMSD)` from `#[derive(VMState)]`.
    /// A twin gives the same section as its C counterpart.  `None` makes
    /// saving a machine with this device fail.
    const VMSD: Option<&'static VMStateDescription> = None;
    /// Properties that stay writable after realize, read and written
    /// through the device's own methods (an input level set from outside
    /// while the machine runs), unlike [`PROPERTIES`](Self::PROPERTIES),
    /// which are fields written before realize only.
    const DYNAMIC_PROPERTIES: &'static [DynamicProperty<Self>] = &[];

    /// Check the properties and finish setting up; on error the device
    /// stays unrealized, so change nothing before you know you succeed.
    ///
    /// # Errors
    ///
    /// A message naming the bad property value, shown as `rivet: <msg>`.
    fn realize(&self) -> Result<()> {
        Ok(())
    }
    /// Put every guest-visible register to its reset value.
    fn reset(&self) {}
    /// Undo `realize`.
    fn unrealize(&self) {}
}

/// # Safety
///
/// `dev` must be a live instance of `T`; errp as in the C convention.
unsafe extern "C" fn realize<T: DeviceImpl>(
    dev: *mut sys::DeviceState,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: dev is a live T (caller).
    let result = unsafe { &*dev.cast::<T>() }.realize();
    // SAFETY: errp comes from device_realize (caller).
    unsafe { Error::report(result, errp) }
}

/// # Safety
///
/// `dev` must be a live instance of `T`.
unsafe extern "C" fn reset<T: DeviceImpl>(dev: *mut sys::DeviceState) {
    // SAFETY: dev is a live T (caller).
    unsafe { &*dev.cast::<T>() }.reset();
}

/// # Safety
///
/// `dev` must be a live instance of `T`.
unsafe extern "C" fn unrealize<T: DeviceImpl>(dev: *mut sys::DeviceState) {
    // SAFETY: dev is a live T (caller).
    unsafe { &*dev.cast::<T>() }.unrealize();
}

/// The getter of the `registers` property: [`DeviceImpl::REGISTERS`]'s
/// text, handed to C as a malloc'ed string as getters must.
///
/// # Safety
///
/// `obj` must be a live instance of `T`, and `out` a valid `PropValue`.
unsafe extern "C" fn get_registers<T: DeviceImpl>(
    obj: *mut qom_sys::Object,
    _prop: *mut qom_sys::ObjectProperty,
    out: *mut qom_sys::PropValue,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // class_init installs this getter only when REGISTERS is set.
    let Some(render) = T::REGISTERS else {
        return false;
    };
    // SAFETY: obj is a live T (caller).
    let text = render(unsafe { &*obj.cast::<T>() });
    let result = std::ffi::CString::new(text)
        .map_err(|_| Error::new("registers text contains a NUL byte"))
        .and_then(|text| {
            // SAFETY: text is a valid C string; strdup copies it.
            let copy = unsafe { libc_strdup(text.as_ptr()) };
            if copy.is_null() {
                Err(Error::new("out of memory rendering the registers"))
            } else {
                Ok(copy)
            }
        });
    match result {
        Ok(copy) => {
            // SAFETY: out is valid (caller); C frees the string with free().
            unsafe { (*out).s = copy };
            true
        }
        Err(e) => {
            // SAFETY: errp follows the C convention (caller).
            unsafe { e.to_errp(errp) };
            false
        }
    }
}

extern "C" {
    #[link_name = "strdup"]
    fn libc_strdup(s: *const std::ffi::c_char) -> *mut std::ffi::c_char;
}

/// A property of a device of type `T` that stays writable after realize:
/// the C core parses the value and checks it against `ty`'s range, then
/// `set` decides (and may refuse it with a one-line error).  Only unsigned
/// types (`PROP_TYPE_UINT8`..`PROP_TYPE_UINT64`).
pub struct DynamicProperty<T> {
    /// The property's name, e.g. `c"in3"`.
    pub name: &'static CStr,
    /// What it is, for help output.
    pub description: &'static CStr,
    /// Its C type, an unsigned integer type.
    pub ty: PropType,
    /// Reads the value.
    pub get: fn(&T) -> u64,
    /// Applies a value (already in `ty`'s range).
    pub set: fn(&T, u64) -> Result<()>,
}

impl<T> std::fmt::Debug for DynamicProperty<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicProperty")
            .field("name", &self.name)
            .field("type", &self.ty)
            .finish_non_exhaustive()
    }
}

/// # Safety
///
/// `obj` must be a live instance of `T`, `prop` one of `T`'s dynamic
/// properties (its opaque a `&'static DynamicProperty<T>`), `out` valid.
unsafe extern "C" fn get_dynamic<T: DeviceImpl>(
    obj: *mut qom_sys::Object,
    prop: *mut qom_sys::ObjectProperty,
    out: *mut qom_sys::PropValue,
    _errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: opaque is the 'static DynamicProperty<T> that init_device_class
    // installed, obj a live T, out valid (caller).
    unsafe {
        let p = &*(*prop).opaque.cast::<DynamicProperty<T>>();
        (*out).u = (p.get)(&*obj.cast::<T>());
    }
    true
}

/// # Safety
///
/// As for [`get_dynamic`], with `value` a valid `PropValue`.
unsafe extern "C" fn set_dynamic<T: DeviceImpl>(
    obj: *mut qom_sys::Object,
    prop: *mut qom_sys::ObjectProperty,
    value: *const qom_sys::PropValue,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: as in get_dynamic.
    let (p, dev, value) = unsafe {
        (
            &*(*prop).opaque.cast::<DynamicProperty<T>>(),
            &*obj.cast::<T>(),
            (*value).u,
        )
    };
    // SAFETY: errp follows the C convention (caller).
    unsafe { Error::report((p.set)(dev, value), errp) }
}

/// The C realize hook of a device type (`DeviceRealize`).
pub type RealizeHook =
    unsafe extern "C" fn(*mut sys::DeviceState, *mut *mut util_sys::Error) -> bool;
/// The C unrealize hook of a device type (`DeviceUnrealize`).
pub type UnrealizeHook = unsafe extern "C" fn(*mut sys::DeviceState);

/// The C realize and unrealize hooks of `T`, for a bus's target type whose
/// base class owns `DeviceClass::realize` and calls its subtype's (the I2C
/// target places the device on its bus first: `rivet-i2c`).
pub fn lifecycle_hooks<T: DeviceImpl>() -> (RealizeHook, UnrealizeHook) {
    (realize::<T>, unrealize::<T>)
}

/// # Safety
///
/// `klass` must be the class of `T`'s type, a `DeviceClass` (T: IsA<DeviceState>).
unsafe extern "C" fn class_init<T: DeviceImpl>(klass: *mut ObjectClass, _data: *const c_void) {
    let dc = klass.cast::<sys::DeviceClass>();
    // SAFETY: the class of a device type begins with DeviceClass, and C
    // gives it to us to fill in during class_init.
    unsafe {
        (*dc).realize = Some(realize::<T>);
        (*dc).unrealize = Some(unrealize::<T>);
        init_device_class::<T>(klass);
    }
}

/// Fill in a device class from `T`'s [`DeviceImpl`], all but realize and
/// unrealize ([`lifecycle_hooks`]): reset, description, migration,
/// static, dynamic and `registers` properties.  The class_init of every
/// Rust device type calls it.
///
/// # Safety
///
/// `klass` must be the class of `T`'s type, a `DeviceClass` (T:
/// IsA<DeviceState>), during its class_init.
pub unsafe fn init_device_class<T: DeviceImpl>(klass: *mut ObjectClass) {
    let dc = klass.cast::<sys::DeviceClass>();
    // SAFETY: the class of a device type begins with DeviceClass, and C
    // gives it to us to fill in during class_init (caller).
    unsafe {
        (*dc).reset = Some(reset::<T>);
        if let Some(desc) = T::DESCRIPTION {
            (*dc).desc = desc.as_ptr();
        }
        if let Some(vmsd) = T::VMSD {
            (*dc).vmsd = vmsd;
        }
    }
    if T::REGISTERS.is_some() {
        // SAFETY: klass is T's class, being initialised; the name and
        // description are 'static, and get_registers::<T> only ever sees
        // instances of T.
        unsafe {
            qom_sys::object_class_property_add(
                klass,
                sys::DEVICE_PROP_REGISTERS.as_ptr(),
                PropType::PROP_TYPE_STRING,
                Some(get_registers::<T>),
                None,
                std::ptr::null_mut(),
                c"guest-visible registers (read-only)".as_ptr(),
            );
        }
    }
    for p in T::DYNAMIC_PROPERTIES {
        // SAFETY: klass is T's class, being initialised; the name,
        // description and opaque are 'static, and the accessors only ever
        // see instances of T.
        unsafe {
            qom_sys::object_class_property_add(
                klass,
                p.name.as_ptr(),
                p.ty,
                Some(get_dynamic::<T>),
                Some(set_dynamic::<T>),
                std::ptr::from_ref(p).cast_mut().cast(),
                p.description.as_ptr(),
            );
        }
    }
    if !T::PROPERTIES.is_empty() {
        // C wants an array ending with an entry whose name is NULL; it is
        // kept for the program's lifetime.
        let mut props: Vec<sys::Property> = T::PROPERTIES
            .iter()
            // SAFETY: Property is plain data (numbers and pointers to
            // 'static strings); bindgen does not derive Copy for it only
            // because PropType comes from another crate.
            .map(|p| unsafe { std::ptr::read(&raw const p.0) })
            .collect();
        props.push(sys::Property {
            name: std::ptr::null(),
            type_: PropType::PROP_TYPE_BOOL,
            offset: 0,
            defval: 0,
            defstr: std::ptr::null(),
            link_type: std::ptr::null(),
            description: std::ptr::null(),
        });
        let props: &'static [sys::Property] = Vec::leak(props);
        // SAFETY: dc is T's DeviceClass; props is terminated and 'static.
        unsafe { sys::device_class_set_props(dc, props.as_ptr()) };
    }
}

/// Register a Rust device type.  Call it from
/// [`module_init!`](rivet_qom::module_init).
pub fn register_device<T: DeviceImpl>() {
    qom::register(qom::type_info::<T>(Some(class_init::<T>)));
}

/// One static property of a device: a C `Property`.
#[repr(transparent)]
pub struct PropertyInfo(sys::Property);

// SAFETY: a Property only holds pointers to 'static strings.
unsafe impl Sync for PropertyInfo {}

impl PropertyInfo {
    /// The property `name` on the field at `offset` of the device struct
    /// `S`.  `field` only ties the field's type to `T`; use
    /// [`qdev_prop!`](crate::qdev_prop) rather than calling this.
    ///
    /// # Safety
    ///
    /// `offset` must be the offset in `S` of the field that `field` returns.
    #[doc(hidden)]
    pub const unsafe fn for_field<S, T: PropertyType>(
        name: &'static CStr,
        offset: usize,
        default: u64,
        _field: fn(&S) -> &T,
    ) -> Self {
        Self(sys::Property {
            name: name.as_ptr(),
            type_: T::TYPE,
            offset,
            defval: default,
            defstr: std::ptr::null(),
            link_type: match T::LINK_TYPE {
                Some(t) => t.as_ptr(),
                None => std::ptr::null(),
            },
            description: std::ptr::null(),
        })
    }

    /// The same property with a description (shown in help output).
    pub const fn with_description(mut self, description: &'static CStr) -> Self {
        self.0.description = description.as_ptr();
        self
    }

    /// The property's name.
    pub fn name(&self) -> &'static CStr {
        // SAFETY: built from a &'static CStr in for_field.
        unsafe { CStr::from_ptr(self.0.name) }
    }
}

impl std::fmt::Debug for PropertyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PropertyInfo")
            .field("name", &self.name())
            .field("type", &self.0.type_)
            .field("offset", &self.0.offset)
            .field("default", &self.0.defval)
            .finish()
    }
}

/// A static property on a field of a device struct:
/// `qdev_prop!(Hpet, num_timers, c"timers", default = 3)` or
/// `qdev_prop!(Pl011, chr, c"chardev")` (default 0 / no link).
///
/// The field must be a `Cell` of `bool`, `u8`..`u64`, `i64`, or a link
/// such as `rivet_chardev::ChardevLink`.
#[macro_export]
macro_rules! qdev_prop {
    ($state:ty, $field:ident, $name:expr $(, default = $default:expr)? $(,)?) => {{
        // The caller's expressions are evaluated outside the unsafe block,
        // so they cannot hide unsafe code in it.
        let name: &'static ::core::ffi::CStr = $name;
        let default: u64 = 0 $(+ ($default) as u64)?;
        // SAFETY: the offset and the field accessor name the same field.
        unsafe {
            $crate::qdev::PropertyInfo::for_field::<$state, _>(
                name,
                ::core::mem::offset_of!($state, $field),
                default,
                |s: &$state| &s.$field,
            )
        }
    }};
}

/// Device methods for any device, Rust or C.
pub trait DeviceMethods: IsA<DeviceState> + IsA<qom::Object> {
    /// Realize the device (`device_realize`).
    ///
    /// # Errors
    ///
    /// The device's realize error; the device stays unrealized.
    fn realize_device(&self) -> Result<()> {
        let dev = IsA::<DeviceState>::upcast(self).as_raw();
        // SAFETY: dev is a live device (we have a reference to it).
        unsafe { Error::with_errp(|errp| sys::device_realize(dev, errp)) }.map(drop)
    }

    /// Reset the device (`device_reset`).
    fn reset_device(&self) {
        // SAFETY: a live device.
        unsafe { sys::device_reset(IsA::<DeviceState>::upcast(self).as_raw()) };
    }

    /// Export `pins` as the device's GPIO outputs 0..`pins.len()`, which
    /// the board connects to other devices' inputs.
    ///
    /// # Safety
    ///
    /// `pins` must live as long as the device (a field of it).
    unsafe fn init_gpio_out(&self, pins: &[crate::irq::InterruptSource]) {
        let n = i32::try_from(pins.len()).expect("fewer GPIO outputs than DEVICE_MAX_GPIO");
        // SAFETY: a live device; InterruptSource is a transparent Cell of
        // an IRQ, so the slice is the IRQ array C stores pointers into,
        // which lives as long as the device (caller).
        unsafe {
            sys::qdev_init_gpio_out(
                IsA::<DeviceState>::upcast(self).as_raw(),
                pins.as_ptr().cast::<sys::IRQ>().cast_mut(),
                n,
            );
        }
    }

    /// Connect GPIO output `n` to `line` (board wiring).
    ///
    /// # Safety
    ///
    /// `line` must be NULL or a C IRQ that outlives the device.
    unsafe fn connect_gpio_out(&self, n: u32, line: sys::IRQ) {
        // SAFETY: a live device; C checks n; line as the caller promises.
        unsafe {
            sys::qdev_connect_gpio_out(IsA::<DeviceState>::upcast(self).as_raw(), n as i32, line);
        }
    }

    /// Whether the device is realized.
    fn is_realized(&self) -> bool {
        // SAFETY: reads one field of a live device; C writes it only from
        // device_realize/unrealize, which cannot be running meanwhile
        // (single-threaded, and not re-entered from here).
        unsafe { (*IsA::<DeviceState>::upcast(self).as_raw()).realized }
    }
}

impl<T: IsA<DeviceState> + IsA<qom::Object>> DeviceMethods for T {}

//! The safe Rust API of rivet's C qom library (include/qom/): QOM object
//! types defined in Rust, their registration, and the field types a
//! static property can point at ([`PropertyType`]).
//!
//! A Rust object type is a `#[repr(C)]` struct whose first field is a
//! [`ParentField`] holding the C parent's instance struct (the layout rule
//! that makes QOM casts work).  It implements [`ObjectType`] (its type
//! name), [`IsA`] for each ancestor, [`Zeroable`] (QOM hands out
//! zero-filled memory) and [`ObjectImpl`] (its parent and hooks).
//! Registration runs before `main()` from [`module_init!`]:
//!
//! ```ignore
//! rivet_qom::module_init! {
//!     rivet_hwcore::qdev::register_device::<Pl011>();
//! }
//! ```

use std::ffi::{c_void, CStr};
use std::ptr::NonNull;

use std::cell::Cell;

use qom_sys as sys;
use rivet_util::cell::{Opaque, Zeroable};
use rivet_util::error::{Error, Result};

/// The raw bindings of `qom-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use qom_sys as bindings;
pub use qom_sys::PropType;

/// What a device crate usually needs from this crate.
pub mod prelude {
    pub use crate::{module_init, qom_isa, IsA, ObjectImpl, ObjectType, ParentField};
}

/// A QOM type: its instances can be cast to and from `Object`.
///
/// # Safety
///
/// `TYPE_NAME` must be the QOM type whose instances have the layout of
/// `Self`, and `Self` must be `#[repr(C)]` beginning with `Object` (through
/// its parents' structs).
pub unsafe trait ObjectType: Sized {
    /// The QOM type name, as used by `object_new` and the board.
    const TYPE_NAME: &'static CStr;
}

/// `Self` derives from `P`: a pointer to `Self` is a valid pointer to `P`.
///
/// # Safety
///
/// `Self` must begin with `P`'s instance struct (directly or through
/// intermediate parents), and the QOM type of `Self` must derive from `P`'s.
pub unsafe trait IsA<P: ObjectType>: ObjectType {
    /// This object seen as its ancestor `P`.
    fn upcast(&self) -> &P {
        // SAFETY: Self begins with P (trait contract).
        unsafe { &*std::ptr::from_ref(self).cast::<P>() }
    }
}

// SAFETY: a type begins with itself.
unsafe impl<T: ObjectType> IsA<T> for T {}

/// The Rust face of a QOM type defined in C: a `#[repr(transparent)]`
/// wrapper of an [`Opaque`] of its C instance struct, so an upcast never
/// makes a `&` to memory that C writes; `as_raw()` gives the C pointer.
///
/// `c_object_type!(DeviceState(sys::DeviceState) = sys::TYPE_DEVICE,
/// isa: Object)` also implements [`IsA`] for the ancestors listed, whose
/// structs the C struct must begin with (as for [`qom_isa!`]).
#[macro_export]
macro_rules! c_object_type {
    ($(#[$doc:meta])* $name:ident($raw:ty) = $type_name:expr $(, isa: $($parent:ty),+)? $(,)?) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Debug)]
        pub struct $name($crate::__Opaque<$raw>);

        impl $name {
            /// The C pointer, for calling C.
            pub const fn as_raw(&self) -> *mut $raw {
                self.0.as_mut_ptr()
            }
        }

        // SAFETY: the instances of $type_name are $raw (the caller names
        // the pair), which $name wraps transparently.
        unsafe impl $crate::ObjectType for $name {
            const TYPE_NAME: &'static ::core::ffi::CStr = $type_name;
        }
        $($crate::qom_isa!($name: $($parent),+);)?
    };
}

#[doc(hidden)]
pub use rivet_util::cell::Opaque as __Opaque;

c_object_type!(
    /// The C root type, `Object`.  C changes it behind Rust's back
    /// (reference count, property list).
    Object(sys::Object) = sys::TYPE_OBJECT
);

/// Declare the ancestors of a type: `rivet_qom::qom_isa!(Pl011: SysBusDevice,
/// DeviceState, Object);` implements [`IsA`] for each.
///
/// Only correct when the type's first field is its parent's struct, which
/// [`ObjectImpl`] types guarantee with a first [`ParentField`].
#[macro_export]
macro_rules! qom_isa {
    ($t:ty : $($parent:ty),+ $(,)?) => {
        $(
            // SAFETY: $t is #[repr(C)] and begins with $parent's struct
            // (its ParentField chain), as the macro's caller states.
            unsafe impl $crate::IsA<$parent> for $t {}
        )+
    };
}

/// The first field of a Rust object type: the C parent's instance struct,
/// initialised and owned by the C core.
#[repr(transparent)]
pub struct ParentField<T: ObjectType>(Opaque<T>);

impl<T: ObjectType> ParentField<T> {
    /// A raw pointer to the parent struct.
    pub const fn as_mut_ptr(&self) -> *mut T {
        self.0.as_mut_ptr()
    }
}

impl<T: ObjectType> std::fmt::Debug for ParentField<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParentField({:?})", T::TYPE_NAME)
    }
}

// SAFETY: Opaque is zeroable; QOM zero-fills instances before the parent's
// instance_init runs.
unsafe impl<T: ObjectType> Zeroable for ParentField<T> {}

/// A QOM object type implemented in Rust.
///
/// Instances are allocated zero-filled by the C core, the parents'
/// `instance_init` run, then [`instance_init`](Self::instance_init) runs
/// on the Rust struct: all its fields are valid (zeroed) by then, which is
/// what [`Zeroable`] promises.  The instance never moves until it is freed,
/// so C may keep pointers into it (regions, timers, frontends).
pub trait ObjectImpl: ObjectType + IsA<Object> + Zeroable + 'static {
    /// The parent type (its struct is this type's first field).
    type ParentType: ObjectType;
    /// Whether the type is abstract (no instances).
    const ABSTRACT: bool = false;

    /// Called once the instance is allocated: set up embedded C structures
    /// (regions, IRQ outputs, timers) and defaults.
    fn instance_init(&self) {}
    /// Called after every type's `instance_init` (e.g. to add properties).
    fn instance_post_init(&self) {}
    /// Called on the last unref, before the fields are dropped and the
    /// memory freed.  Rarely needed: the fields release what they hold
    /// when they are dropped (a `MemoryRegion` is destroyed, a
    /// [`Timer`](rivet_util::timer::Timer) deleted, a `CharFrontend`
    /// detached).
    fn instance_finalize(&self) {}
}

/// # Safety
///
/// `obj` must be an instance of `T`'s QOM type.
unsafe extern "C" fn instance_init<T: ObjectImpl>(obj: *mut sys::Object) {
    // SAFETY: obj is a zero-filled instance of T (caller), and T is
    // Zeroable, so the reference is to a valid T.
    unsafe { &*obj.cast::<T>() }.instance_init();
}

/// # Safety
///
/// `obj` must be an initialised instance of `T`'s QOM type.
unsafe extern "C" fn instance_post_init<T: ObjectImpl>(obj: *mut sys::Object) {
    // SAFETY: obj is a live instance of T (caller).
    unsafe { &*obj.cast::<T>() }.instance_post_init();
}

/// # Safety
///
/// `obj` must be an initialised instance of `T`'s QOM type, on its last
/// unref (nothing uses it afterwards but the parents' finalize, which sees
/// only the parent struct).
unsafe extern "C" fn instance_finalize<T: ObjectImpl>(obj: *mut sys::Object) {
    let this = obj.cast::<T>();
    // SAFETY: obj is a live instance of T (caller).
    unsafe { &*this }.instance_finalize();
    // SAFETY: the last use of the T (caller): its fields are dropped once,
    // here, and C then frees the memory without looking at them.  The
    // ParentField is an Opaque, which drops nothing, so the parents'
    // finalize still finds its struct intact.
    unsafe { std::ptr::drop_in_place(this) };
}

/// The C `TypeInfo` of `T`, with `class_init` as given (or none).
pub fn type_info<T: ObjectImpl>(
    class_init: Option<unsafe extern "C" fn(*mut sys::ObjectClass, *const c_void)>,
) -> sys::TypeInfo {
    sys::TypeInfo {
        name: T::TYPE_NAME.as_ptr(),
        parent: T::ParentType::TYPE_NAME.as_ptr(),
        instance_size: size_of::<T>(),
        class_size: 0,
        abstract_: T::ABSTRACT,
        class_init,
        class_data: std::ptr::null(),
        instance_init: Some(instance_init::<T>),
        instance_post_init: Some(instance_post_init::<T>),
        instance_finalize: Some(instance_finalize::<T>),
    }
}

/// Register a `TypeInfo` with the C core; it is kept for the program's
/// lifetime as C requires.
pub fn register(info: sys::TypeInfo) {
    let info: &'static sys::TypeInfo = Box::leak(Box::new(info));
    // SAFETY: info is valid forever (leaked), with 'static type names.
    unsafe { sys::type_register_static(info) };
}

/// Run code before `main()`, from an ELF constructor: where Rust device
/// crates register their QOM types, as C files do with
/// `__attribute__((constructor))`.  The C board looks types up by name
/// only, so the root crate of the emulator names each device crate to get
/// it linked (c-bridge/link).
///
/// ```
/// rivet_qom::module_init! {
///     // rivet_hwcore::qdev::register_device::<MyDevice>();
/// }
/// ```
#[macro_export]
macro_rules! module_init {
    ($($body:tt)*) => {
        const _: () = {
            extern "C" fn __rivet_module_init() {
                $($body)*
            }
            #[used]
            #[cfg_attr(not(target_vendor = "apple"), link_section = ".init_array")]
            #[cfg_attr(target_vendor = "apple", link_section = "__DATA,__mod_init_func")]
            static __RIVET_MODULE_INIT: extern "C" fn() = __rivet_module_init;
        };
    };
}

/// An owned reference to a QOM object (one refcount), dropped with
/// `object_unref`.
pub struct Owned<T: ObjectType> {
    ptr: NonNull<T>,
}

impl<T: ObjectType + IsA<Object>> Owned<T> {
    /// Create an instance of `T`'s QOM type (`object_new`).
    ///
    /// # Errors
    ///
    /// When the type is unknown or abstract.
    pub fn new() -> Result<Self> {
        // SAFETY: a valid type name; errp follows the C convention.
        let obj = unsafe { Error::with_errp(|errp| sys::object_new(T::TYPE_NAME.as_ptr(), errp)) }?;
        let ptr = NonNull::new(obj.cast::<T>())
            .ok_or_else(|| Error::new("object_new returned no object"))?;
        Ok(Self { ptr })
    }
}

impl<T: ObjectType> std::ops::Deref for Owned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: we hold a reference, so the object is alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: ObjectType> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: we own one reference.
        unsafe { sys::object_unref(self.ptr.as_ptr().cast()) };
    }
}

/// A field type that a static property can point at.
///
/// # Safety
///
/// `TYPE` must describe the memory layout the C core reads and writes for
/// that property type (`bool`, `uint8_t`... `int64_t`, an `Object *` for
/// links), and the type must allow writes through a shared reference
/// (C sets properties while Rust may hold `&device`): use `Cell`s.
pub unsafe trait PropertyType {
    /// The C property type.
    const TYPE: PropType;
    /// For links: the QOM type the target must have.
    const LINK_TYPE: Option<&'static CStr> = None;
}

macro_rules! property_type {
    ($($t:ty => $p:ident),* $(,)?) => {
        $(
            // SAFETY: Cell<$t> has the layout of $t, the C type of $p, and
            // is written through shared references by design.
            unsafe impl PropertyType for Cell<$t> {
                const TYPE: PropType = PropType::$p;
            }
        )*
    };
}
property_type!(
    bool => PROP_TYPE_BOOL,
    u8 => PROP_TYPE_UINT8,
    u16 => PROP_TYPE_UINT16,
    u32 => PROP_TYPE_UINT32,
    u64 => PROP_TYPE_UINT64,
    i64 => PROP_TYPE_INT64,
);

// SAFETY: a link field is an Object pointer, in a Cell.
unsafe impl PropertyType for Cell<*mut sys::Object> {
    const TYPE: PropType = PropType::PROP_TYPE_LINK;
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    static DROPPED: AtomicU32 = AtomicU32::new(0);

    /// A field that counts its drops.
    struct DropCounter(Cell<u32>);
    // SAFETY: a Cell<u32> is valid zeroed.
    unsafe impl Zeroable for DropCounter {}
    impl Drop for DropCounter {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[repr(C)]
    struct Counted {
        parent_obj: ParentField<Object>,
        field: DropCounter,
    }
    // SAFETY: both fields are valid zeroed.
    unsafe impl Zeroable for Counted {}
    // SAFETY: instances of "rivet-test-counted" are Counted, registered
    // below with its size.
    unsafe impl ObjectType for Counted {
        const TYPE_NAME: &'static CStr = c"rivet-test-counted";
    }
    // SAFETY: Counted begins with Object.
    unsafe impl IsA<Object> for Counted {}
    impl ObjectImpl for Counted {
        type ParentType = Object;
    }

    #[test]
    fn finalize_drops_the_rust_fields() {
        register(type_info::<Counted>(None));
        for n in 1..=3 {
            let obj = Owned::<Counted>::new().unwrap();
            obj.field.0.set(n);
            drop(obj);
            assert_eq!(DROPPED.load(Ordering::Relaxed), n);
        }
    }
}

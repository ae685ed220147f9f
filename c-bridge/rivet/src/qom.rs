//! QOM object types defined in Rust, and their registration.
//!
//! A Rust object type is a `#[repr(C)]` struct whose first field is a
//! [`ParentField`] holding the C parent's instance struct (the layout rule
//! that makes QOM casts work).  It implements [`ObjectType`] (its type
//! name), [`IsA`] for each ancestor, [`Zeroable`] (QOM hands out
//! zero-filled memory) and [`ObjectImpl`] (its parent and hooks).
//! Registration runs before `main()` from [`module_init!`](crate::module_init):
//!
//! ```ignore
//! rivet::module_init! {
//!     rivet::qdev::register_device::<Pl011>();
//! }
//! ```

use std::ffi::{c_void, CStr};
use std::ptr::NonNull;

use crate::cell::{Opaque, Zeroable};
use crate::error::{Error, Result};
use qom_sys as sys;

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

    /// A raw pointer to the ancestor `P`, for passing to C.
    fn as_ptr_of(&self) -> *mut P {
        std::ptr::from_ref(self).cast::<P>().cast_mut()
    }
}

// SAFETY: a type begins with itself.
unsafe impl<T: ObjectType> IsA<T> for T {}

/// The C root type.
pub type Object = sys::Object;

// SAFETY: TYPE_OBJECT's instance struct is Object.
unsafe impl ObjectType for Object {
    const TYPE_NAME: &'static CStr = sys::TYPE_OBJECT;
}

/// Declare the ancestors of a type: `rivet::qom_isa!(Pl011: SysBusDevice,
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
            unsafe impl $crate::qom::IsA<$parent> for $t {}
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
    /// Called on the last unref, before the memory is freed: undo what
    /// `instance_init` set up (delete timers).  The Rust fields are dropped
    /// right after it returns, which destroys the
    /// [`MemoryRegion`](crate::memory::MemoryRegion)s among them.
    fn instance_finalize(&self) {}
}

/// # Safety
///
/// `obj` must be an instance of `T`'s QOM type.
unsafe extern "C" fn instance_init<T: ObjectImpl>(obj: *mut Object) {
    // SAFETY: obj is a zero-filled instance of T (caller), and T is
    // Zeroable, so the reference is to a valid T.
    unsafe { &*obj.cast::<T>() }.instance_init();
}

/// # Safety
///
/// `obj` must be an initialised instance of `T`'s QOM type.
unsafe extern "C" fn instance_post_init<T: ObjectImpl>(obj: *mut Object) {
    // SAFETY: obj is a live instance of T (caller).
    unsafe { &*obj.cast::<T>() }.instance_post_init();
}

/// # Safety
///
/// `obj` must be an initialised instance of `T`'s QOM type.
unsafe extern "C" fn instance_finalize<T: ObjectImpl>(obj: *mut Object) {
    // SAFETY: obj is a live instance of T (caller).
    unsafe { &*obj.cast::<T>() }.instance_finalize();
    // The C core frees the instance with free() once the parents'
    // finalizers ran, without ever running Rust's drop glue: drop the
    // fields here, so what they own is released as the C twins release it
    // in their finalizers (a MemoryRegion's name, issue 9 item 16).
    // SAFETY: obj is a valid T that nothing uses as a T any more: the
    // parents' finalizers only touch the parent struct, a ParentField
    // (Opaque) whose drop does nothing.  It is not dropped twice: C frees
    // the memory without dropping.
    unsafe { std::ptr::drop_in_place(obj.cast::<T>()) };
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

/// Register a plain (non-device) Rust object type.  Call it from
/// [`module_init!`](crate::module_init).
pub fn register_type<T: ObjectImpl>() {
    register(type_info::<T>(None));
}

/// Run code before `main()`, from an ELF constructor: where Rust device
/// crates register their QOM types, as C files do with
/// `__attribute__((constructor))`.  The C board looks types up by name
/// only, so the root crate of the emulator names each device crate to get
/// it linked (c-bridge/link).
///
/// ```
/// rivet::module_init! {
///     // rivet::qdev::register_device::<MyDevice>();
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

    /// The object as a C `Object *`.
    pub fn as_object_ptr(&self) -> *mut Object {
        self.ptr.as_ptr().cast()
    }

    /// Set a property from text, as `-machine` or `-device` options do.
    ///
    /// # Errors
    ///
    /// When there is no such property or the text is not a valid value.
    pub fn set_property(&self, name: &CStr, text: &CStr) -> Result<()> {
        // SAFETY: the object is alive (we hold a reference); strings are
        // valid C strings.
        unsafe {
            Error::with_errp(|errp| {
                sys::object_property_parse(self.as_object_ptr(), name.as_ptr(), text.as_ptr(), errp)
            })
        }
        .map(drop)
    }

    /// A property's value rendered as text.
    ///
    /// # Errors
    ///
    /// When there is no such property or it cannot be read.
    pub fn property(&self, name: &CStr) -> Result<String> {
        // SAFETY: the object is alive; the result is a malloc'ed string or
        // NULL with an error.
        let s = unsafe {
            Error::with_errp(|errp| {
                sys::object_property_print(self.as_object_ptr(), name.as_ptr(), errp)
            })
        }?;
        if s.is_null() {
            return Ok(String::new());
        }
        // SAFETY: s is a valid C string that we own.
        let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
        // SAFETY: s came from malloc in the C core.
        unsafe { libc_free(s.cast()) };
        Ok(text)
    }
}

extern "C" {
    #[link_name = "free"]
    fn libc_free(p: *mut c_void);
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

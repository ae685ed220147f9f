//! The safe Rust API of rivet's C qom library (include/qom/): QOM object
//! types defined in Rust, their registration, and the field types a
//! static property can point at ([`PropertyType`]).
//!
//! A Rust object type is a `#[repr(C)]` struct whose first field is a
//! [`ParentField`] holding the C parent's instance struct (the layout rule
//! that makes QOM casts work).  It implements [`ObjectType`] (its type
//! name), [`IsA`] for each ancestor and [`ObjectImpl`] (its parent, its
//! in-place initialiser and hooks).  Its fields are initialised in place
//! with the `pinned-init` crate (`#[rivet_macros::qom_pin_data]` on the
//! struct, `pin_init!` in [`ObjectImpl::init`]), so they may hold any Rust
//! type, and they are dropped when the object is finalized.
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

use pinned_init::PinInit;
use qom_sys as sys;
use rivet_util::cell::Opaque;
use rivet_util::error::{Error, Result};

/// The raw bindings of `qom-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use qom_sys as bindings;
pub use qom_sys::PropType;

/// What a device crate usually needs from this crate, `pinned-init`'s
/// initialiser macro and trait included.
pub mod prelude {
    pub use crate::{module_init, qom_isa, IsA, ObjectImpl, ObjectType, ParentField};
    pub use pinned_init::{pin_init, PinInit};
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
    /// The initialiser of the parent field in [`ObjectImpl::init`]
    /// (`parent_obj <- ParentField::initialised_by_c()`): it leaves the
    /// struct as the parents' `instance_init` made it.  C keeps pointers
    /// into it, so it is a pinned initialiser and the field is `#[pin]`.
    pub fn initialised_by_c() -> impl PinInit<Self> {
        // SAFETY: writing nothing leaves a valid ParentField (an Opaque,
        // valid whatever its bytes) holding what C put there; it never
        // fails, and it never moves the slot.
        unsafe { pinned_init::pin_init_from_closure(|_slot: *mut Self| Ok(())) }
    }

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

/// A QOM object type implemented in Rust.
///
/// The C core allocates an instance and runs the parents' `instance_init`;
/// then [`init`](Self::init) initialises the Rust fields in place, and
/// [`instance_init`](Self::instance_init) runs on the complete struct.
/// The instance never moves until it is freed, so C may keep pointers
/// into it (regions, timers, frontends).  At finalize, after
/// [`instance_finalize`](Self::instance_finalize), the fields are dropped.
pub trait ObjectImpl: ObjectType + IsA<Object> + 'static {
    /// The parent type (its struct is this type's first field).
    type ParentType: ObjectType;
    /// Whether the type is abstract (no instances).
    const ABSTRACT: bool = false;

    /// The in-place initialiser of every field, the parent's included:
    ///
    /// ```ignore
    /// fn init() -> impl PinInit<Self> {
    ///     pin_init!(Self {
    ///         parent_obj <- ParentField::initialised_by_c(),
    ///         iomem: MemoryRegion::new(),
    ///         regs: StateCell::default(),
    ///     })
    /// }
    /// ```
    fn init() -> impl PinInit<Self>;
    /// Called once the fields are initialised: hand the embedded C
    /// structures to C (regions, IRQ outputs, timers).
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
/// `obj` must be a new instance of `T`'s QOM type, its parent struct
/// initialised and its Rust fields not yet.
unsafe extern "C" fn instance_init<T: ObjectImpl>(obj: *mut sys::Object) {
    let slot = obj.cast::<T>();
    // SAFETY: slot is T-sized memory that never moves until finalize
    // (QOM), whose Rust fields are not initialised yet (caller); the
    // initialiser cannot fail (Infallible).
    match unsafe { T::init().__pinned_init(slot) } {
        Ok(()) => {}
        Err(never) => match never {},
    }
    // SAFETY: every field is initialised now.
    unsafe { &*slot }.instance_init();
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

/// The field of a string property (`PROP_TYPE_STRING`): the C core owns
/// the string (a copy of each value set, freed when the object goes).
#[repr(transparent)]
#[derive(Debug)]
pub struct StrProperty(Cell<*mut std::ffi::c_char>);

impl StrProperty {
    /// Unset, as before any value is given.
    pub const fn new() -> Self {
        Self(Cell::new(std::ptr::null_mut()))
    }

    /// The value, if one was set.
    pub fn get(&self) -> Option<String> {
        let s = self.0.get();
        // SAFETY: the C core stores a NUL-terminated copy (or NULL) here
        // and frees it only when replacing it or releasing the object.
        (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned())
    }
}

impl Default for StrProperty {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: StrProperty is a transparent Cell<char *>, the C field of
// PROP_TYPE_STRING, written through shared references by the C core.
unsafe impl PropertyType for StrProperty {
    const TYPE: PropType = PropType::PROP_TYPE_STRING;
}

/// One registered QOM type, as [`types`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDescription {
    /// The type's name.
    pub name: String,
    /// Whether it cannot be instantiated.
    pub is_abstract: bool,
    /// Its parent type's name, `None` for the root type.
    pub parent: Option<String>,
}

/// Every registered type that is or derives from `implements` (every type
/// when `None`), abstract ones only when `include_abstract`, in
/// registration order.
pub fn types(implements: Option<&CStr>, include_abstract: bool) -> Vec<TypeDescription> {
    unsafe extern "C" fn collect(klass: *mut sys::ObjectClass, opaque: *mut c_void) {
        // SAFETY: opaque is the Vec passed below, klass a valid class; the
        // names are the registry's, valid for the program's life.
        unsafe {
            let out = &mut *opaque.cast::<Vec<TypeDescription>>();
            let name = |k: *const sys::ObjectClass| {
                CStr::from_ptr(sys::object_class_get_name(k))
                    .to_string_lossy()
                    .into_owned()
            };
            let parent = sys::object_class_get_parent(klass);
            out.push(TypeDescription {
                name: name(klass),
                is_abstract: sys::object_class_is_abstract(klass),
                parent: (!parent.is_null()).then(|| name(parent)),
            });
        }
    }
    let mut out: Vec<TypeDescription> = Vec::new();
    // SAFETY: collect matches the callback type and only uses opaque as
    // the Vec, which outlives the call; implements is a C string or NULL.
    unsafe {
        sys::object_class_foreach(
            Some(collect),
            implements.map_or(std::ptr::null(), CStr::as_ptr),
            include_abstract,
            (&raw mut out).cast(),
        );
    }
    out
}

/// A property's value as [`property_get`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyValue {
    /// A `bool` property.
    Bool(bool),
    /// A `uint8` .. `uint64` property.
    Unsigned(u64),
    /// An `int64` property.
    Signed(i64),
    /// A string property (`None` while unset).
    Str(Option<String>),
    /// A link, or a child: the canonical path of its target (`None` for an
    /// empty link).
    Path(Option<String>),
}

extern "C" {
    #[link_name = "free"]
    fn libc_free(ptr: *mut c_void);
}

/// Take a malloc'd C string (NULL gives `None`), freeing it.
///
/// # Safety
///
/// `s` is NULL or a C string from malloc that nothing else frees.
unsafe fn take_c_string(s: *mut core::ffi::c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: s is a valid C string (caller).
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    // SAFETY: s came from malloc and is ours (caller).
    unsafe { libc_free(s.cast()) };
    Some(text)
}

/// The value of property `name` of the object at the absolute `path` of
/// the composition tree (QMP's `qom-get`).  A child of the object reads
/// as its path, as in QEMU, where children are properties too.
///
/// # Errors
///
/// `DeviceNotFound` when nothing is at `path` ("Device 'PATH' not
/// found", QEMU's words); the object's own error when it has no such
/// property or it cannot be read.
pub fn property_get(path: &CStr, name: &CStr) -> Result<PropertyValue> {
    // SAFETY: path is a C string; the result is borrowed from the tree,
    // valid while nothing changes the tree (we do not).
    let obj = unsafe { sys::object_resolve_path(path.as_ptr()) };
    if obj.is_null() {
        return Err(Error::with_class(
            rivet_util::error::ErrorClass::ERROR_CLASS_DEVICE_NOT_FOUND,
            format!("Device '{}' not found", path.to_string_lossy()),
        ));
    }
    // SAFETY: obj is a live object, name a C string.
    if unsafe { sys::object_property_find(obj, name.as_ptr()) }.is_null() {
        // SAFETY: as above.
        let child = unsafe { sys::object_child(obj, name.as_ptr()) };
        if !child.is_null() {
            // SAFETY: child is live; the path is malloc'd and ours.
            return Ok(PropertyValue::Path(unsafe {
                take_c_string(sys::object_get_canonical_path(child))
            }));
        }
    }
    let mut v = sys::PropValue::default();
    // SAFETY: obj is live, name a C string, v a valid out-parameter that
    // the getter fills; errp follows the C convention.
    unsafe {
        Error::with_errp(|errp| sys::object_property_get(obj, name.as_ptr(), &raw mut v, errp))
    }?;
    let value = match v.type_ {
        PropType::PROP_TYPE_BOOL => PropertyValue::Bool(v.b),
        PropType::PROP_TYPE_INT64 => PropertyValue::Signed(v.i),
        PropType::PROP_TYPE_STRING => {
            // SAFETY: the getter gave us a heap copy (object.h), ours now.
            let s = unsafe { take_c_string(v.s) };
            v.s = std::ptr::null_mut();
            PropertyValue::Str(s)
        }
        PropType::PROP_TYPE_LINK if v.obj.is_null() => PropertyValue::Path(None),
        PropType::PROP_TYPE_LINK => {
            // SAFETY: a link's target is a live object; its path is ours.
            PropertyValue::Path(unsafe { take_c_string(sys::object_get_canonical_path(v.obj)) })
        }
        _ => PropertyValue::Unsigned(v.u),
    };
    // SAFETY: v is a PropValue the getter filled; its string, if any, was
    // taken above.
    unsafe { sys::prop_value_clear(&raw mut v) };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use pinned_init::{pin_data, pin_init};

    use super::*;

    static DROPPED: AtomicU32 = AtomicU32::new(0);

    /// A field that counts its drops.
    struct DropCounter(Cell<u32>);
    impl Drop for DropCounter {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An object with fields that are not valid as zeroes: a String's
    /// pointer must not be null.
    #[repr(C)]
    #[pin_data]
    struct Counted {
        #[pin]
        parent_obj: ParentField<Object>,
        field: DropCounter,
        name: String,
    }
    // SAFETY: instances of "rivet-test-counted" are Counted, registered
    // below with its size.
    unsafe impl ObjectType for Counted {
        const TYPE_NAME: &'static CStr = c"rivet-test-counted";
    }
    // SAFETY: Counted begins with Object.
    unsafe impl IsA<Object> for Counted {}
    impl ObjectImpl for Counted {
        type ParentType = Object;
        fn init() -> impl PinInit<Self> {
            pin_init!(Self {
                parent_obj <- ParentField::initialised_by_c(),
                field: DropCounter(Cell::new(0)),
                name: String::from("counted"),
            })
        }
    }

    /// Both tests use the type; the registry takes a name once.
    fn register_counted() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| register(type_info::<Counted>(None)));
    }

    #[test]
    fn types_lists_registered_types() {
        register_counted();
        let all = types(None, true);
        let counted = all.iter().find(|t| t.name == "rivet-test-counted").unwrap();
        assert_eq!(counted.parent.as_deref(), Some("object"));
        assert!(!counted.is_abstract);
        let root = all.iter().find(|t| t.name == "object").unwrap();
        assert_eq!(root.parent, None);
        let below = types(Some(c"rivet-test-counted"), false);
        assert_eq!(below, std::slice::from_ref(counted));
        assert!(types(Some(c"no-such-type"), true).is_empty());
    }

    #[test]
    fn fields_are_initialised_in_place_and_dropped_at_finalize() {
        register_counted();
        for n in 1..=3 {
            let obj = Owned::<Counted>::new().unwrap();
            assert_eq!(obj.name, "counted");
            obj.field.0.set(n);
            drop(obj);
            assert_eq!(DROPPED.load(Ordering::Relaxed), n);
        }
    }
}

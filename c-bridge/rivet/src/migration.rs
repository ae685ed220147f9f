//! Migration state of Rust devices: the C core's `VMStateDescription`s
//! (include/migration/vmstate.h), built at compile time from Rust structs.
//!
//! A Rust twin must save exactly the section its C counterpart saves: same
//! section name, same field names, wire types, order, versions and
//! validation limits.  Only the offsets differ, and those are never written
//! by hand: `#[derive(VMState)]` (crates/rivet-macros) or the
//! [`vmstate_field!`](crate::vmstate_field) builder take them from
//! `core::mem::offset_of!`, and the field's Rust type picks the wire type
//! through [`VMStateFieldType`], so a `u16` can never be described as a
//! `uint32`.  The C core then saves, loads, validates and describes the
//! Rust struct like any C one: the Rust side adds no encoder of its own,
//! so the streams of the twins cannot drift apart.
//!
//! The tables are `const`: a field list is one array built by
//! [`concat_fields`] from the parts a derive produces (a field, or the
//! fields of a flattened [`StateCell`]), with the end marker C wants.
//!
//! C writes the fields while the device may be borrowed as `&self`, so on
//! a QOM device every described field must be interior-mutable: a `Cell`,
//! a [`Timer`], or a field of a struct inside a [`StateCell`] (flattened).

use std::cell::Cell;
use std::ffi::{c_int, c_void, CStr};

use crate::cell::StateCell;
use crate::error::{Error, Result};
use crate::timer::Timer;
use migration_sys as sys;

pub use sys::{VMStateDescription, VMStateField, VMStateShape, VMStateType};

/// The shape and wire type one field of type `Self` has.
///
/// # Safety
///
/// [`INFO`](Self::INFO) must describe the memory of `Self` the way the C
/// core reads and writes it: `elem_size` bytes per element, `num` elements
/// back to back, each a valid value for every stream value the type's
/// loader accepts (a `bool` receives only 0 or 1; integers any value; a
/// [`Timer`] a C `Timer`; a struct what its description loads).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a migration field",
    label = "no VMState wire type for this field",
    note = "supported: bool, u8, u16, u32, u64, i64, rivet::timer::Timer, Cell<_> of those, \
            arrays of them, and structs with #[derive(VMState)] and a #[vmstate(name = ...)]; \
            mark host-side state #[vmstate(skip)]"
)]
pub unsafe trait VMStateFieldType {
    /// What the field is on the wire and in memory.
    const INFO: FieldInfo;
}

/// The description of one field's type, before a name and offset are
/// attached (see [`VMStateFieldType`]).
#[derive(Clone, Copy, Debug)]
pub struct FieldInfo {
    ty: VMStateType,
    shape: VMStateShape,
    elem_size: usize,
    num: u32,
    vmsd: *const VMStateDescription,
}

impl FieldInfo {
    /// One scalar of wire type `ty` taking `size` bytes.
    const fn scalar(ty: VMStateType, size: usize) -> Self {
        Self {
            ty,
            shape: VMStateShape::VMS_SHAPE_SINGLE,
            elem_size: size,
            num: 1,
            vmsd: std::ptr::null(),
        }
    }

    /// A nested struct of `size` bytes described by `vmsd`.
    pub const fn structure(vmsd: &'static VMStateDescription, size: usize) -> Self {
        Self {
            ty: VMStateType::VMS_TYPE_STRUCT,
            shape: VMStateShape::VMS_SHAPE_SINGLE,
            elem_size: size,
            num: 1,
            vmsd,
        }
    }
}

macro_rules! scalar_types {
    ($($t:ty => $v:ident),* $(,)?) => {
        $(
            // SAFETY: $t is the C type of $v (same size); every value the
            // loader stores is a valid $t.
            unsafe impl VMStateFieldType for $t {
                const INFO: FieldInfo =
                    FieldInfo::scalar(VMStateType::$v, size_of::<$t>());
            }
        )*
    };
}
scalar_types!(
    bool => VMS_TYPE_BOOL,
    u8 => VMS_TYPE_UINT8,
    u16 => VMS_TYPE_UINT16,
    u32 => VMS_TYPE_UINT32,
    u64 => VMS_TYPE_UINT64,
    i64 => VMS_TYPE_INT64,
);

// SAFETY: Timer is a transparent wrapper of the C Timer that
// VMS_TYPE_TIMER loads with timer_restore().
unsafe impl VMStateFieldType for Timer {
    const INFO: FieldInfo = FieldInfo::scalar(VMStateType::VMS_TYPE_TIMER, size_of::<Timer>());
}

// SAFETY: Cell<T> has the layout of T and may be written behind &self.
unsafe impl<T: VMStateFieldType> VMStateFieldType for Cell<T> {
    const INFO: FieldInfo = T::INFO;
}

// SAFETY: N elements of T back to back, each described by T's INFO.
unsafe impl<T: VMStateFieldType, const N: usize> VMStateFieldType for [T; N] {
    const INFO: FieldInfo = {
        assert!(
            matches!(T::INFO.shape, VMStateShape::VMS_SHAPE_SINGLE),
            "rivet: arrays of arrays cannot be migration fields"
        );
        assert!(
            N > 0 && N <= u32::MAX as usize,
            "rivet: bad migration array length"
        );
        FieldInfo {
            ty: T::INFO.ty,
            shape: VMStateShape::VMS_SHAPE_ARRAY,
            elem_size: size_of::<T>(),
            num: N as u32,
            vmsd: T::INFO.vmsd,
        }
    };
}

/// A field that can hold the element count of a variable-length array:
/// `u8` or `u32` (in a `Cell` or not), as in C.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot count a variable-length migration array",
    label = "the count field must be u8 or u32 (or a Cell of them)"
)]
pub trait VMStateCount {
    /// The shape of the arrays this field counts.
    const SHAPE: VMStateShape;
}
impl VMStateCount for u8 {
    const SHAPE: VMStateShape = VMStateShape::VMS_SHAPE_VARRAY_UINT8;
}
impl VMStateCount for u32 {
    const SHAPE: VMStateShape = VMStateShape::VMS_SHAPE_VARRAY_UINT32;
}
impl<T: VMStateCount> VMStateCount for Cell<T> {
    const SHAPE: VMStateShape = T::SHAPE;
}

/// A struct whose fields are described (by `#[derive(VMState)]`), with
/// offsets relative to the struct.
pub trait VMState {
    /// The fields in stream order, without the end marker.
    const FIELDS: &'static [VMStateField];
}

/// A struct with a complete description: `#[derive(VMState)]` with a
/// `#[vmstate(name = ...)]`.  Its fields end with the end marker.
pub trait VMStateDescribed: VMState {
    /// The description (a section's, or a nested struct's).
    const VMSD: &'static VMStateDescription;
}

/// A field whose contents are spliced into the enclosing description
/// (`#[vmstate(flatten)]`): the fields of the `T` of a [`StateCell<T>`]
/// (a device's register block), or of a derived struct embedded as is.
pub trait VMStateFlatten {
    /// The fields, offsets relative to the `T`.
    const FIELDS: &'static [VMStateField];
    /// Where the `T` starts inside `Self`.
    const OFFSET: usize;
}

impl<T: VMState> VMStateFlatten for StateCell<T> {
    const FIELDS: &'static [VMStateField] = T::FIELDS;
    const OFFSET: usize = StateCell::<T>::VALUE_OFFSET;
}

/// The list terminator C expects (`VMSTATE_END_OF_LIST()`).
pub const END_OF_LIST: VMStateField = VMStateField {
    name: std::ptr::null(),
    type_: VMStateType::VMS_TYPE_BOOL,
    shape: VMStateShape::VMS_SHAPE_SINGLE,
    offset: 0,
    elem_size: 0,
    num: 0,
    count_offset: 0,
    vmsd: std::ptr::null(),
    version_id: 0,
    mask: 0,
    max: 0,
    must_equal: false,
};

/// One field under construction: `vmstate_field!(State, field)` then the
/// options, then [`build`](Self::build).  Everything is `const`.
#[derive(Clone, Copy, Debug)]
pub struct FieldBuilder(VMStateField);

impl FieldBuilder {
    /// The field `name` of type `T` at `offset` in `S`.  `field` only ties
    /// the type to the field; use [`vmstate_field!`](crate::vmstate_field)
    /// (or the derive) rather than calling this.
    ///
    /// # Safety
    ///
    /// `offset` must be the offset in `S` of the field that `field` returns.
    #[doc(hidden)]
    pub const unsafe fn of<S, T: VMStateFieldType>(
        name: &'static CStr,
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Self {
        let info = T::INFO;
        Self(VMStateField {
            name: name.as_ptr(),
            type_: info.ty,
            shape: info.shape,
            offset,
            elem_size: info.elem_size,
            num: info.num,
            count_offset: 0,
            vmsd: info.vmsd,
            version_id: 0,
            mask: 0,
            max: 0,
            must_equal: false,
        })
    }

    /// The first section version that carries the field (`_V` in C).
    pub const fn version(mut self, version_id: i32) -> Self {
        self.0.version_id = version_id;
        self
    }

    /// On load, refuse values with bits outside `mask`.
    pub const fn mask(mut self, mask: u64) -> Self {
        self.0.mask = mask;
        self
    }

    /// On load, refuse values above `max`.
    pub const fn max(mut self, max: u64) -> Self {
        self.0.max = max;
        self
    }

    /// The stream must carry the value the device already has (hardware
    /// shape fixed by a property); it is compared, not stored.
    pub const fn must_equal(mut self) -> Self {
        self.0.must_equal = true;
        self
    }

    /// Make an array field variable-length: only the first `count`
    /// elements are sent, `count` being the field at `count_offset`
    /// (counted by `C`), which must come earlier in the description.
    ///
    /// # Panics
    ///
    /// At compile time, when the field is not an array.
    pub const fn varray<C: VMStateCount>(mut self, count_offset: usize) -> Self {
        assert!(
            matches!(self.0.shape, VMStateShape::VMS_SHAPE_ARRAY),
            "rivet: a variable-length migration field must be an array"
        );
        self.0.shape = C::SHAPE;
        self.0.count_offset = count_offset;
        self
    }

    /// The C field.
    pub const fn build(self) -> VMStateField {
        self.0
    }
}

/// A [`FieldBuilder`] for `field` of struct `state`, named after it:
/// `vmstate_field!(HPETTimerMig, config).mask(0x7f4e).build()`.
#[macro_export]
macro_rules! vmstate_field {
    ($state:ty, $field:ident) => {
        $crate::vmstate_field!($state, $field, ::core::stringify!($field))
    };
    ($state:ty, $field:ident, $name:expr) => {
        // SAFETY: the offset and the accessor name the same field.
        unsafe {
            $crate::migration::FieldBuilder::of::<$state, _>(
                match ::core::ffi::CStr::from_bytes_with_nul(
                    ::core::concat!($name, "\0").as_bytes(),
                ) {
                    Ok(name) => name,
                    Err(_) => panic!("rivet: a migration field name contains a NUL byte"),
                },
                ::core::mem::offset_of!($state, $field),
                |s: &$state| &s.$field,
            )
        }
    };
}

/// The number of fields in `parts` (see [`concat_fields`]).
pub const fn count_fields(parts: &[(&[VMStateField], usize)]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].0.len();
        i += 1;
    }
    n
}

/// One field list from `parts`, each a list of fields and the offset its
/// offsets are relative to (0 for the struct's own fields, where a
/// flattened struct starts for its fields).  `N` must be the total count
/// ([`count_fields`]); append `(&[END_OF_LIST], 0)` for C.
///
/// # Panics
///
/// At compile time, when `N` is not the total.
pub const fn concat_fields<const N: usize>(
    parts: &[(&[VMStateField], usize)],
) -> [VMStateField; N] {
    assert!(count_fields(parts) == N, "rivet: field count mismatch");
    let mut out = [END_OF_LIST; N];
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        let (fields, base) = parts[i];
        let mut j = 0;
        while j < fields.len() {
            let mut f = fields[j];
            if !f.name.is_null() {
                f.offset += base;
                if !matches!(
                    f.shape,
                    VMStateShape::VMS_SHAPE_SINGLE | VMStateShape::VMS_SHAPE_ARRAY
                ) {
                    f.count_offset += base;
                }
            }
            out[n] = f;
            n += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// A description: what `#[derive(VMState)]` builds for a struct with a
/// `name`.  `fields` must end with [`END_OF_LIST`]; `subsections`, when
/// not null, with a null pointer.
pub const fn description(
    name: &'static CStr,
    version_id: i32,
    minimum_version_id: i32,
    fields: &'static [VMStateField],
) -> VMStateDescription {
    assert!(
        !fields.is_empty() && fields[fields.len() - 1].name.is_null(),
        "rivet: a field list must end with END_OF_LIST"
    );
    VMStateDescription {
        name: name.as_ptr(),
        version_id,
        minimum_version_id,
        fields: fields.as_ptr(),
        subsections: std::ptr::null(),
        needed: None,
        pre_save: None,
        post_load: None,
    }
}

/// Runs a `pre_save` hook for the C core.
///
/// # Safety
///
/// `opaque` must point to a live `S` (the object registered with the
/// description), `errp` follow the C error convention.
#[doc(hidden)]
pub unsafe fn call_pre_save<S>(
    opaque: *mut c_void,
    errp: *mut *mut util_sys::Error,
    hook: fn(&S) -> Result<()>,
) -> bool {
    // SAFETY: opaque is a live S (caller).
    let result = hook(unsafe { &*opaque.cast::<S>() });
    // SAFETY: errp as the caller gives it.
    unsafe { report(result, errp) }
}

/// Runs a `post_load` hook for the C core.
///
/// # Safety
///
/// As [`call_pre_save`].
#[doc(hidden)]
pub unsafe fn call_post_load<S>(
    opaque: *mut c_void,
    version_id: c_int,
    errp: *mut *mut util_sys::Error,
    hook: fn(&S, i32) -> Result<()>,
) -> bool {
    // SAFETY: opaque is a live S (caller).
    let result = hook(unsafe { &*opaque.cast::<S>() }, version_id);
    // SAFETY: errp as the caller gives it.
    unsafe { report(result, errp) }
}

/// Runs a subsection's `needed` test for the C core.
///
/// # Safety
///
/// `opaque` must point to a live `S`.
#[doc(hidden)]
pub unsafe fn call_needed<S>(opaque: *mut c_void, hook: fn(&S) -> bool) -> bool {
    // SAFETY: opaque is a live S (caller).
    hook(unsafe { &*opaque.cast::<S>() })
}

/// # Safety
///
/// `errp` follows the C error convention.
unsafe fn report(result: Result<()>, errp: *mut *mut util_sys::Error) -> bool {
    match result {
        Ok(()) => true,
        Err(e) => {
            // SAFETY: errp as the caller gives it.
            unsafe { e.to_errp(errp) };
            false
        }
    }
}

/// Checks a description the way registering a section does
/// (`vmstate_check_description`): sizes, versions, count fields.
///
/// # Errors
///
/// The C core's message naming the description and field.
pub fn check_description(vmsd: &'static VMStateDescription) -> Result<()> {
    // SAFETY: vmsd is a complete description (its lists terminated, as
    // the derive and description() build them).
    unsafe { Error::with_errp(|errp| sys::vmstate_check_description(vmsd, true, errp)) }.and_then(
        |ok| {
            if ok {
                Ok(())
            } else {
                Err(Error::new("invalid description"))
            }
        },
    )
}

/// The name of a description or field (a C string).
///
/// # Safety
///
/// `name` must be a valid C string that outlives the result.
pub unsafe fn name_of<'a>(name: *const std::ffi::c_char) -> &'a str {
    // SAFETY: a valid C string (caller).
    unsafe { CStr::from_ptr(name) }
        .to_str()
        .unwrap_or("<not UTF-8>")
}

/// Compares two descriptions as the stream sees them: names, versions,
/// `needed` present, and field by field the names, wire types, shapes,
/// element counts, versions, limits, nested structs and count fields.
/// Offsets and struct sizes are not compared (they are each struct's own).
/// This is how a twin's test proves it saves its C counterpart's section.
///
/// # Errors
///
/// The first difference, as "pl011.rx_fifo: mask 0xfff vs 0xff".
///
/// # Safety
///
/// Both must be complete descriptions (terminated lists, valid names).
pub unsafe fn compare_descriptions(
    a: &VMStateDescription,
    b: &VMStateDescription,
) -> std::result::Result<(), String> {
    // SAFETY: valid names (caller).
    let (an, bn) = unsafe { (name_of(a.name), name_of(b.name)) };
    let differ = |what: &str, x: &dyn std::fmt::Debug, y: &dyn std::fmt::Debug| {
        Err(format!("{an}: {what} {x:?} vs {y:?}"))
    };
    if an != bn {
        return differ("name", &an, &bn);
    }
    if (a.version_id, a.minimum_version_id) != (b.version_id, b.minimum_version_id) {
        return differ(
            "version/minimum",
            &(a.version_id, a.minimum_version_id),
            &(b.version_id, b.minimum_version_id),
        );
    }
    // Whether a subsection is sent depends on `needed`; pre_save and
    // post_load are each implementation's own (the HPET twin needs a
    // pre_save the C one does not), their checks are tested on streams.
    if a.needed.is_some() != b.needed.is_some() {
        return differ("needed()", &a.needed.is_some(), &b.needed.is_some());
    }
    // SAFETY: terminated field lists (caller).
    let (fa, fb) = unsafe { (field_list(a), field_list(b)) };
    if fa.len() != fb.len() {
        return differ("field count", &fa.len(), &fb.len());
    }
    for (x, y) in fa.iter().zip(fb) {
        // SAFETY: named fields of complete descriptions (caller).
        let (xn, yn) = unsafe { (name_of(x.name), name_of(y.name)) };
        if xn != yn {
            return differ("field", &xn, &yn);
        }
        let shape = |f: &VMStateField| {
            (
                f.type_,
                f.shape,
                f.num,
                f.version_id,
                f.mask,
                f.max,
                f.must_equal,
            )
        };
        if shape(x) != shape(y) {
            return Err(format!(
                "{an}.{xn}: (type, shape, num, version, mask, max, must_equal) {:?} vs {:?}",
                shape(x),
                shape(y)
            ));
        }
        if !matches!(x.type_, VMStateType::VMS_TYPE_STRUCT) && x.elem_size != y.elem_size {
            return Err(format!(
                "{an}.{xn}: element size {} vs {}",
                x.elem_size, y.elem_size
            ));
        }
        if !matches!(
            x.shape,
            VMStateShape::VMS_SHAPE_SINGLE | VMStateShape::VMS_SHAPE_ARRAY
        ) {
            let count = |fields: &[VMStateField], off: usize| {
                fields
                    .iter()
                    .find(|f| f.offset == off)
                    // SAFETY: named fields (caller).
                    .map(|f| unsafe { name_of(f.name) })
            };
            let (cx, cy) = (count(fa, x.count_offset), count(fb, y.count_offset));
            if cx != cy {
                return Err(format!("{an}.{xn}: count field {cx:?} vs {cy:?}"));
            }
        }
        if matches!(x.type_, VMStateType::VMS_TYPE_STRUCT) {
            // SAFETY: a struct field's description is complete (caller).
            unsafe { compare_descriptions(&*x.vmsd, &*y.vmsd) }
                .map_err(|e| format!("{an}.{xn}: {e}"))?;
        }
    }
    // SAFETY: null-terminated subsection lists (caller).
    let (sa, sb) = unsafe { (subsection_list(a), subsection_list(b)) };
    if sa.len() != sb.len() {
        return differ("subsection count", &sa.len(), &sb.len());
    }
    for (x, y) in sa.iter().zip(&sb) {
        // SAFETY: complete subsection descriptions (caller).
        unsafe { compare_descriptions(&**x, &**y) }.map_err(|e| format!("{an}/{e}"))?;
    }
    Ok(())
}

/// The fields of `d`, without the end marker (to build a variant of a
/// description, copy them and append [`END_OF_LIST`]).
///
/// # Safety
///
/// `d.fields` must be a list terminated by a field with a null name.
pub unsafe fn field_list(d: &VMStateDescription) -> &[VMStateField] {
    let mut n = 0;
    // SAFETY: terminated list (caller).
    while !unsafe { (*d.fields.add(n)).name }.is_null() {
        n += 1;
    }
    // SAFETY: n valid fields precede the terminator.
    unsafe { std::slice::from_raw_parts(d.fields, n) }
}

/// The subsections of `d` (none when the list is null).
///
/// # Safety
///
/// `d.subsections` must be null or a null-terminated list.
unsafe fn subsection_list(d: &VMStateDescription) -> Vec<*const VMStateDescription> {
    let mut out = Vec::new();
    if d.subsections.is_null() {
        return out;
    }
    let mut p = d.subsections;
    // SAFETY: null-terminated list (caller).
    while !unsafe { *p }.is_null() {
        // SAFETY: within the list.
        out.push(unsafe { *p });
        // SAFETY: the terminator is further on.
        p = unsafe { p.add(1) };
    }
    out
}

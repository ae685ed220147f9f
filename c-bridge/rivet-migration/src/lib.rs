//! The safe Rust API of rivet's C migration library (include/migration/):
//! migration state of Rust devices, the C core's `VMStateDescription`s
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
//! This module holds the field types and descriptions; `builder` the
//! `const` field builder and list concatenation; `hooks` the trampolines
//! through which the C core calls a description's Rust hooks.  Comparing
//! a twin's description with its C counterpart is test code: it lives in
//! the `rivet-test-support` crate (crates/rivet-test-support).
//!
//! C writes the fields while the device may be borrowed as `&self`, so on
//! a QOM device every described field must be interior-mutable: a `Cell`,
//! a [`Timer`], or a field of a struct inside a [`StateCell`] (flattened).

mod builder;
mod hooks;

use std::cell::Cell;
use std::ffi::CStr;

use migration_sys as sys;
use rivet_util::cell::StateCell;
use rivet_util::error::{Error, Result};
use rivet_util::timer::Timer;

/// The raw bindings of `migration-sys`, for what the safe API does not
/// cover yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use migration_sys as bindings;

/// What a device crate usually needs from this crate.
pub mod prelude {
    pub use crate::{VMState, VMStateDescribed};
}

pub use builder::{concat_fields, count_fields, FieldBuilder};
#[doc(hidden)]
pub use hooks::{call_needed, call_post_load, call_pre_save};
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
    note = "supported: bool, u8, u16, u32, u64, i64, rivet_util::timer::Timer, Cell<_> of those, \
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

#[cfg(test)]
mod tests;

//! Derive macros for rivet's Rust devices.
//!
//! * [`macro@Object`]: checks that a QOM instance struct is `#[repr(C)]` with
//!   its parent first (QOM casts a pointer to the struct into a pointer to
//!   the parent) and that all-zero is a valid value of it (`Zeroable`).
//! * [`macro@Device`]: builds the qdev property table from the fields marked
//!   `#[property(...)]`.
//! * [`macro@VMState`]: the migration description (the C core's
//!   `VMStateDescription`) of a struct, offsets from `offset_of!`.
//! * [`macro@RegisterOffset`]: `TryFrom<u64>` for a `#[repr(u64)]` enum of
//!   register offsets, so an MMIO callback decodes the offset with one
//!   `match` and unknown offsets become an `Err` carrying the offset.
//!
//! Each macro is a thin wrapper around a `*_or_error` function returning
//! `Result<TokenStream, syn::Error>`: an error becomes a `compile_error!`
//! pointing at the offending item or field, so the user sees an ordinary
//! compiler error.  The `*_or_error` functions work on `proc_macro2` tokens
//! and are unit-tested on their expansion.
//!
//! The generated code names items of the safe crates (c-bridge/rivet-*):
//! `rivet_qom::ParentField`, `rivet_qom::ObjectImpl`,
//! `rivet_util::cell::Zeroable`, `rivet_hwcore::qdev::PropertyInfo`,
//! `rivet_hwcore::qdev_prop!` and `rivet_migration`'s field types, so a
//! device crate depends on those it derives for.

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod device;
mod object;
mod register;
mod util;
mod vmstate;

/// Checks the layout of a QOM instance struct and implements
/// `rivet_util::cell::Zeroable` for it.
///
/// The struct must be `#[repr(C)]`, have named fields and no generics; its
/// first field is the `ParentField` of `ObjectImpl::ParentType`, and every
/// field must be `Zeroable` (QOM allocates instances zero-filled).
///
/// ```ignore
/// #[repr(C)]
/// #[derive(Object)]
/// pub struct PL011State {
///     parent_obj: ParentField<SysBusDevice>,
///     // ...
/// }
/// ```
#[proc_macro_derive(Object)]
pub fn derive_object(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    object::derive_object_or_error(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Defines `DEVICE_PROPERTIES`, the static property table built from the
/// fields marked `#[property(...)]`, for `DeviceImpl::PROPERTIES`.
///
/// Keys of `#[property(...)]`:
/// * `name = "..."`: the QOM property name (default: the field name);
/// * `default = EXPR`: the default of a bool or integer property;
/// * `desc = "..."`: the property's description.
///
/// The field's type says the property type (`Cell<u8>`, `ChardevLink`...,
/// see `rivet_qom::PropertyType`).
///
/// ```ignore
/// #[derive(Device)]
/// pub struct HPETState {
///     parent_obj: ParentField<SysBusDevice>,
///     #[property(name = "timers", default = 3)]
///     num_timers: Cell<u8>,
/// }
/// ```
#[proc_macro_derive(Device, attributes(property))]
pub fn derive_device(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    device::derive_device_or_error(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `TryFrom<u64>` (error: the offset itself) and an `offset()`
/// accessor for a fieldless `#[repr(u64)]` enum whose variants all have
/// explicit discriminants.
///
/// ```ignore
/// #[repr(u64)]
/// #[derive(Clone, Copy, RegisterOffset)]
/// enum Register {
///     Dr = 0x000,
///     Fr = 0x018,
/// }
/// ```
#[proc_macro_derive(RegisterOffset)]
pub fn derive_register_offset(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    register::derive_register_offset_or_error(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Describes a struct's migration state for the C core: implements
/// `rivet_migration::VMState` (the `VMStateField` table, offsets from
/// `core::mem::offset_of!`, wire types from the field types) and, with a
/// `name`, `VMStateDescribed` (the `VMStateDescription`: a section, or a
/// struct nested in one).  Fields are described in declaration order.
///
/// On the struct, `#[vmstate(...)]` keys:
/// * `name = "..."`: the section idstr or nested struct name;
/// * `version = N` (default 1), `minimum_version = N` (default: version);
/// * `pre_save = path`: `fn(&Self) -> rivet_util::error::Result<()>`;
/// * `post_load = path`: `fn(&Self, version_id: i32) -> Result<()>`.
///
/// On a field:
/// * `skip`: host-side state, not migrated;
/// * `flatten`: splice in the fields of a `StateCell<T>` (or a derived
///   struct) whose `T` derives `VMState`;
/// * `rename = "..."`: the wire name (default: the field name);
/// * `version = N`: first section version carrying the field;
/// * `mask = EXPR`, `max = EXPR`: refuse loaded values outside them;
/// * `must_equal`: the stream must carry the value the device has;
/// * `varray_count = field`: an array of which only the first `field`
///   (an earlier `u8` or `u32` field) elements are sent.
///
/// A field type with no wire type is a compile error at that field.
///
/// ```ignore
/// #[derive(VMState)]
/// #[vmstate(name = "hpet_timer", version = 1)]
/// pub struct HPETTimerSlot {
///     #[vmstate(mask = HPET_TN_CONF_WRITABLE)]
///     config: Cell<u64>,
///     timer: Timer,
///     #[vmstate(skip)]
///     index: Cell<usize>,
/// }
/// ```
#[proc_macro_derive(VMState, attributes(vmstate))]
pub fn derive_vmstate(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    vmstate::derive_vmstate_or_error(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

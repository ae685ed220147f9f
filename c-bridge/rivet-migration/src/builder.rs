//! The `const` field builder ([`FieldBuilder`], [`vmstate_field!`](crate::vmstate_field))
//! and the concatenation of field lists that `#[derive(VMState)]` expands
//! to ([`count_fields`], [`concat_fields`]).

use std::ffi::CStr;

use super::{VMStateCount, VMStateField, VMStateFieldType, VMStateShape, END_OF_LIST};

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

/// A [`FieldBuilder`] for `field` of struct `state`, named after it; its
/// offset and wire type come from the struct:
///
/// ```
/// use rivet_migration::{vmstate_field, VMStateField, VMStateType};
///
/// #[repr(C)]
/// struct HpetTimer {
///     period: u64,
///     config: u64,
/// }
/// const CONFIG: VMStateField = vmstate_field!(HpetTimer, config).mask(0x3f4e).build();
/// assert_eq!((CONFIG.offset, CONFIG.mask), (8, 0x3f4e));
/// assert!(matches!(CONFIG.type_, VMStateType::VMS_TYPE_UINT64));
/// ```
#[macro_export]
macro_rules! vmstate_field {
    ($state:ty, $field:ident) => {
        $crate::vmstate_field!($state, $field, ::core::stringify!($field))
    };
    ($state:ty, $field:ident, $name:expr) => {
        // SAFETY: the offset and the accessor name the same field.
        unsafe {
            $crate::FieldBuilder::of::<$state, _>(
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

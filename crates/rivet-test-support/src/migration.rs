//! A Rust twin's migration description against its C counterpart's: the
//! same section, so each twin loads the other's snapshots.  A device crate
//! proves it with one line in its tests:
//!
//! ```ignore
//! rivet_test_support::same_section_as_c!(PL011State, vmstate_pl011);
//! ```

use std::ffi::CStr;

use rivet_migration::{VMStateDescription, VMStateField, VMStateShape, VMStateType};

/// The test that `$rust`'s description (`#[derive(VMState)]`) is the C
/// twin's `$c_vmsd` field by field ([`compare_descriptions`]), and that
/// the C core accepts it as it registers sections.  `$c_vmsd` is the C
/// symbol, exported by the C device library that the test links.
#[macro_export]
macro_rules! same_section_as_c {
    ($rust:ty, $c_vmsd:ident) => {
        extern "C" {
            static $c_vmsd: ::rivet_migration::VMStateDescription;
        }

        #[test]
        fn same_section_as_the_c_twin() {
            let vmsd = <$rust as ::rivet_migration::VMStateDescribed>::VMSD;
            // SAFETY: both are complete descriptions (the derive's and the
            // C twin's, which C never changes).
            let same = unsafe { $crate::migration::compare_descriptions(vmsd, &$c_vmsd) };
            ::core::assert_eq!(same, Ok(()));
            ::rivet_migration::check_description(vmsd).unwrap();
        }
    };
}

/// The name of a description or field (a C string).
///
/// # Safety
///
/// `name` must be a valid C string that outlives the result.
unsafe fn name_of<'a>(name: *const std::ffi::c_char) -> &'a str {
    // SAFETY: a valid C string (caller).
    unsafe { CStr::from_ptr(name) }
        .to_str()
        .unwrap_or("<not UTF-8>")
}

/// Compares two descriptions as the stream sees them: names, versions,
/// `needed` present, and field by field the names, wire types, shapes,
/// element counts, versions, limits, nested structs and count fields.
/// Offsets and struct sizes are not compared (they are each struct's own).
/// This is how a twin's test proves it saves its C counterpart's section
/// ([`same_section_as_c!`](crate::same_section_as_c)).
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
) -> Result<(), String> {
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
/// description, copy them and append [`END_OF_LIST`](rivet_migration::END_OF_LIST)).
///
/// # Safety
///
/// `d.fields` must be a list terminated by a field with a null name.
unsafe fn field_list(d: &VMStateDescription) -> &[VMStateField] {
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

#[cfg(test)]
mod tests {
    use rivet_macros::VMState;
    use rivet_migration::{VMStateDescribed, END_OF_LIST};

    use super::*;

    #[repr(C)]
    #[derive(VMState)]
    #[vmstate(name = "inner", version = 1, minimum_version = 1)]
    struct Inner {
        a: u32,
        b: u64,
    }

    #[repr(C)]
    #[derive(VMState)]
    #[vmstate(name = "outer", version = 2, minimum_version = 1)]
    struct Outer {
        #[vmstate(mask = 0xfff)]
        fifo: [u32; 4],
        inner: Inner,
    }

    /// `Outer`'s fields, with `change` applied to the one named `name`.
    fn changed_fields(
        vmsd: &VMStateDescription,
        name: &CStr,
        change: impl FnOnce(&mut VMStateField),
    ) -> Vec<VMStateField> {
        // SAFETY: a complete description.
        let mut fields: Vec<VMStateField> = unsafe { field_list(vmsd) }.to_vec();
        fields.push(END_OF_LIST);
        // SAFETY: named fields are C strings.
        let field = fields
            .iter_mut()
            .find(|f| !f.name.is_null() && unsafe { CStr::from_ptr(f.name) } == name)
            .unwrap();
        change(field);
        fields
    }

    #[test]
    fn a_description_is_its_own_twin() {
        // SAFETY: complete descriptions.
        let same = unsafe { compare_descriptions(Outer::VMSD, Outer::VMSD) };
        assert_eq!(same, Ok(()));
    }

    #[test]
    fn a_different_limit_is_noticed() {
        let fields = changed_fields(Outer::VMSD, c"fifo", |f| f.mask = 0xff);
        let changed = VMStateDescription {
            fields: fields.as_ptr(),
            ..*Outer::VMSD
        };
        // SAFETY: complete descriptions.
        let err = unsafe { compare_descriptions(&changed, Outer::VMSD) }.unwrap_err();
        assert!(err.contains("outer.fifo"), "{err}");
    }

    #[test]
    fn a_different_nested_struct_is_noticed() {
        // The comparison walks into nested structs: rename a field of the
        // element description.
        let inner = Inner::VMSD;
        let inner_fields = changed_fields(inner, c"b", |f| f.name = c"b_".as_ptr());
        let changed_inner = VMStateDescription {
            fields: inner_fields.as_ptr(),
            ..*inner
        };
        let fields = changed_fields(Outer::VMSD, c"inner", |f| f.vmsd = &raw const changed_inner);
        let changed = VMStateDescription {
            fields: fields.as_ptr(),
            ..*Outer::VMSD
        };
        // SAFETY: complete descriptions.
        let err = unsafe { compare_descriptions(&changed, Outer::VMSD) }.unwrap_err();
        assert!(err.contains("outer.inner: inner: field"), "{err}");
    }
}

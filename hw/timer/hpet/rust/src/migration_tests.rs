//! The migration description of `hpet-rust` against the C twin's
//! `vmstate_hpet` (hw/timer/hpet/hpet.c), field by field: the same
//! section, so each twin loads the other's snapshots.

use rivet::migration::{
    check_description, compare_descriptions, field_list, VMStateDescribed, VMStateDescription,
    VMStateField, END_OF_LIST,
};

use crate::HPETState;

extern "C" {
    // Exported by the C device library, which this test links.
    static vmstate_hpet: VMStateDescription;
}

#[test]
fn same_section_as_the_c_hpet() {
    // SAFETY: both are complete descriptions; the C one is immutable.
    let same = unsafe { compare_descriptions(HPETState::VMSD, &vmstate_hpet) };
    assert_eq!(same, Ok(()));
    // And the C core accepts the Rust one as it registers sections.
    check_description(HPETState::VMSD).unwrap();
}

#[test]
fn a_different_nested_struct_is_noticed() {
    // The "timers" element description differs from the C one once a
    // field is renamed: the comparison walks into nested structs.
    let vmsd = HPETState::VMSD;
    // SAFETY: a complete description.
    let mut fields: Vec<VMStateField> = unsafe { field_list(vmsd) }.to_vec();
    fields.push(END_OF_LIST);
    let timers = fields
        .iter_mut()
        // SAFETY: named fields are C strings.
        .find(|f| !f.name.is_null() && unsafe { std::ffi::CStr::from_ptr(f.name) } == c"timers")
        .unwrap();
    // SAFETY: a struct field's description is complete.
    let elem = unsafe { *timers.vmsd };
    // SAFETY: a complete description.
    let mut elem_fields: Vec<VMStateField> = unsafe { field_list(&elem) }.to_vec();
    elem_fields.push(END_OF_LIST);
    elem_fields[1].name = c"comparator_".as_ptr();
    let changed_elem = VMStateDescription {
        fields: elem_fields.as_ptr(),
        ..elem
    };
    timers.vmsd = &raw const changed_elem;
    let changed = VMStateDescription {
        fields: fields.as_ptr(),
        ..*vmsd
    };
    // SAFETY: complete descriptions.
    let err = unsafe { compare_descriptions(&changed, &vmstate_hpet) }.unwrap_err();
    assert!(err.contains("hpet.timers: hpet_timer: field"), "{err}");
}

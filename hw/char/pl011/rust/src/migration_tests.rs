//! The migration description of `pl011-rust` against the C twin's
//! `vmstate_pl011` (hw/char/pl011/pl011.c), field by field: the same
//! section, so each twin loads the other's snapshots.

use rivet::migration::{
    check_description, compare_descriptions, field_list, VMStateDescribed, VMStateDescription,
    VMStateField, END_OF_LIST,
};

use crate::PL011State;

extern "C" {
    // Exported by the C device library, which this test links.
    static vmstate_pl011: VMStateDescription;
}

#[test]
fn same_section_as_the_c_pl011() {
    // SAFETY: both are complete descriptions; the C one is immutable.
    let same = unsafe { compare_descriptions(PL011State::VMSD, &vmstate_pl011) };
    assert_eq!(same, Ok(()));
    // And the C core accepts the Rust one as it registers sections.
    check_description(PL011State::VMSD).unwrap();
}

#[test]
fn a_different_limit_is_noticed() {
    let vmsd = PL011State::VMSD;
    // SAFETY: a complete description.
    let mut fields: Vec<VMStateField> = unsafe { field_list(vmsd) }.to_vec();
    fields.push(END_OF_LIST);
    let fifo = fields
        .iter_mut()
        // SAFETY: named fields are C strings.
        .find(|f| !f.name.is_null() && unsafe { std::ffi::CStr::from_ptr(f.name) } == c"rx_fifo")
        .unwrap();
    fifo.mask = 0xff;
    let changed = VMStateDescription {
        fields: fields.as_ptr(),
        ..*vmsd
    };
    // SAFETY: complete descriptions.
    let err = unsafe { compare_descriptions(&changed, &vmstate_pl011) };
    assert!(err.unwrap_err().contains("pl011.rx_fifo"));
}

//! The migration description of `hpet-rust` against the C twin's
//! `vmstate_hpet` (hw/timer/hpet/hpet.c), field by field: the same
//! section, so each twin loads the other's snapshots.

rivet_test_support::same_section_as_c!(crate::HPETState, vmstate_hpet);

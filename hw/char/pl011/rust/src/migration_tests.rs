//! The migration description of `pl011-rust` against the C twin's
//! `vmstate_pl011` (hw/char/pl011/pl011.c), field by field: the same
//! section, so each twin loads the other's snapshots.

rivet_test_support::same_section_as_c!(crate::PL011State, vmstate_pl011);

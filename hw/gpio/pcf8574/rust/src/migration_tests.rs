//! The migration description of `pcf8574-rust`: the C core accepts it as it
//! registers sections (names, sizes and limits are consistent).

use rivet_migration::{check_description, VMStateDescribed};

use crate::Pcf8574State;

#[test]
fn the_core_accepts_the_description() {
    check_description(Pcf8574State::VMSD).unwrap();
}

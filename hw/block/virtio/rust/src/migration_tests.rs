//! The migration description of `virtio-rust`: the C core accepts it as it
//! registers sections (names, sizes and limits are consistent).

use rivet_migration::{check_description, VMStateDescribed};

use crate::VirtioState;

#[test]
fn the_core_accepts_the_description() {
    check_description(VirtioState::VMSD).unwrap();
}

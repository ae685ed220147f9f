//! `virtio-rust` created, used and freed in a loop: finalize must destroy
//! the MMIO region and drop the fields (Meson runs this once more under
//! valgrind, which sees anything leaked).

use rivet_hwcore::prelude::*;
use rivet_test_support::lifecycle::create_and_free;

use crate::model::{reg, MAGIC_VALUE};
use crate::VirtioState;

#[test]
fn create_and_free_in_a_loop() {
    create_and_free::<VirtioState>(50, |dev| {
        assert_eq!(dev.read(reg::MAGIC, 4), u64::from(MAGIC_VALUE));
        assert_eq!(dev.read(reg::DEVICE_ID, 4), 0, "no drive: an empty slot");
        dev.write(reg::STATUS, 1, 4);
        assert_eq!(dev.read(reg::STATUS, 4), 1);
    });
}

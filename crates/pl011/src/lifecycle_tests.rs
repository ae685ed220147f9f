//! `pl011-rust` objects created, realized and freed over and over: under
//! `make check-sanitize`, LeakSanitizer fails this test if finalize leaves
//! anything behind (issue 9 item 16: the MMIO region's name leaked).

use rivet::qdev::{new_device, DeviceMethods};

use crate::PL011State;

#[test]
fn create_realize_free_leaves_nothing() {
    for _ in 0..100 {
        let dev = new_device::<PL011State>().unwrap();
        dev.realize_device().unwrap();
        assert!(dev.is_realized());
    }
}

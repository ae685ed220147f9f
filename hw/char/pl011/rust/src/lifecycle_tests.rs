//! `pl011-rust` created, used and freed in a loop: finalize must delete
//! the receive-timeout timer and destroy the MMIO region (Meson runs this
//! once more under valgrind, which sees any leaked region name).

use rivet_chardev::CharHandlers;
use rivet_test_support::lifecycle::{create_and_free, timer_armed};

use crate::PL011State;

#[test]
fn create_and_free_in_a_loop() {
    create_and_free::<PL011State>(50, |dev| {
        // A received byte arms the receive-timeout timer.
        dev.receive(b"x");
        assert!(timer_armed());
    });
}

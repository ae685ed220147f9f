//! `hpet-rust` created, used and freed in a loop: finalize must delete
//! every comparator's timer and destroy the MMIO region (Meson runs this
//! once more under valgrind, which sees any leaked region name).

use rivet_hwcore::prelude::*;
use rivet_test_support::lifecycle::{create_and_free, timer_armed};

use crate::registers::{cfg, tn, Register, TimerRegister, TIMER_BASE};
use crate::HPETState;

#[test]
fn create_and_free_in_a_loop() {
    create_and_free::<HPETState>(50, |dev| {
        // Timer 0 with interrupts, a comparator ahead, the counter running:
        // its host timer is armed.
        let t0 = TIMER_BASE;
        dev.write(t0 + TimerRegister::ConfCap.offset(), tn::INT_ENB, 8);
        dev.write(t0 + TimerRegister::Comparator.offset(), 1000, 8);
        dev.write(Register::Config.offset(), cfg::ENABLE, 8);
        assert!(timer_armed());
    });
}

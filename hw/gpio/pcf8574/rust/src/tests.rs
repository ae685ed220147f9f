//! Unit tests of the PCF8574 model: the quasi-bidirectional pins and the
//! rules of INT (data sheet sections 8.3 and 8.5).

use crate::model::Pcf8574Regs;

#[test]
fn at_power_on_every_pin_is_an_input_pulled_high() {
    let mut regs = Pcf8574Regs::default();
    assert_eq!(regs.pins(), 0xff);
    assert_eq!(regs.read(), 0xff);
    assert!(!regs.int_asserted());
}

#[test]
fn a_zero_drives_the_pin_low_and_wins_over_an_outside_high() {
    let mut regs = Pcf8574Regs::default();
    regs.write(0xf0);
    assert_eq!(regs.read(), 0xf0);
    // The outside drives P0 high and P7 low: P0 stays low (output low
    // wins), P7 reads low (a 1-pin reads the outside level).
    regs.set_input(0, true);
    regs.set_input(7, false);
    assert_eq!(regs.read(), 0x70);
}

#[test]
fn a_one_pin_reads_the_outside_level_and_is_pulled_up_when_undriven() {
    let mut regs = Pcf8574Regs::default();
    regs.set_input(3, false);
    assert_eq!(regs.read(), 0xf7);
    regs.set_input(3, true);
    assert_eq!(regs.read(), 0xff, "released: the pull-up makes it high");
}

#[test]
fn int_asserts_on_an_input_edge_and_a_read_clears_it() {
    let mut regs = Pcf8574Regs::default();
    regs.set_input(2, false);
    assert!(regs.int_asserted(), "falling edge of an input");
    assert_eq!(regs.read(), 0xfb);
    assert!(!regs.int_asserted(), "the read resets INT");
    regs.set_input(2, true);
    assert!(regs.int_asserted(), "rising edge of an input");
}

#[test]
fn int_clears_when_the_input_returns_to_its_original_level() {
    let mut regs = Pcf8574Regs::default();
    regs.set_input(5, false);
    assert!(regs.int_asserted());
    regs.set_input(5, true);
    assert!(!regs.int_asserted(), "back to the original setting");
}

#[test]
fn a_write_clears_int() {
    let mut regs = Pcf8574Regs::default();
    regs.set_input(1, false);
    assert!(regs.int_asserted());
    regs.write(0xff);
    assert!(!regs.int_asserted(), "writing the port resets INT");
    assert_eq!(regs.pins(), 0xfd);
}

#[test]
fn an_output_pin_never_interrupts() {
    let mut regs = Pcf8574Regs::default();
    regs.write(0xfe);
    regs.set_input(0, false);
    regs.set_input(0, true);
    assert!(
        !regs.int_asserted(),
        "P0 drives low: the outside is not seen"
    );
    // Making it an input again is a write: no interrupt for that.
    regs.write(0xff);
    assert!(!regs.int_asserted());
}

#[test]
fn a_pin_held_low_at_power_on_asserts_int() {
    let mut regs = Pcf8574Regs::default();
    regs.set_input(6, false);
    regs.reset();
    assert!(
        regs.int_asserted(),
        "data sheet: power-on with a pin held low"
    );
    assert_eq!(regs.inputs, 0xbf, "a reset keeps the outside levels");
}

#[test]
fn registers_text_shows_the_state() {
    let mut regs = Pcf8574Regs::default();
    regs.write(0x0f);
    regs.set_input(1, false);
    assert_eq!(
        regs.registers_text(),
        "latch=0xf inputs=0xfd reference=0xf pins=0xd int=1"
    );
}

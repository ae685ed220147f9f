//! The PCF8574 model, independent of QOM: the quasi-bidirectional port,
//! the levels on its pins and its interrupt output (NXP PCF8574/74A
//! product data sheet, Rev. 5, 27 May 2013).
//!
//! The device has no registers, only the port: a write latches a byte, a
//! read returns the pin levels.  Section 8.3 (quasi-bidirectional I/Os): a
//! latch bit 0 drives its pin low (strong pull-down); a latch bit 1 leaves
//! only a weak current source to VDD, so the pin is an input that reads
//! the level driven from outside, high when nothing drives it.  An output
//! low wins over an outside high.  At power-on the latch is all ones:
//! every pin is an input (section 8.1).
//!
//! Section 8.5 (interrupt output INT): an interrupt is generated at any
//! rising or falling edge of the port inputs; it resets when the data on
//! the port changes back to the original setting, or when the port is
//! read or written.  rivet keeps that "original setting" as the pin levels
//! at the last read or write (all high at power-on, so a pin held low from
//! outside at power-on asserts INT, as the data sheet says), and INT is
//! asserted while an input pin's level differs from it.  A pin that is an
//! output (latch 0) never interrupts.

use rivet_macros::VMState;

/// The latch at power-on and reset: every pin a weak-pull-up input.
pub const LATCH_RESET: u8 = 0xff;
/// The outside levels with nothing driving the pins: pulled up.
pub const INPUTS_UNDRIVEN: u8 = 0xff;
/// Pins P0..P7.
pub const NUM_PINS: usize = 8;

/// The guest-visible state; its migration fields are those of the section
/// "pcf8574" (`#[vmstate]`: names, order).  Every byte value is valid.
#[derive(Clone, Debug, PartialEq, Eq, VMState)]
#[repr(C)]
pub struct Pcf8574Regs {
    /// The output latch, the last byte written to the port: bit n 0 drives
    /// Pn low, 1 makes it a weak-pull-up input.
    #[doc(alias = "P7..P0 output latch")]
    pub latch: u8,
    /// The level applied to each pin from outside (the `in0`..`in7`
    /// properties): 1 for high or undriven (the pull-up), 0 for low.
    pub inputs: u8,
    /// The pin levels at the last read or write of the port: INT is
    /// asserted while an input pin differs from it (section 8.5).
    pub reference: u8,
}

impl Default for Pcf8574Regs {
    fn default() -> Self {
        Self {
            latch: LATCH_RESET,
            inputs: INPUTS_UNDRIVEN,
            reference: LATCH_RESET & INPUTS_UNDRIVEN,
        }
    }
}

impl Pcf8574Regs {
    /// The state after a reset of the chip, with the outside levels kept
    /// (the world outside is not reset).
    pub fn reset(&mut self) {
        *self = Self {
            inputs: self.inputs,
            ..Self::default()
        };
    }

    /// The level of each pin: low where the latch drives it low, else
    /// what the outside applies (high when undriven).
    pub fn pins(&self) -> u8 {
        self.latch & self.inputs
    }

    /// The controller writes a byte to the port: it is latched, and INT
    /// resets (the new levels are the reference).
    pub fn write(&mut self, byte: u8) {
        self.latch = byte;
        self.reference = self.pins();
    }

    /// The controller reads the port: the pin levels, and INT resets.
    pub fn read(&mut self) -> u8 {
        self.reference = self.pins();
        self.reference
    }

    /// The outside drives pin `pin` to `high` (or lets it float high).
    ///
    /// # Panics
    ///
    /// When `pin` is not 0..7 (the property table only has in0..in7).
    pub fn set_input(&mut self, pin: usize, high: bool) {
        assert!(pin < NUM_PINS, "PCF8574 pin {pin} out of range");
        let bit = 1u8 << pin;
        self.inputs = if high {
            self.inputs | bit
        } else {
            self.inputs & !bit
        };
    }

    /// Whether the active-low INT output is asserted (pulled low).
    pub fn int_asserted(&self) -> bool {
        (self.pins() ^ self.reference) & self.latch != 0
    }

    /// The `registers` property: what `-d dev_regs` prints.
    pub fn registers_text(&self) -> String {
        format!(
            "latch={:#x} inputs={:#x} reference={:#x} pins={:#x} int={}",
            self.latch,
            self.inputs,
            self.reference,
            self.pins(),
            u8::from(self.int_asserted())
        )
    }
}

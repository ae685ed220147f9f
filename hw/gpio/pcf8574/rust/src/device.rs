//! The QOM device `pcf8574-rust`: the model of [`crate::model`] as an I2C
//! target (`rivet_i2c::I2CTarget`) at address 0x20 by default (A2..A0
//! tied low).
//!
//! GPIO outputs: 0 is the interrupt request, high while the active-low
//! INT pin is asserted (the board wires it to its PLIC source); 1..8 are
//! the levels of P0..P7.  The properties `in0`..`in7` (0 or 1, writable
//! at any time) are the levels applied to the pins from outside.

use rivet_hwcore::prelude::*;
use rivet_i2c::prelude::*;
use rivet_macros::{qom_pin_data, Object, VMState};
use rivet_probes::pcf8574 as probes;

use crate::model::{Pcf8574Regs, NUM_PINS};

/// The Rust pcf8574 instance; migration: the section "pcf8574", field for
/// field (Pcf8574Regs).
#[repr(C)]
#[derive(Object, VMState)]
#[qom_pin_data]
#[vmstate(name = "pcf8574", version = 1, minimum_version = 1)]
pub struct Pcf8574State {
    // #[pin]: C holds pointers into it.
    #[pin]
    #[vmstate(skip)]
    parent_obj: ParentField<I2CTargetDevice>,
    /// The port: latch, outside levels, INT's reference.
    #[vmstate(flatten)]
    regs: StateCell<Pcf8574Regs>,
    /// GPIO output 0: INT asserted; follows the port (the PLIC saves the
    /// level it last saw).
    #[vmstate(skip)]
    int: InterruptSource,
    /// GPIO outputs 1..8: the pin levels; follow the port.
    #[vmstate(skip)]
    pins: [InterruptSource; NUM_PINS],
}

// SAFETY: instances of "pcf8574-rust" are Pcf8574State (registered
// below with size_of::<Pcf8574State>()).
unsafe impl ObjectType for Pcf8574State {
    const TYPE_NAME: &'static core::ffi::CStr = c"pcf8574-rust";
}
rivet_qom::qom_isa!(Pcf8574State: I2CTargetDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

impl Pcf8574State {
    /// Drives the pin lines and INT from the port, firing the probes for
    /// what changed.
    fn update_outputs(&self) {
        let (pins, int) = {
            let regs = self.regs.borrow();
            (regs.pins(), regs.int_asserted())
        };
        for (n, line) in self.pins.iter().enumerate() {
            let level = pins & (1 << n) != 0;
            if level != line.level() {
                probes::pcf8574_pin(n as u32, level.into());
            }
            line.set(level);
        }
        if int != self.int.level() {
            probes::pcf8574_int(int.into());
        }
        self.int.set(int);
    }

    /// The `in<pin>` property: 1 when the outside drives the pin high or
    /// leaves it to the pull-up.
    fn input(&self, pin: usize) -> u64 {
        ((self.regs.borrow().inputs >> pin) & 1).into()
    }

    fn set_input(&self, pin: usize, value: u64) -> Result<()> {
        let high = match value {
            0 => false,
            1 => true,
            _ => {
                return Err(Error::new(format!(
                    "pcf8574: in{pin} is 0 (driven low) or 1 (driven high or undriven), not {value}"
                )))
            }
        };
        self.regs.borrow_mut().set_input(pin, high);
        self.update_outputs();
        Ok(())
    }
}

/// The dynamic property `in<pin>` of each pin.
macro_rules! input_properties {
    ($($pin:literal => $name:literal),* $(,)?) => {
        &[$(DynamicProperty {
            name: $name,
            description: c"level applied to the pin from outside: 0 low, 1 high or undriven",
            ty: rivet_qom::PropType::PROP_TYPE_UINT8,
            get: |dev: &Pcf8574State| dev.input($pin),
            set: |dev: &Pcf8574State, value| dev.set_input($pin, value),
        }),*]
    };
}

impl I2CTarget for Pcf8574State {
    /// The PCF8574's fixed address bits 0100, with A2..A0 low.
    const DEFAULT_ADDRESS: u8 = 0x20;

    fn send(&self, byte: u8) -> bool {
        probes::pcf8574_write(byte.into());
        self.regs.borrow_mut().write(byte);
        self.update_outputs();
        true
    }

    fn recv(&self) -> u8 {
        let byte = self.regs.borrow_mut().read();
        probes::pcf8574_read(byte.into());
        self.update_outputs();
        byte
    }
}

impl ObjectImpl for Pcf8574State {
    type ParentType = I2CTargetDevice;

    fn init() -> impl PinInit<Self> {
        pin_init!(Self {
            parent_obj <- ParentField::initialised_by_c(),
            regs: StateCell::default(),
            int: InterruptSource::new(),
            pins: Default::default(),
        })
    }

    fn instance_init(&self) {
        // SAFETY: the outputs are fields of this QOM object, which never
        // moves.
        unsafe {
            self.init_gpio_out(core::slice::from_ref(&self.int));
            self.init_gpio_out(&self.pins);
        }
    }
}

impl DeviceImpl for Pcf8574State {
    const DESCRIPTION: Option<&'static core::ffi::CStr> =
        Some(c"NXP PCF8574 8-bit I2C GPIO expander (Rust)");
    const REGISTERS: Option<fn(&Self) -> String> = Some(|dev| dev.regs.borrow().registers_text());
    const VMSD: Option<&'static rivet_migration::VMStateDescription> =
        Some(<Self as VMStateDescribed>::VMSD);
    const DYNAMIC_PROPERTIES: &'static [DynamicProperty<Self>] = input_properties!(
        0 => c"in0", 1 => c"in1", 2 => c"in2", 3 => c"in3",
        4 => c"in4", 5 => c"in5", 6 => c"in6", 7 => c"in7",
    );

    fn reset(&self) {
        self.regs.borrow_mut().reset();
        self.update_outputs();
    }
}

rivet_qom::module_init! {
    rivet_i2c::register_i2c_target::<Pcf8574State>();
}

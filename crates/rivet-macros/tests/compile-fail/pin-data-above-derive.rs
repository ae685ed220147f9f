// #[qom_pin_data] removes the #[vmstate] attributes: a derive below it,
// which would run afterwards, would never see them.
use rivet_hwcore::prelude::*;
use rivet_macros::{qom_pin_data, VMState};

#[qom_pin_data]
#[derive(VMState)]
pub struct Regs {
    #[vmstate(skip)]
    scratch: u32,
    ctrl: u32,
}

// expect-error: 7:1: #[derive(...)] must come before #[qom_pin_data]

// Two fields exposed under the same property name.
use core::cell::Cell;

use rivet_macros::Device;

#[derive(Device)]
pub struct Twice {
    #[property(name = "size")]
    width: Cell<u32>,
    #[property(name = "size")]
    height: Cell<u32>,
}

// expect-error: 10:23: property "size" is defined twice

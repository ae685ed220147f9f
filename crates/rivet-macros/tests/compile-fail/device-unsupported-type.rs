// A property on a field type qdev cannot store (no rivet::qdev::PropertyType).
use core::cell::Cell;

use rivet_macros::Device;

#[derive(Device)]
pub struct Clock {
    #[property(name = "frequency")]
    frequency: Cell<f32>,
}

// expect-error: 9:16: the trait bound `Cell<f32>: PropertyType` is not satisfied

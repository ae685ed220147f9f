// A property on a field type qdev cannot store (no rivet_qom::PropertyType).
use core::cell::Cell;

use rivet_macros::Device;

#[derive(Device)]
pub struct Clock {
    #[property(name = "frequency")]
    frequency: Cell<f32>,
}

// expect-error: 9:16: the trait bound `Cell<f32>: rivet_qom::PropertyType` is not satisfied

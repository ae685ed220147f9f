// The same key twice in one #[property(...)].
use core::cell::Cell;

use rivet_macros::Device;

#[derive(Device)]
pub struct Again {
    #[property(name = "a", default = 1, default = 2)]
    a: Cell<u32>,
}

// expect-error: 8:41: `default` is given twice

// A misspelt key of #[property(...)].
use core::cell::Cell;

use rivet_macros::Device;

#[derive(Device)]
pub struct Timer {
    #[property(name = "timers", defualt = 3)]
    num_timers: Cell<u8>,
}

// expect-error: 8:33: unknown key in #[property(...)]; expected name, default or desc

// A misspelt key of a field's #[vmstate(...)].
use rivet_macros::VMState;

#[derive(VMState)]
pub struct Regs {
    #[vmstate(maks = 0xff)]
    pub ctrl: u32,
}

// expect-error: 6:15: unknown key in #[vmstate(...)] on a field

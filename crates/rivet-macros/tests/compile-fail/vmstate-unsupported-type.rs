// A migration field whose type has no wire type: reported at the field.
use rivet_macros::VMState;

#[derive(VMState)]
pub struct Regs {
    pub ctrl: u32,
    pub label: String,
}

// expect-error: 7:16: `String` cannot be a migration field

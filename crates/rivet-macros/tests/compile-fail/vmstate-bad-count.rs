// A variable-length array counted by a u16 (C counts in u8 or u32 only):
// reported at the count field.
use rivet_macros::VMState;

#[derive(VMState)]
pub struct Queue {
    pub count: u16,
    #[vmstate(varray_count = count)]
    pub entries: [u32; 8],
}

// expect-error: 7:16: `u16` cannot count a variable-length migration array

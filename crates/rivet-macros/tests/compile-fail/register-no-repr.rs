// Offsets are compared as u64: the enum must be #[repr(u64)].
use rivet_macros::RegisterOffset;

#[derive(Clone, Copy, RegisterOffset)]
pub enum Register {
    Data = 0x00,
    Flags = 0x18,
}

// expect-error: 5:10: #[derive(RegisterOffset)] needs #[repr(u64)]

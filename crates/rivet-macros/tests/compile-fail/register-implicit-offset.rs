// Every register gives its offset explicitly.
use rivet_macros::RegisterOffset;

#[repr(u64)]
#[derive(Clone, Copy, RegisterOffset)]
pub enum Register {
    Data = 0x00,
    Flags,
}

// expect-error: 8:5: give the register's offset explicitly

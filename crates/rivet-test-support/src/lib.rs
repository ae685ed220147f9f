//! Test helpers shared by the device crates (a dev-dependency of each):
//!
//! - [`migration`]: a Rust twin's description against its C counterpart's,
//!   field by field ([`same_section_as_c!`] writes the test);
//! - [`lifecycle`]: create, use and free a device many times, checking
//!   that it leaves nothing behind ([`lifecycle::create_and_free`]);
//! - [`guest_ram`]: guest RAM for a DMA device's tests
//!   ([`guest_ram::TestRam`]).

#[cfg(target_pointer_width = "64")]
pub mod guest_ram;
pub mod lifecycle;
pub mod migration;

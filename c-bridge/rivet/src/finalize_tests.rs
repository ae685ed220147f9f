//! Finalizing a Rust object releases what its fields own (issue 9, item
//! 16): the fields are dropped, and a [`MemoryRegion`] among them is
//! destroyed, detached from its container as the C devices'
//! `memory_region_destroy` does.  Before, the region stayed linked into
//! its container from freed memory and its name leaked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use crate::cell::{Opaque, Zeroable};
use crate::memory::{MemoryRegion, MmioOps};
use crate::qom::{self, Object, ObjectImpl, ObjectType, Owned, ParentField};
use memory_sys as sys;

/// How many `DropCounter`s were dropped.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// A field that counts its drops.
struct DropCounter;

// SAFETY: it has no bytes.
unsafe impl Zeroable for DropCounter {}

impl Drop for DropCounter {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

#[repr(C)]
struct RegionOwner {
    parent: ParentField<Object>,
    iomem: MemoryRegion,
    counter: DropCounter,
}

// SAFETY: every field is Zeroable.
unsafe impl Zeroable for RegionOwner {}
// SAFETY: instances of "rivet-test-region-owner" are RegionOwner
// (registered with its size below).
unsafe impl ObjectType for RegionOwner {
    const TYPE_NAME: &'static std::ffi::CStr = c"rivet-test-region-owner";
}
crate::qom_isa!(RegionOwner: Object);

impl MmioOps for RegionOwner {
    fn read(&self, _addr: u64, _size: u32) -> u64 {
        0
    }
    fn write(&self, _addr: u64, _value: u64, _size: u32) {}
}

impl ObjectImpl for RegionOwner {
    type ParentType = Object;

    fn instance_init(&self) {
        // SAFETY: the region and its ops (self) are fields of this object,
        // which never moves.
        unsafe { self.iomem.init_io(self, self, c"region-owner", 0x100) };
    }
}

#[test]
fn finalize_drops_the_fields_and_destroys_the_region() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(qom::register_type::<RegionOwner>);

    // A container that outlives the objects, as the board's system memory.
    // SAFETY: an all-zero region is what memory_region_init expects.
    let container: Box<Opaque<sys::MemoryRegion>> = Box::new(unsafe { Opaque::zeroed() });
    // SAFETY: a zeroed region that stays in place (boxed); C copies the name.
    unsafe {
        sys::memory_region_init(
            container.as_mut_ptr(),
            std::ptr::null_mut(),
            c"container".as_ptr(),
            0x1000,
        );
    }
    let before = DROPPED.load(Ordering::SeqCst);
    for round in 0..100 {
        let owner = Owned::<RegionOwner>::new().unwrap();
        // SAFETY: both regions are initialised; the container outlives
        // this mapping.
        unsafe {
            sys::memory_region_add_subregion(container.as_mut_ptr(), 0, owner.iomem.as_mut_ptr());
        }
        drop(owner);
        // SAFETY: reading a field of the live container.
        let subregions = unsafe { (*container.as_ptr()).subregions };
        assert!(
            subregions.is_null(),
            "round {round}: the freed region is still mapped"
        );
        assert_eq!(DROPPED.load(Ordering::SeqCst) - before, round + 1);
    }
    // SAFETY: an initialised region with no subregions left.
    unsafe { sys::memory_region_destroy(container.as_mut_ptr()) };
}

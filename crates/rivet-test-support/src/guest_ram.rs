//! Guest RAM for a DMA device's unit tests: RAM blocks at chosen guest
//! addresses in an address space of their own, seen through rivet-memory's
//! vm-memory implementation as the device sees the machine's.

use std::mem::MaybeUninit;

use rivet_memory::bindings as sys;
use rivet_memory::{AddressSpace, GuestRam, MemoryRegion};
use rivet_qom::Owned;

rivet_qom::c_object_type!(
    /// The owner of the test's regions: a plain C `container` object.
    Container(rivet_qom::bindings::Object) = rivet_qom::bindings::TYPE_CONTAINER,
    isa: rivet_qom::Object
);

/// RAM blocks in an address space of their own; everything else is a hole.
pub struct TestRam {
    _owner: Owned<Container>,
    _root: Box<MemoryRegion>,
    _blocks: Vec<MemoryRegion>,
    space: Box<MaybeUninit<sys::AddressSpace>>,
}

impl TestRam {
    /// RAM blocks of `(guest address, size)`, zero-filled.
    pub fn new(blocks: &[(u64, u64)]) -> Self {
        let owner = Owned::<Container>::new().expect("a container object");
        let root = Box::new(MemoryRegion::new());
        let regions: Vec<MemoryRegion> = blocks.iter().map(|_| MemoryRegion::new()).collect();
        let space: Box<MaybeUninit<sys::AddressSpace>> = Box::new(MaybeUninit::zeroed());
        // SAFETY: the root and the space are boxed and the blocks sit in a
        // Vec that is never resized, so none of them moves; they live in
        // the returned value, which destroys the space first; the names
        // are copied.
        unsafe {
            sys::memory_region_init(
                root.as_mut_ptr(),
                owner.as_raw(),
                c"test-ram".as_ptr(),
                u64::MAX,
            );
            for (mr, &(base, size)) in regions.iter().zip(blocks) {
                assert!(sys::memory_region_init_ram(
                    mr.as_mut_ptr(),
                    owner.as_raw(),
                    c"ram".as_ptr(),
                    size,
                    std::ptr::null_mut()
                ));
                sys::memory_region_add_subregion(root.as_mut_ptr(), base, mr.as_mut_ptr());
            }
            sys::address_space_init(
                space.as_ptr().cast_mut(),
                root.as_mut_ptr(),
                c"test".as_ptr(),
            );
        }
        Self {
            _owner: owner,
            _root: root,
            _blocks: regions,
            space,
        }
    }

    /// The address space.
    pub fn space(&self) -> &AddressSpace {
        // SAFETY: initialised in new(), destroyed in drop().
        unsafe { AddressSpace::from_raw(self.space.as_ptr().cast_mut()) }
    }

    /// Its RAM as vm-memory guest memory.
    pub fn ram(&self) -> GuestRam {
        self.space().guest_ram()
    }
}

impl Drop for TestRam {
    fn drop(&mut self) {
        // SAFETY: initialised in new(); the regions are dropped after.
        unsafe { sys::address_space_destroy(self.space.as_mut_ptr()) };
    }
}

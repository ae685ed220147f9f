//! Guest memory for DMA by Rust devices: rust-vmm's vm-memory traits over
//! the C address space.
//!
//! [`GuestRam`] is a view of the RAM blocks of an [`AddressSpace`] as
//! vm-memory's [`GuestMemoryBackend`]: each RAM piece of the flat view is
//! one [`RamRegion`], reached through its host pointer, without copies.
//! An address that hits no RAM (a hole, or an MMIO register) is in no
//! region, so vm-memory answers `InvalidGuestAddress` (or a partial
//! access) and the device sees the error; nothing in between is read or
//! written.  Devices use it through vm-memory's `Bytes` and `GuestMemory`
//! traits, or put it behind an IOMMU (`vm_memory::IommuMemory`,
//! rivet-hwcore's `iommu` module).

use std::cell::UnsafeCell;

use memory_sys as sys;
use rivet_util::cell::Opaque;
use vm_memory::bitmap::BS;
use vm_memory::guest_memory::Result as GuestMemoryResult;
use vm_memory::{
    GuestAddress, GuestMemoryBackend, GuestMemoryError, GuestMemoryRegion, GuestMemoryRegionBytes,
    GuestUsize, MemoryRegionAddress, VolatileSlice,
};

/// An address space of the C core (`AddressSpace`): what a device's DMA
/// goes through.
#[repr(transparent)]
#[derive(Debug)]
pub struct AddressSpace(Opaque<sys::AddressSpace>);

impl AddressSpace {
    /// The machine's system address space.
    pub fn system() -> &'static Self {
        // SAFETY: the system address space is a static of the C core,
        // initialised on first use and never freed; AddressSpace is a
        // transparent wrapper of it.
        unsafe { Self::from_raw(sys::get_address_space_memory()) }
    }

    /// Wraps a C address space.
    ///
    /// # Safety
    ///
    /// `space` must be initialised and outlive `'a`.
    pub unsafe fn from_raw<'a>(space: *mut sys::AddressSpace) -> &'a Self {
        // SAFETY: AddressSpace is #[repr(transparent)] over the C struct;
        // validity and lifetime are the caller's.
        unsafe { &*space.cast::<Self>() }
    }

    /// The C address space.
    pub const fn as_mut_ptr(&self) -> *mut sys::AddressSpace {
        self.0.as_mut_ptr()
    }

    /// Bumped by the C core whenever the flat view changes: a
    /// [`GuestRam`] taken at another generation is out of date.
    pub fn generation(&self) -> u64 {
        // SAFETY: a plain field of an initialised address space, written
        // only by the (single-threaded) C core.
        unsafe { (*self.as_mut_ptr()).generation }
    }

    /// Its RAM as vm-memory guest memory, as the flat view is now.
    pub fn guest_ram(&self) -> GuestRam {
        // SAFETY: ranges/nr_ranges describe the flat view's array, which
        // stays valid until the next topology change (we copy out of it
        // right away).
        let ranges = unsafe {
            let space = &*self.as_mut_ptr();
            if space.ranges.is_null() {
                &[][..]
            } else {
                std::slice::from_raw_parts(space.ranges, space.nr_ranges)
            }
        };
        let regions = ranges
            .iter()
            .filter_map(|range| {
                // SAFETY: every flat range points at a live region.
                let mr = unsafe { &*range.mr };
                if mr.kind != sys::MemoryRegionKind::MR_KIND_RAM {
                    return None;
                }
                // SAFETY: a RAM region's host memory is reserved (lazily
                // committed) by memory_region_get_ram_ptr; the flat range
                // lies inside the region.
                let base = unsafe { sys::memory_region_get_ram_ptr(range.mr) };
                if base.is_null() {
                    return None;
                }
                Some(RamRegion {
                    start: GuestAddress(range.start),
                    len: range.size,
                    // SAFETY: offset_in_region + size <= the region's size.
                    host: unsafe { base.add(range.offset_in_region as usize) }.cast(),
                })
            })
            .collect();
        GuestRam {
            regions,
            generation: self.generation(),
        }
    }
}

/// One piece of RAM of the flat view: `len` bytes of guest memory from
/// `start`, at host address `host`.
#[derive(Debug)]
pub struct RamRegion {
    start: GuestAddress,
    len: GuestUsize,
    /// Guest RAM that the guest and C devices also write: only reached
    /// through volatile accesses (VolatileSlice), never a plain `&`.
    host: *mut UnsafeCell<u8>,
}

impl GuestMemoryRegion for RamRegion {
    type B = ();

    fn len(&self) -> GuestUsize {
        self.len
    }

    fn start_addr(&self) -> GuestAddress {
        self.start
    }

    fn bitmap(&self) -> BS<'_, ()> {}

    fn get_host_address(&self, addr: MemoryRegionAddress) -> GuestMemoryResult<*mut u8> {
        self.check_address(addr)
            .ok_or(GuestMemoryError::InvalidBackendAddress)
            // SAFETY: addr < len, inside the block.
            .map(|addr| unsafe { self.host.cast::<u8>().add(addr.0 as usize) })
    }

    fn get_slice(
        &self,
        offset: MemoryRegionAddress,
        count: usize,
    ) -> GuestMemoryResult<VolatileSlice<'_, ()>> {
        let end = offset.0.checked_add(count as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(GuestMemoryError::InvalidBackendAddress);
        }
        // SAFETY: [offset, offset + count) lies inside the RAM block, which
        // the C core keeps mapped while the region exists (RAM is freed
        // only when the machine is torn down, after its devices); every
        // other user (the CPU, C devices) accesses it as plain memory from
        // this same thread, so no access races with the slice's.
        Ok(unsafe { VolatileSlice::new(self.host.cast::<u8>().add(offset.0 as usize), count) })
    }
}

impl GuestMemoryRegionBytes for RamRegion {}

/// The RAM of an address space as vm-memory guest memory
/// ([`AddressSpace::guest_ram`]).  It describes the flat view of one
/// generation: a device takes a new one when
/// [`is_current`](Self::is_current) says the view changed.
#[derive(Debug)]
pub struct GuestRam {
    /// Sorted by address, not overlapping (the flat view's order).
    regions: Vec<RamRegion>,
    generation: u64,
}

impl GuestRam {
    /// Whether `space`'s flat view is still the one this was taken from.
    pub fn is_current(&self, space: &AddressSpace) -> bool {
        self.generation == space.generation()
    }
}

impl GuestMemoryBackend for GuestRam {
    type R = RamRegion;

    fn num_regions(&self) -> usize {
        self.regions.len()
    }

    fn find_region(&self, addr: GuestAddress) -> Option<&RamRegion> {
        let i = self.regions.partition_point(|r| r.start <= addr);
        let region = self.regions.get(i.checked_sub(1)?)?;
        (addr.0 - region.start.0 < region.len).then_some(region)
    }

    fn iter(&self) -> impl Iterator<Item = &RamRegion> {
        self.regions.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::mem::MaybeUninit;

    use rivet_qom::Owned;
    use vm_memory::{Bytes, GuestMemory, Permissions};

    use super::*;
    use crate::{AccessSizes, MemoryRegion, MmioOps};

    rivet_qom::c_object_type!(
        /// The owner of the test regions: a plain C `container` object.
        Container(rivet_qom::bindings::Object) = rivet_qom::bindings::TYPE_CONTAINER,
        isa: rivet_qom::Object
    );

    /// A register that reads as 0x5a: DMA must never reach it.
    struct Register;
    impl MmioOps for Register {
        const VALID: AccessSizes = AccessSizes::new(1, 8);
        const IMPL: AccessSizes = AccessSizes::new(1, 8);
        fn read(&self, _addr: u64, _size: u32) -> u64 {
            0x5a
        }
        fn write(&self, _addr: u64, _value: u64, _size: u32) {
            panic!("DMA reached an MMIO register");
        }
    }

    /// 0x1000..0x3000 RAM (two blocks, back to back), a hole, 0x4000..0x4100
    /// MMIO, 0x8000..0x9000 RAM.
    struct Board {
        _owner: Owned<Container>,
        root: Box<MemoryRegion>,
        blocks: Vec<MemoryRegion>,
        _register: Box<Register>,
        space: Box<MaybeUninit<sys::AddressSpace>>,
    }

    impl Board {
        fn new() -> Self {
            let owner = Owned::<Container>::new().unwrap();
            let root = Box::new(MemoryRegion::new());
            let register = Box::new(Register);
            let blocks: Vec<MemoryRegion> = (0..4).map(|_| MemoryRegion::new()).collect();
            let space: Box<MaybeUninit<sys::AddressSpace>> = Box::new(MaybeUninit::zeroed());
            // SAFETY: the root and the space are boxed and the blocks sit
            // in a Vec never resized, so nothing moves; all outlive the
            // address space (Drop); names are copied.
            unsafe {
                let o = owner.as_raw();
                sys::memory_region_init(root.as_mut_ptr(), o, c"root".as_ptr(), 1 << 20);
                for (mr, (base, size)) in
                    blocks[..3]
                        .iter()
                        .zip([(0x1000, 0x1000), (0x2000, 0x1000), (0x8000, 0x1000)])
                {
                    assert!(sys::memory_region_init_ram(
                        mr.as_mut_ptr(),
                        o,
                        c"ram".as_ptr(),
                        size,
                        std::ptr::null_mut()
                    ));
                    sys::memory_region_add_subregion(root.as_mut_ptr(), base, mr.as_mut_ptr());
                }
                blocks[3].init_io(&*owner, &*register, c"register", 0x100);
                sys::memory_region_add_subregion(root.as_mut_ptr(), 0x4000, blocks[3].as_mut_ptr());
                sys::address_space_init(
                    space.as_ptr().cast_mut(),
                    root.as_mut_ptr(),
                    c"dma".as_ptr(),
                );
            }
            Self {
                _owner: owner,
                root,
                blocks,
                _register: register,
                space,
            }
        }

        fn space(&self) -> &AddressSpace {
            // SAFETY: initialised in new(), destroyed in drop().
            unsafe { AddressSpace::from_raw(self.space.as_ptr().cast_mut()) }
        }

        /// What the CPU would read: the C dispatch's view.
        fn c_read(&self, addr: u64, len: usize) -> Vec<u8> {
            let mut buf = vec![0; len];
            // SAFETY: an initialised space, buf of len bytes.
            let r = unsafe {
                sys::address_space_read(
                    self.space().as_mut_ptr(),
                    addr,
                    buf.as_mut_ptr().cast(),
                    len,
                )
            };
            assert_eq!(r, sys::MemTxResult::MEMTX_OK);
            buf
        }
    }

    impl Drop for Board {
        fn drop(&mut self) {
            // SAFETY: initialised in new(), not used after.
            unsafe { sys::address_space_destroy(self.space.as_mut_ptr().cast()) };
            self.blocks.clear();
            let _ = &self.root;
        }
    }

    #[test]
    fn ram_is_read_and_written_in_place() {
        let board = Board::new();
        let ram = board.space().guest_ram();
        assert_eq!(ram.num_regions(), 3, "the MMIO register is not guest RAM");
        // Stored little-endian, as the guest would: the same bytes on a
        // big-endian host.
        ram.write_obj(0x1122_3344_u32.to_le(), GuestAddress(0x1010))
            .unwrap();
        assert_eq!(board.c_read(0x1010, 4), [0x44, 0x33, 0x22, 0x11]);
        ram.write_slice(b"abc", GuestAddress(0x8ffd)).unwrap();
        assert_eq!(board.c_read(0x8ffd, 3), b"abc");
        // The same bytes through the host pointer: no copy in between.
        let region = ram.find_region(GuestAddress(0x1010)).unwrap();
        let host = region.get_host_address(MemoryRegionAddress(0x10)).unwrap();
        // SAFETY: a byte of the test's RAM block, read on this thread.
        assert_eq!(unsafe { host.read() }, 0x44);
        assert_eq!(
            u32::from_le(ram.read_obj::<u32>(GuestAddress(0x1010)).unwrap()),
            0x1122_3344
        );
    }

    #[test]
    fn a_range_crossing_into_the_next_block_is_one_access() {
        let board = Board::new();
        let ram = board.space().guest_ram();
        let data: Vec<u8> = (0..32).collect();
        ram.write_slice(&data, GuestAddress(0x1ff0)).unwrap();
        assert_eq!(board.c_read(0x1ff0, 32), data);
        let mut back = [0; 32];
        ram.read_slice(&mut back, GuestAddress(0x1ff0)).unwrap();
        assert_eq!(back[..], data[..]);
        assert!(GuestMemoryBackend::check_range(
            &ram,
            GuestAddress(0x1000),
            0x2000
        ));
    }

    #[test]
    fn holes_and_mmio_are_errors_not_accesses() {
        let board = Board::new();
        let ram = board.space().guest_ram();
        for addr in [0x0, 0x3000, 0x4000, 0x4010, 0x9000, u64::MAX] {
            assert!(
                matches!(
                    ram.read_obj::<u32>(GuestAddress(addr)),
                    Err(GuestMemoryError::InvalidGuestAddress(_))
                ),
                "{addr:#x}"
            );
            assert!(
                ram.write_obj(1_u32, GuestAddress(addr)).is_err(),
                "{addr:#x}"
            );
        }
        // Running off the end of RAM into the hole: an error, and
        // vm-memory reports how much it did before the hole.
        let before = board.c_read(0x2ffe, 2);
        assert!(matches!(
            ram.write_slice(&[7; 8], GuestAddress(0x2ffe)),
            Err(GuestMemoryError::PartialBuffer {
                expected: 8,
                completed: 2
            })
        ));
        assert_ne!(before, board.c_read(0x2ffe, 2));
        assert!(!GuestMemoryBackend::check_range(
            &ram,
            GuestAddress(0x2000),
            0x1001
        ));
        // A length that wraps the address space.
        assert!(!GuestMemoryBackend::check_range(
            &ram,
            GuestAddress(0x8000),
            usize::MAX
        ));
    }

    #[test]
    fn the_guest_memory_trait_gives_slices_and_permissions_pass() {
        let board = Board::new();
        let ram = board.space().guest_ram();
        let slices: Vec<_> =
            GuestMemory::get_slices(&ram, GuestAddress(0x1ff0), 0x20, Permissions::Write)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(
            slices.iter().map(|s| s.len()).collect::<Vec<_>>(),
            [0x10, 0x10]
        );
        assert!(
            GuestMemory::get_slices(&ram, GuestAddress(0x3000), 1, Permissions::Read)
                .unwrap()
                .next()
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn a_topology_change_makes_the_view_stale() {
        let board = Board::new();
        let ram = board.space().guest_ram();
        assert!(ram.is_current(board.space()));
        // SAFETY: a subregion of the test root, still alive.
        unsafe { sys::memory_region_set_enabled(board.blocks[2].as_mut_ptr(), false) };
        assert!(!ram.is_current(board.space()));
        let now = board.space().guest_ram();
        assert!(now.read_obj::<u8>(GuestAddress(0x8000)).is_err());
        assert_eq!(now.num_regions(), 2);
    }

    #[test]
    fn the_system_address_space_is_reachable() {
        let space = AddressSpace::system();
        let ram = space.guest_ram();
        assert!(ram.is_current(space));
    }
}

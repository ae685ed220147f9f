//! The safe Rust API of rivet's C memory library (include/memory/): MMIO
//! regions whose read and write callbacks are Rust methods.
//!
//! A device implements [`MmioOps`] and embeds a [`MemoryRegion`]; the C
//! core's dispatch checks access sizes (`VALID`), splits or widens accesses
//! to what the callbacks implement (`IMPL`) and converts byte order, so the
//! callbacks only see accesses they declared.
//!
//! [`guest_memory`] gives Rust devices DMA: rust-vmm's vm-memory traits over
//! the C address space (docs/virtio.md).  64-bit hosts only: vm-memory
//! refuses to build for a 32-bit target (docs/cross.md).

use std::ffi::{c_uint, c_void, CStr};
use std::marker::PhantomData;

use memory_sys as sys;
use rivet_qom::{IsA, Object};
use rivet_util::cell::Opaque;

#[cfg(target_pointer_width = "64")]
pub mod guest_memory;
#[cfg(target_pointer_width = "64")]
pub use guest_memory::{AddressSpace, GuestRam};
/// The vm-memory crate the guest-memory types implement, for devices.
#[cfg(target_pointer_width = "64")]
pub use vm_memory;

/// The raw bindings of `memory-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use memory_sys as bindings;

/// What a device crate usually needs from this crate.
pub mod prelude {
    pub use crate::{AccessSizes, Endianness, MemoryRegion, MmioOps};
}

/// Byte order of a device's registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endianness {
    /// Little-endian, like the guest.
    Little,
    /// Big-endian: dispatch swaps bytes.
    Big,
}

/// Access sizes in bytes (1, 2, 4 or 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessSizes {
    /// Smallest access.
    pub min: u32,
    /// Largest access.
    pub max: u32,
    /// Whether accesses need not be aligned to their size.
    pub unaligned: bool,
}

impl AccessSizes {
    /// Accesses of `min..=max` bytes, aligned.
    ///
    /// ```
    /// let sizes = rivet_memory::AccessSizes::new(1, 4);
    /// assert_eq!((sizes.min, sizes.max, sizes.unaligned), (1, 4, false));
    /// ```
    pub const fn new(min: u32, max: u32) -> Self {
        Self {
            min,
            max,
            unaligned: false,
        }
    }

    const fn to_c(self) -> sys::MemAccessSizes {
        sys::MemAccessSizes {
            min_access_size: self.min,
            max_access_size: self.max,
            unaligned: self.unaligned,
        }
    }
}

/// The registers of a device: called for each guest access to its region.
pub trait MmioOps: 'static {
    /// Byte order of the registers.
    const ENDIANNESS: Endianness = Endianness::Little;
    /// What the guest may do; other accesses fail (a bus error).
    const VALID: AccessSizes = AccessSizes::new(1, 4);
    /// What the callbacks handle; dispatch adapts other valid accesses.
    const IMPL: AccessSizes = AccessSizes::new(1, 4);

    /// A read of `size` bytes at offset `addr` in the region.
    fn read(&self, addr: u64, size: u32) -> u64;
    /// A write of `size` bytes at offset `addr` in the region.
    fn write(&self, addr: u64, value: u64, size: u32);
}

/// # Safety
///
/// `opaque` must be the `T` given to [`MemoryRegion::init_io`].
unsafe extern "C" fn mmio_read<T: MmioOps>(opaque: *mut c_void, addr: u64, size: c_uint) -> u64 {
    // SAFETY: opaque is a live T (init_io's contract).
    unsafe { &*opaque.cast::<T>() }.read(addr, size)
}

/// # Safety
///
/// `opaque` must be the `T` given to [`MemoryRegion::init_io`].
unsafe extern "C" fn mmio_write<T: MmioOps>(
    opaque: *mut c_void,
    addr: u64,
    value: u64,
    size: c_uint,
) {
    // SAFETY: opaque is a live T (init_io's contract).
    unsafe { &*opaque.cast::<T>() }.write(addr, value, size);
}

/// One `MemoryRegionOps` per `T`, in static memory.
struct OpsFor<T>(PhantomData<T>);

impl<T: MmioOps> OpsFor<T> {
    const OPS: sys::MemoryRegionOps = sys::MemoryRegionOps {
        read: Some(mmio_read::<T>),
        write: Some(mmio_write::<T>),
        endianness: match T::ENDIANNESS {
            Endianness::Little => sys::DeviceEndian::DEVICE_LITTLE_ENDIAN,
            Endianness::Big => sys::DeviceEndian::DEVICE_BIG_ENDIAN,
        },
        valid: T::VALID.to_c(),
        impl_: T::IMPL.to_c(),
    };
}

/// A memory region embedded in a device.
#[repr(transparent)]
#[derive(Debug)]
pub struct MemoryRegion(Opaque<sys::MemoryRegion>);

impl Default for MemoryRegion {
    fn default() -> Self {
        Self::new()
    }
}

/// Destroying the region when its owner is finalized unmaps it and frees
/// its name, as C devices do in their `instance_finalize`.
impl Drop for MemoryRegion {
    fn drop(&mut self) {
        // SAFETY: an initialised or zeroed region (destroying a zeroed one
        // does nothing); nothing uses it after its owner is finalized.
        unsafe { sys::memory_region_destroy(self.0.as_mut_ptr()) };
    }
}

impl MemoryRegion {
    /// A region not set up yet (all zeroes, as C expects before
    /// `memory_region_init_io`), for a device's [`init`](rivet_qom::ObjectImpl::init).
    pub const fn new() -> Self {
        // SAFETY: the C core's MemoryRegion is valid zeroed before its init.
        Self(unsafe { Opaque::zeroed() })
    }

    /// Make this an MMIO region of `size` bytes named `name`, owned by
    /// `owner`, whose accesses call `ops`.
    ///
    /// # Safety
    ///
    /// The region and `ops` must not move or be freed while the region can
    /// be accessed: embed both in the QOM object `owner` (usually `ops` is
    /// the owner itself) and call this from `instance_init` or `realize`;
    /// the region is destroyed when the owner's fields are dropped.
    pub unsafe fn init_io<O: IsA<Object>, T: MmioOps>(
        &self,
        owner: &O,
        ops: &T,
        name: &CStr,
        size: u64,
    ) {
        let ops_table: &'static sys::MemoryRegionOps = &OpsFor::<T>::OPS;
        // SAFETY: self and ops stay valid (caller); C copies the name.
        unsafe {
            sys::memory_region_init_io(
                self.0.as_mut_ptr(),
                IsA::<Object>::upcast(owner).as_raw(),
                ops_table,
                std::ptr::from_ref(ops).cast_mut().cast(),
                name.as_ptr(),
                size,
            );
        }
    }

    /// The region's size in bytes.
    pub fn size(&self) -> u64 {
        // SAFETY: reading a plain field of an initialised region.
        unsafe { (*self.0.as_ptr()).size }
    }

    /// The C region, for sysbus and the board.
    pub const fn as_mut_ptr(&self) -> *mut sys::MemoryRegion {
        self.0.as_mut_ptr()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::mem::MaybeUninit;

    use rivet_qom::Owned;

    use super::*;

    /// A register bank that records the accesses the C dispatch hands it.
    #[derive(Default)]
    struct Bank {
        accesses: RefCell<Vec<(char, u64, u64, u32)>>,
        reg: Cell<u32>,
    }

    impl MmioOps for Bank {
        const VALID: AccessSizes = AccessSizes::new(2, 8);
        const IMPL: AccessSizes = AccessSizes::new(4, 4);
        fn read(&self, addr: u64, size: u32) -> u64 {
            self.accesses.borrow_mut().push(('r', addr, 0, size));
            u64::from(self.reg.get()) + addr
        }
        fn write(&self, addr: u64, value: u64, size: u32) {
            self.accesses.borrow_mut().push(('w', addr, value, size));
            self.reg.set(value as u32);
        }
    }

    rivet_qom::c_object_type!(
        /// The owner of the test regions: a plain C `container` object.
        Container(rivet_qom::bindings::Object) = rivet_qom::bindings::TYPE_CONTAINER,
        isa: Object
    );

    const BASE: u64 = 0x1000;

    /// An address space whose root container maps `mr` at [`BASE`].
    struct Bus {
        root: MemoryRegion,
        space: Box<MaybeUninit<sys::AddressSpace>>,
    }

    impl Bus {
        fn new(owner: &Container, mr: &MemoryRegion) -> Box<Self> {
            let bus = Box::new(Self {
                root: MemoryRegion::new(),
                space: Box::new(MaybeUninit::zeroed()),
            });
            // SAFETY: the root and space are boxed (they never move) and
            // outlive the mapping; the name is copied.
            unsafe {
                sys::memory_region_init(
                    bus.root.as_mut_ptr(),
                    owner.as_raw(),
                    c"test-root".as_ptr(),
                    0x10000,
                );
                sys::memory_region_add_subregion(bus.root.as_mut_ptr(), BASE, mr.as_mut_ptr());
                sys::address_space_init(bus.as_ptr(), bus.root.as_mut_ptr(), c"test".as_ptr());
            }
            bus
        }
        fn as_ptr(&self) -> *mut sys::AddressSpace {
            self.space.as_ptr().cast_mut()
        }
        fn load(&self, addr: u64, size: u32) -> Option<u64> {
            let mut value = 0;
            // SAFETY: an initialised address space.
            let r = unsafe { sys::address_space_ld(self.as_ptr(), addr, size, &raw mut value) };
            matches!(r, sys::MemTxResult::MEMTX_OK).then_some(value)
        }
        fn store(&self, addr: u64, size: u32, value: u64) -> bool {
            // SAFETY: an initialised address space.
            let r = unsafe { sys::address_space_st(self.as_ptr(), addr, size, value) };
            matches!(r, sys::MemTxResult::MEMTX_OK)
        }
        fn mapped(&self, addr: u64) -> bool {
            // SAFETY: an initialised address space.
            !unsafe { sys::address_space_lookup(self.as_ptr(), addr) }.is_null()
        }
    }

    impl Drop for Bus {
        fn drop(&mut self) {
            // SAFETY: initialised in new(), not used after.
            unsafe { sys::address_space_destroy(self.as_ptr()) };
        }
    }

    #[test]
    fn accesses_reach_the_callbacks_through_the_c_dispatch() {
        let owner = Owned::<Container>::new().unwrap();
        let bank = Box::new(Bank::default());
        let mr = Box::new(MemoryRegion::new());
        // SAFETY: bank and mr are boxed and outlive every access below.
        unsafe { mr.init_io(&*owner, &*bank, c"bank", 0x100) };
        assert_eq!(mr.size(), 0x100);
        let bus = Bus::new(&owner, &mr);

        assert!(bus.store(BASE + 8, 4, 0x1234_5678));
        assert_eq!(bank.reg.get(), 0x1234_5678);
        assert_eq!(bus.load(BASE + 4, 4), Some(0x1234_5678 + 4));
        assert_eq!(
            *bank.accesses.borrow(),
            [('w', 8, 0x1234_5678, 4), ('r', 4, 0, 4)]
        );
        // An 8-byte access is split into the 4-byte accesses the callbacks
        // implement, little-endian.
        bank.accesses.borrow_mut().clear();
        assert_eq!(
            bus.load(BASE, 8),
            Some((0x1234_5678 + 4) << 32 | 0x1234_5678)
        );
        assert_eq!(*bank.accesses.borrow(), [('r', 0, 0, 4), ('r', 4, 0, 4)]);
        // A 1-byte access is not VALID: a bus error, no callback.
        bank.accesses.borrow_mut().clear();
        assert_eq!(bus.load(BASE, 1), None);
        assert!(!bus.store(BASE, 1, 0));
        assert!(bank.accesses.borrow().is_empty());
        drop(bus);
    }

    #[test]
    fn dropping_the_region_unmaps_it() {
        let owner = Owned::<Container>::new().unwrap();
        let bank = Box::new(Bank::default());
        let mr = Box::new(MemoryRegion::new());
        // SAFETY: bank and mr are boxed and outlive the accesses.
        unsafe { mr.init_io(&*owner, &*bank, c"bank", 0x100) };
        let bus = Bus::new(&owner, &mr);
        assert!(bus.mapped(BASE));
        drop(mr);
        assert!(!bus.mapped(BASE));
        assert_eq!(bus.load(BASE, 4), None);
        assert!(bank.accesses.borrow().is_empty());
    }
}

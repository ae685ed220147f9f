//! A device's DMA through the board's IOMMU (include/hwcore/iommu.h):
//! vm-memory's [`Iommu`] trait over the C `iommu_translate()`, so that a
//! Rust device reads and writes guest memory through
//! `vm_memory::IommuMemory<GuestRam, DeviceIommu>` exactly as through plain
//! RAM, and sees an IOMMU fault as a vm-memory error.
//!
//! A device behind an IOMMU has the properties `iommu` (an [`IommuLink`])
//! and `iommu-device-id`, which the board sets; [`DeviceIommu::new`] ties
//! the two together.  Translations are cached in vm-memory's [`Iotlb`]
//! until the C IOMMU's generation changes (an invalidation command, a new
//! device directory, a reset or a snapshot load).

use std::cell::Cell;
use std::ffi::CStr;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard};

use hwcore_sys as sys;
use qom_sys::PropType;
use rivet_memory::vm_memory::iommu::{Error as IommuError, IotlbIterator, IovaRange};
use rivet_memory::vm_memory::{GuestAddress, Iommu, Iotlb, Permissions};
use rivet_qom::PropertyType;

/// The `iommu` link property field of a device behind an IOMMU: the
/// board's IOMMU, or null (DMA addresses are then physical addresses).
#[repr(transparent)]
#[derive(Debug)]
pub struct IommuLink(Cell<*mut sys::IOMMU>);

// Written out: `*mut T: Default` only exists from Rust 1.88, above our
// MSRV.
impl Default for IommuLink {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: a link property field is an Object pointer (IOMMU begins with
// Object), in a Cell; the C core checks that the target is an IOMMU.
unsafe impl PropertyType for IommuLink {
    const TYPE: PropType = PropType::PROP_TYPE_LINK;
    const LINK_TYPE: Option<&'static CStr> = Some(sys::TYPE_IOMMU);
}

impl IommuLink {
    /// No IOMMU (the board may set one through the property).
    pub const fn new() -> Self {
        Self(Cell::new(core::ptr::null_mut()))
    }

    /// Whether an IOMMU is set.
    pub fn is_set(&self) -> bool {
        !self.0.get().is_null()
    }
}

/// What [`DeviceIommu`] calls: `iommu_translate` and the generation, or a
/// test's page table.
pub trait Translate {
    /// Translates the start of `[iova, iova + len)` for `access`
    /// (`IOMMU_ACCESS_*` bits): `Ok((phys, mapped))` with `1 <= mapped <=
    /// len` contiguous bytes, or `Err(cause)`, the fault the IOMMU recorded.
    fn translate(&self, iova: u64, len: u64, access: u32) -> Result<(u64, u64), i32>;
    /// Changes whenever an earlier translation may no longer hold.
    fn generation(&self) -> u64;
}

/// A device's requester ID on the board's C IOMMU.
struct CIommu {
    iommu: *mut sys::IOMMU,
    device_id: u32,
}

impl Translate for CIommu {
    fn translate(&self, iova: u64, len: u64, access: u32) -> Result<(u64, u64), i32> {
        let (mut phys, mut mapped) = (0, 0);
        // SAFETY: iommu is the device's linked IOMMU, which the link keeps
        // alive while the device exists (or null: identity); the out
        // pointers are locals.
        let cause = unsafe {
            sys::iommu_translate(
                self.iommu,
                self.device_id,
                iova,
                len,
                access,
                &raw mut phys,
                &raw mut mapped,
            )
        };
        if cause != 0 {
            Err(cause)
        } else {
            Ok((phys, mapped))
        }
    }

    fn generation(&self) -> u64 {
        // SAFETY: as in translate; a plain field read.
        unsafe { sys::iommu_get_generation(self.iommu) }
    }
}

/// vm-memory's view of the IOMMU in front of one device: an [`Iotlb`]
/// filled from [`Translate`] on each miss, dropped when the IOMMU's
/// generation changes.
pub struct DeviceIommu<T: Translate = Box<dyn Translate>> {
    source: T,
    iotlb: RwLock<Iotlb>,
    generation: AtomicU64,
}

impl<T: Translate> fmt::Debug for DeviceIommu<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceIommu")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Translate for Box<dyn Translate> {
    fn translate(&self, iova: u64, len: u64, access: u32) -> Result<(u64, u64), i32> {
        (**self).translate(iova, len, access)
    }
    fn generation(&self) -> u64 {
        (**self).generation()
    }
}

// SAFETY: vm-memory's Iommu wants Send + Sync; the C core, its IOMMU and
// every device run on the one main-loop thread, and a DeviceIommu never
// leaves the device that made it on that thread.
unsafe impl<T: Translate> Send for DeviceIommu<T> {}
// SAFETY: as above: only ever used from the main-loop thread.
unsafe impl<T: Translate> Sync for DeviceIommu<T> {}

impl DeviceIommu {
    /// The IOMMU of `link`, translating for requester `device_id`.
    pub fn new(link: &IommuLink, device_id: u32) -> Self {
        Self::with_source(Box::new(CIommu {
            iommu: link.0.get(),
            device_id,
        }))
    }
}

impl<T: Translate> DeviceIommu<T> {
    /// An IOMMU whose translations come from `source`.
    pub fn with_source(source: T) -> Self {
        let generation = source.generation();
        Self {
            source,
            iotlb: RwLock::new(Iotlb::new()),
            generation: AtomicU64::new(generation),
        }
    }

    /// Asks the IOMMU for `[iova, iova + length)` and puts the answers in
    /// the IOTLB; the fault cause of the first piece it refuses.
    fn fill(&self, iova: u64, length: usize, access: Permissions) -> Result<(), String> {
        let bits = match access {
            Permissions::No => return Ok(()),
            Permissions::Read => sys::IommuAccess::IOMMU_ACCESS_READ as u32,
            Permissions::Write => sys::IommuAccess::IOMMU_ACCESS_WRITE as u32,
            Permissions::ReadWrite => {
                sys::IommuAccess::IOMMU_ACCESS_READ as u32
                    | sys::IommuAccess::IOMMU_ACCESS_WRITE as u32
            }
        };
        let mut iotlb = self
            .iotlb
            .write()
            .map_err(|_| "IOTLB lock poisoned".to_string())?;
        let mut done = 0u64;
        while done < length as u64 {
            let at = iova.wrapping_add(done);
            let (phys, mapped) = self
                .source
                .translate(at, length as u64 - done, bits)
                .map_err(|cause| format!("IOMMU fault, cause {cause}"))?;
            if mapped == 0 || mapped > length as u64 - done {
                return Err(format!(
                    "IOMMU mapped {mapped} bytes of {}",
                    length as u64 - done
                ));
            }
            iotlb
                .set_mapping(
                    GuestAddress(at),
                    GuestAddress(phys),
                    mapped as usize,
                    access,
                )
                .map_err(|e| e.to_string())?;
            done += mapped;
        }
        Ok(())
    }
}

impl<T: Translate> Iommu for DeviceIommu<T> {
    type IotlbGuard<'a>
        = RwLockReadGuard<'a, Iotlb>
    where
        Self: 'a;

    fn translate(
        &self,
        iova: GuestAddress,
        length: usize,
        access: Permissions,
    ) -> Result<IotlbIterator<Self::IotlbGuard<'_>>, IommuError> {
        let cannot = |reason: String| IommuError::CannotResolve {
            iova_range: IovaRange { base: iova, length },
            reason,
        };
        if iova.0.checked_add(length as u64).is_none() {
            return Err(cannot("the range wraps the address space".into()));
        }
        let now = self.source.generation();
        if self.generation.swap(now, Ordering::Relaxed) != now {
            if let Ok(mut iotlb) = self.iotlb.write() {
                iotlb.invalidate_all();
            }
        }
        let read = || {
            self.iotlb
                .read()
                .map_err(|_| cannot("IOTLB lock poisoned".into()))
        };
        if let Ok(hit) = Iotlb::lookup(read()?, iova, length, access) {
            return Ok(hit);
        }
        self.fill(iova.0, length, access).map_err(cannot)?;
        Iotlb::lookup(read()?, iova, length, access)
            .map_err(|_| cannot("the IOMMU's answer does not cover the range".into()))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Pages of 4 KiB: IOVA page 1 -> physical page 0x80, page 2 -> 0x42,
    /// page 3 read-only -> 0x43; anything else faults (cause 13/15).
    struct PageTable {
        generation: Cell<u64>,
        calls: Cell<u32>,
        page2: Cell<u64>,
    }

    impl Translate for PageTable {
        fn translate(&self, iova: u64, len: u64, access: u32) -> Result<(u64, u64), i32> {
            self.calls.set(self.calls.get() + 1);
            let write = access & sys::IommuAccess::IOMMU_ACCESS_WRITE as u32 != 0;
            let fault = if write { 15 } else { 13 };
            let page = match iova >> 12 {
                1 => 0x80,
                2 => self.page2.get(),
                3 if !write => 0x43,
                _ => return Err(fault),
            };
            let offset = iova & 0xfff;
            Ok((page << 12 | offset, (0x1000 - offset).min(len)))
        }
        fn generation(&self) -> u64 {
            self.generation.get()
        }
    }

    fn iommu() -> DeviceIommu<PageTable> {
        DeviceIommu::with_source(PageTable {
            generation: Cell::new(1),
            calls: Cell::new(0),
            page2: Cell::new(0x42),
        })
    }

    fn ranges(
        iommu: &DeviceIommu<PageTable>,
        iova: u64,
        len: usize,
        access: Permissions,
    ) -> Result<Vec<(u64, usize)>, String> {
        iommu
            .translate(GuestAddress(iova), len, access)
            .map(|it| it.map(|r| (r.base.0, r.length)).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_range_across_pages_maps_piece_by_piece() {
        let iommu = iommu();
        assert_eq!(
            ranges(&iommu, 0x1ff0, 0x20, Permissions::Write),
            Ok(vec![(0x80ff0, 0x10), (0x42000, 0x10)])
        );
        assert_eq!(
            ranges(&iommu, 0x3000, 8, Permissions::Read),
            Ok(vec![(0x43000, 8)])
        );
    }

    #[test]
    fn a_fault_is_an_error_naming_the_cause() {
        let iommu = iommu();
        let err = ranges(&iommu, 0x3000, 8, Permissions::Write).unwrap_err();
        assert!(err.contains("cause 15"), "{err}");
        let err = ranges(&iommu, 0x3ff0, 0x20, Permissions::Read).unwrap_err();
        assert!(err.contains("cause 13"), "unmapped page 4: {err}");
        assert!(
            ranges(&iommu, u64::MAX, 2, Permissions::Read).is_err(),
            "wraps"
        );
    }

    #[test]
    fn hits_are_cached_until_the_generation_changes() {
        let iommu = iommu();
        ranges(&iommu, 0x2000, 0x100, Permissions::Read).unwrap();
        let calls = iommu.source.calls.get();
        assert_eq!(
            ranges(&iommu, 0x2010, 0x10, Permissions::Read),
            Ok(vec![(0x42010, 0x10)])
        );
        assert_eq!(iommu.source.calls.get(), calls, "served from the IOTLB");
        // The guest remaps page 2 and invalidates: the IOMMU's generation moves.
        iommu.source.page2.set(0x99);
        assert_eq!(
            ranges(&iommu, 0x2010, 0x10, Permissions::Read),
            Ok(vec![(0x42010, 0x10)]),
            "stale until invalidated"
        );
        iommu.source.generation.set(2);
        assert_eq!(
            ranges(&iommu, 0x2010, 0x10, Permissions::Read),
            Ok(vec![(0x99010, 0x10)])
        );
    }
}

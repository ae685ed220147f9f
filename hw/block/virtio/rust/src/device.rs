//! The QOM device `virtio-rust`: a virtio-mmio transport ([`crate::model`])
//! with, when the board gives it a drive, a virtio-blk disk
//! ([`crate::blk`]) behind it; without one it is an empty slot (DeviceID
//! 0).  Its DMA goes through vm-memory over the system address space
//! (rivet-memory's `GuestRam`), behind the board's IOMMU when the board
//! links one (vm-memory's `IommuMemory` over rivet-hwcore's `DeviceIommu`).
//!
//! Sysbus: MMIO region 0 (0x200 bytes), IRQ output 0.  Properties, set by
//! the board from `-drive`/`-device virtio-blk-device`: `file` (the raw
//! image), `readonly`, `serial` (what GET_ID answers: the drive's id).

use std::cell::{Cell, RefCell};
use std::fs::{File, OpenOptions};

use rivet_hwcore::iommu::{DeviceIommu, IommuLink};
use rivet_hwcore::prelude::*;
use rivet_hwcore::qdev::PropertyInfo;
use rivet_hwcore::qdev_prop;
use rivet_macros::{qom_pin_data, Object, VMState};
use rivet_memory::vm_memory::{GuestMemory, IommuMemory};
use rivet_memory::{AddressSpace, GuestRam};
use rivet_probes::virtio as probes;
use rivet_qom::StrProperty;
use rivet_util::error::{Error, Result};
use virtio_queue::QueueT;

use crate::blk::{self, Disk};
use crate::model::{Action, DeviceInfo, VirtioMmioRegs, INT_USED_BUFFER, MMIO_SIZE};

/// The transport's view of what sits behind it.
impl<B: blk::Backend> DeviceInfo for Option<&Disk<B>> {
    fn device_id(&self) -> u32 {
        self.map_or(0, |_| blk::DEVICE_ID)
    }
    fn features(&self) -> u64 {
        self.map_or(0, Disk::features)
    }
    fn read_config(&self, offset: u64, size: u32) -> Option<u64> {
        self.and_then(|disk| disk.read_config(offset, size))
    }
}

/// The Rust virtio instance; migration: the section "virtio", field for
/// field (VirtioMmioRegs).
#[repr(C)]
#[derive(Object, VMState)]
#[qom_pin_data]
#[vmstate(name = "virtio", version = 1, minimum_version = 1)]
pub struct VirtioState {
    // #[pin]: C holds pointers into these fields.
    #[pin]
    #[vmstate(skip)]
    parent_obj: ParentField<SysBusDevice>,
    #[pin]
    #[vmstate(skip)]
    iomem: MemoryRegion,
    /// Every guest-visible register, and the queue's ring positions.
    #[vmstate(flatten)]
    regs: StateCell<VirtioMmioRegs>,
    /// Follows the registers; the PLIC saves the level it last saw.
    #[vmstate(skip)]
    irq: InterruptSource,
    /// Property `file`: the raw image.
    #[vmstate(skip)]
    file: StrProperty,
    /// Property `readonly`.
    #[vmstate(skip)]
    readonly: Cell<bool>,
    /// Property `serial`.
    #[vmstate(skip)]
    serial: StrProperty,
    /// The disk, opened at realize when `file` is set.
    #[vmstate(skip)]
    disk: RefCell<Option<Disk<File>>>,
    /// Property `iommu`: the IOMMU in front of the device (the board
    /// sets it), or none: DMA addresses are then physical.
    #[vmstate(skip)]
    iommu: IommuLink,
    /// Property `iommu-device-id`: the device's requester ID there.
    #[vmstate(skip)]
    iommu_device_id: Cell<u32>,
    /// What DMA goes through, as last seen; taken again when the memory
    /// map changed.
    #[vmstate(skip)]
    dma: RefCell<Option<Dma>>,
}

/// Guest memory as the device's DMA sees it.
enum Dma {
    /// Physical addresses: RAM directly.
    Ram(GuestRam),
    /// I/O virtual addresses, through the IOMMU.
    Iommu(IommuMemory<GuestRam, DeviceIommu>),
}

impl Dma {
    fn ram(&self) -> &GuestRam {
        match self {
            Self::Ram(ram) => ram,
            Self::Iommu(mem) => mem.get_backend(),
        }
    }
}

// SAFETY: instances of "virtio-rust" are VirtioState (registered
// below with size_of::<VirtioState>()).
unsafe impl ObjectType for VirtioState {
    const TYPE_NAME: &'static core::ffi::CStr = c"virtio-rust";
}
rivet_qom::qom_isa!(VirtioState: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

impl VirtioState {
    /// Drives the output from the registers, firing the probe on a change.
    fn update_irq(&self) {
        let level = self.regs.borrow().irq_level();
        if level != self.irq.level() {
            probes::virtio_irq(level.into());
        }
        self.irq.set(level);
    }

    /// Guest memory for DMA, as the system address space maps it now.
    fn dma(&self) -> std::cell::Ref<'_, Dma> {
        let space = AddressSpace::system();
        let stale = self
            .dma
            .borrow()
            .as_ref()
            .is_none_or(|dma| !dma.ram().is_current(space));
        if stale {
            let ram = space.guest_ram();
            let mut dma = self.dma.borrow_mut();
            *dma = Some(match dma.take() {
                Some(Dma::Iommu(mem)) => Dma::Iommu(mem.with_replaced_backend(ram)),
                _ if self.iommu.is_set() => Dma::Iommu(IommuMemory::new(
                    ram,
                    DeviceIommu::new(&self.iommu, self.iommu_device_id.get()),
                    true,
                    (),
                )),
                _ => Dma::Ram(ram),
            });
        }
        std::cell::Ref::map(self.dma.borrow(), |dma| {
            dma.as_ref().expect("taken just above")
        })
    }

    /// Runs the queue against `mem`, then records the ring positions and
    /// the interrupt.
    fn run_queue<M: GuestMemory>(
        &self,
        disk: &Disk<File>,
        mem: &M,
        mut queue: virtio_queue::Queue,
    ) {
        let result = disk.process_queue(mem, &mut queue, |parsed, status| match parsed {
            Ok(r) => {
                let len = r
                    .readable
                    .iter()
                    .chain(&r.writable)
                    .map(|&(_, l)| u64::from(l))
                    .sum();
                probes::virtio_blk_request(r.kind, r.sector, len, status.into());
            }
            Err((why, _)) => {
                guest_error(|| format!("virtio-blk: malformed descriptor chain: {why:?}"));
                probes::virtio_blk_bad_chain(*why as u32);
            }
        });
        let mut regs = self.regs.borrow_mut();
        regs.save_queue_position(&queue);
        match result {
            Ok(0) => {}
            Ok(_) => {
                if queue.needs_notification(mem).unwrap_or(true) {
                    regs.interrupt_status |= INT_USED_BUFFER;
                }
            }
            Err(e) => {
                guest_error(|| format!("virtio-blk: the rings are out of reach: {e}"));
                regs.needs_reset();
            }
        }
    }

    /// The driver notified the queue: run every request it made available.
    fn notify(&self) {
        let disk = self.disk.borrow();
        let Some(disk) = disk.as_ref() else {
            return;
        };
        let Some(queue) = self.regs.borrow().queue() else {
            guest_error(|| "virtio: notify with a queue of no valid size or alignment".into());
            return;
        };
        match &*self.dma() {
            Dma::Ram(ram) => self.run_queue(disk, ram, queue),
            Dma::Iommu(mem) => self.run_queue(disk, mem, queue),
        }
        self.update_irq();
    }

    /// Opens the image named by the properties.
    fn open_disk(&self, path: &str) -> Result<Disk<File>> {
        let readonly = self.readonly.get();
        let file = OpenOptions::new()
            .read(true)
            .write(!readonly)
            .open(path)
            .map_err(|e| {
                Error::new(format!(
                    "virtio-blk: cannot open disk image '{path}': {}",
                    os_message(&e)
                ))
            })?;
        let meta = file.metadata().map_err(|e| {
            Error::new(format!(
                "virtio-blk: cannot read disk image '{path}': {}",
                os_message(&e)
            ))
        })?;
        if !meta.is_file() {
            return Err(Error::new(format!(
                "virtio-blk: disk image '{path}' is not a regular file"
            )));
        }
        if meta.len() % blk::SECTOR_SIZE != 0 {
            return Err(Error::new(format!(
                "virtio-blk: disk image '{path}' is {} bytes, not a whole number of \
                 512-byte sectors",
                meta.len()
            )));
        }
        Ok(Disk::new(
            file,
            readonly,
            &self.serial.get().unwrap_or_default(),
        ))
    }
}

/// The system's message for an I/O error, as the C core prints
/// strerror(), without Rust's " (os error N)".
fn os_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl MmioOps for VirtioState {
    // Every size reaches the callbacks, which log the ones the device does
    // not decode instead of faulting the guest.
    const VALID: AccessSizes = AccessSizes::new(1, 8);
    const IMPL: AccessSizes = AccessSizes::new(1, 8);

    fn read(&self, addr: u64, size: u32) -> u64 {
        let disk = self.disk.borrow();
        let value = self
            .regs
            .borrow()
            .read(&disk.as_ref(), addr, size)
            .unwrap_or_else(|| {
                guest_error(|| format!("virtio: bad read offset=0x{addr:03x} size={size}"));
                0
            });
        probes::virtio_read(addr, size, value);
        value
    }

    fn write(&self, addr: u64, value: u64, size: u32) {
        probes::virtio_write(addr, size, value);
        let action = {
            let disk = self.disk.borrow();
            self.regs
                .borrow_mut()
                .write(&disk.as_ref(), addr, value, size)
        };
        match action {
            None => {
                guest_error(|| {
                    format!("virtio: bad write offset=0x{addr:03x} size={size} value=0x{value:x}")
                });
                return;
            }
            Some(Action::Notify) => self.notify(),
            Some(Action::None | Action::Reset) => {}
        }
        self.update_irq();
    }
}

impl ObjectImpl for VirtioState {
    type ParentType = SysBusDevice;

    fn init() -> impl PinInit<Self> {
        pin_init!(Self {
            parent_obj <- ParentField::initialised_by_c(),
            iomem: MemoryRegion::new(),
            regs: StateCell::default(),
            irq: InterruptSource::new(),
            file: StrProperty::new(),
            readonly: Cell::new(false),
            serial: StrProperty::new(),
            disk: RefCell::new(None),
            iommu: IommuLink::new(),
            iommu_device_id: Cell::new(0),
            dma: RefCell::new(None),
        })
    }

    fn instance_init(&self) {
        // SAFETY: the region and its handler (self) are fields of this QOM
        // object, which never moves; finalize drops the fields, which
        // destroys the region before the memory goes.
        unsafe {
            self.iomem.init_io(self, self, c"virtio", MMIO_SIZE);
            self.init_mmio(&self.iomem);
            self.init_irq(&self.irq);
        }
    }
}

impl DeviceImpl for VirtioState {
    const DESCRIPTION: Option<&'static core::ffi::CStr> =
        Some(c"virtio-mmio transport (version 2) with a virtio-blk disk (Rust)");
    const PROPERTIES: &'static [PropertyInfo] = &[
        qdev_prop!(VirtioState, file, c"file")
            .with_description(c"raw disk image of the virtio-blk device (none: an empty slot)"),
        qdev_prop!(VirtioState, readonly, c"readonly")
            .with_description(c"the disk is read-only (VIRTIO_BLK_F_RO)"),
        qdev_prop!(VirtioState, serial, c"serial")
            .with_description(c"what GET_ID answers (20 bytes at most)"),
        qdev_prop!(VirtioState, iommu, c"iommu")
            .with_description(c"the IOMMU its DMA goes through (set by the board)"),
        qdev_prop!(VirtioState, iommu_device_id, c"iommu-device-id")
            .with_description(c"its requester ID on the IOMMU (set by the board)"),
    ];
    const REGISTERS: Option<fn(&Self) -> String> = Some(|dev| dev.regs.borrow().registers_text());
    const VMSD: Option<&'static rivet_migration::VMStateDescription> =
        Some(<Self as VMStateDescribed>::VMSD);

    fn realize(&self) -> Result<()> {
        if let Some(path) = self.file.get() {
            let disk = self.open_disk(&path)?;
            *self.disk.borrow_mut() = Some(disk);
        }
        Ok(())
    }

    fn unrealize(&self) {
        self.disk.borrow_mut().take();
        self.dma.borrow_mut().take();
    }

    fn reset(&self) {
        *self.regs.borrow_mut() = VirtioMmioRegs::default();
        self.update_irq();
    }
}

rivet_qom::module_init! {
    rivet_hwcore::qdev::register_device::<VirtioState>();
}

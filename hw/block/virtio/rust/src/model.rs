//! The virtio-mmio transport, version 2 ("modern"), as VIRTIO 1.2 section
//! 4.2.2 lays out its registers, independent of QOM and of the device
//! behind it: feature negotiation, the device status, one virtqueue's
//! configuration, the interrupt status.  The device (virtio-blk here)
//! tells it its ID, its features and its configuration space through
//! [`DeviceInfo`]; a notify write is handed back as [`Action::Notify`].

use rivet_macros::VMState;
use virtio_queue::{Queue, QueueState};

/// Register offsets (VIRTIO 1.2, 4.2.2 "MMIO Device Register Layout").
pub mod reg {
    /// `MagicValue`: "virt".
    pub const MAGIC: u64 = 0x000;
    /// `Version`: 2.
    pub const VERSION: u64 = 0x004;
    /// `DeviceID`: 2 for a block device, 0 for an empty slot.
    pub const DEVICE_ID: u64 = 0x008;
    /// `VendorID`.
    pub const VENDOR_ID: u64 = 0x00c;
    /// `DeviceFeatures`: 32 feature bits chosen by `DeviceFeaturesSel`.
    pub const DEVICE_FEATURES: u64 = 0x010;
    /// `DeviceFeaturesSel`.
    pub const DEVICE_FEATURES_SEL: u64 = 0x014;
    /// `DriverFeatures`: 32 acknowledged bits chosen by `DriverFeaturesSel`.
    pub const DRIVER_FEATURES: u64 = 0x020;
    /// `DriverFeaturesSel`.
    pub const DRIVER_FEATURES_SEL: u64 = 0x024;
    /// `QueueSel`.
    pub const QUEUE_SEL: u64 = 0x030;
    /// `QueueNumMax`.
    pub const QUEUE_NUM_MAX: u64 = 0x034;
    /// `QueueNum`.
    pub const QUEUE_NUM: u64 = 0x038;
    /// `QueueReady`.
    pub const QUEUE_READY: u64 = 0x044;
    /// `QueueNotify`.
    pub const QUEUE_NOTIFY: u64 = 0x050;
    /// `InterruptStatus`.
    pub const INTERRUPT_STATUS: u64 = 0x060;
    /// `InterruptACK`.
    pub const INTERRUPT_ACK: u64 = 0x064;
    /// `Status`.
    pub const STATUS: u64 = 0x070;
    /// `QueueDescLow` (`QueueDescHigh` at +4).
    pub const QUEUE_DESC_LOW: u64 = 0x080;
    /// `QueueDriverLow`, the available ring (`High` at +4).
    pub const QUEUE_DRIVER_LOW: u64 = 0x090;
    /// `QueueDeviceLow`, the used ring (`High` at +4).
    pub const QUEUE_DEVICE_LOW: u64 = 0x0a0;
    /// `SHMSel`.
    pub const SHM_SEL: u64 = 0x0ac;
    /// `SHMLenLow`, `SHMLenHigh`: all ones, no shared memory region.
    pub const SHM_LEN_LOW: u64 = 0x0b0;
    /// `SHMLenHigh`.
    pub const SHM_LEN_HIGH: u64 = 0x0b4;
    /// `SHMBaseLow`, `SHMBaseHigh`: all ones too.
    pub const SHM_BASE_LOW: u64 = 0x0b8;
    /// `SHMBaseHigh`.
    pub const SHM_BASE_HIGH: u64 = 0x0bc;
    /// `ConfigGeneration`.
    pub const CONFIG_GENERATION: u64 = 0x0fc;
    /// `Config`: the device's configuration space.
    pub const CONFIG: u64 = 0x100;
}

/// `MagicValue`, little-endian "virt".
pub const MAGIC_VALUE: u32 = 0x7472_6976;
/// `VendorID`: "RIVT".
pub const VENDOR_ID: u32 = 0x5456_4952;
/// The window: registers and a configuration space well below 0x200.
pub const MMIO_SIZE: u64 = 0x200;
/// The one virtqueue's largest size (`QueueNumMax`).
pub const QUEUE_NUM_MAX: u16 = 128;

/// Device status bits (VIRTIO 1.2, 2.1).
pub mod status {
    /// The guest found the device.
    pub const ACKNOWLEDGE: u32 = 1;
    /// The guest has a driver for it.
    pub const DRIVER: u32 = 2;
    /// The driver is ready: notifications are served.
    pub const DRIVER_OK: u32 = 4;
    /// Feature negotiation is complete.
    pub const FEATURES_OK: u32 = 8;
    /// The device met an error it cannot recover from.
    pub const DEVICE_NEEDS_RESET: u32 = 64;
    /// The driver gave up on the device.
    pub const FAILED: u32 = 128;
    /// Every bit a driver may set.
    pub const DRIVER_BITS: u32 = ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK | FAILED;
}

/// `InterruptStatus`: the device used a buffer.
pub const INT_USED_BUFFER: u32 = 1;
/// `InterruptStatus`: the configuration changed.
pub const INT_CONFIG_CHANGE: u32 = 2;

/// VIRTIO_F_VERSION_1 (bit 32): a modern device; a driver that does not
/// accept it cannot drive this transport.
pub const F_VERSION_1: u64 = 1 << 32;

/// What the transport asks of the device behind it.
pub trait DeviceInfo {
    /// `DeviceID` (0: no device, an empty slot).
    fn device_id(&self) -> u32;
    /// The features the device offers, VIRTIO_F_VERSION_1 included.
    fn features(&self) -> u64;
    /// A read of `size` bytes at `offset` in the configuration space;
    /// `None` outside it.
    fn read_config(&self, offset: u64, size: u32) -> Option<u64>;
}

/// What a register write asks of the device beyond the registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// The driver notified the queue: process its available buffers.
    Notify,
    /// The driver wrote 0 to `Status`: the device is reset.
    Reset,
}

/// The transport's guest-visible state; its fields are those of the
/// migration section "virtio" (`#[vmstate]`).  The queue's ring positions
/// (`next_avail`, `next_used`) are here too: they say which available
/// buffers the device has consumed, so a snapshot taken with buffers
/// made available but not yet notified resumes with them still to do,
/// and those already done are never done again.
#[derive(Clone, Debug, Default, PartialEq, Eq, VMState)]
#[repr(C)]
pub struct VirtioMmioRegs {
    /// `DeviceFeaturesSel`.
    pub device_features_sel: u32,
    /// `DriverFeaturesSel`.
    pub driver_features_sel: u32,
    /// The features the driver accepted (both `DriverFeatures` words).
    pub driver_features: u64,
    /// `QueueSel`.
    pub queue_sel: u32,
    /// `QueueNum` of queue 0.
    #[vmstate(max = QUEUE_NUM_MAX)]
    pub queue_num: u32,
    /// `QueueReady` of queue 0.
    #[vmstate(max = 1)]
    pub queue_ready: u32,
    /// The descriptor table's guest address.
    pub queue_desc: u64,
    /// The available ring's guest address.
    pub queue_driver: u64,
    /// The used ring's guest address.
    pub queue_device: u64,
    /// The next available-ring entry the device will take.
    pub next_avail: u16,
    /// The next used-ring entry the device will fill.
    pub next_used: u16,
    /// `InterruptStatus`.
    #[vmstate(mask = INT_USED_BUFFER | INT_CONFIG_CHANGE)]
    pub interrupt_status: u32,
    /// `Status`.
    #[vmstate(mask = status::DRIVER_BITS | status::DEVICE_NEEDS_RESET)]
    pub status: u32,
    /// `ConfigGeneration`.
    pub config_generation: u32,
}

/// Replaces the 32-bit half `high` (or the low one) of `value`.
fn set_half(value: &mut u64, high: bool, half: u32) {
    let shift = if high { 32 } else { 0 };
    *value = (*value & !(0xffff_ffff_u64 << shift)) | (u64::from(half) << shift);
}

impl VirtioMmioRegs {
    /// The value of a read of `size` bytes at `addr`, or `None` for an
    /// access the transport does not decode (it reads as 0).  Registers
    /// take 32-bit accesses; the configuration space any size.
    pub fn read(&self, dev: &impl DeviceInfo, addr: u64, size: u32) -> Option<u64> {
        if addr >= reg::CONFIG {
            return dev.read_config(addr - reg::CONFIG, size);
        }
        if size != 4 {
            return None;
        }
        let queue0 = self.queue_sel == 0;
        let value = match addr {
            reg::MAGIC => MAGIC_VALUE,
            reg::VERSION => 2,
            reg::DEVICE_ID => dev.device_id(),
            reg::VENDOR_ID => VENDOR_ID,
            reg::DEVICE_FEATURES => match self.device_features_sel {
                0 => dev.features() as u32,
                1 => (dev.features() >> 32) as u32,
                _ => 0,
            },
            // No queue but queue 0 exists: QueueNumMax 0 says so.
            reg::QUEUE_NUM_MAX => {
                if queue0 && dev.device_id() != 0 {
                    QUEUE_NUM_MAX.into()
                } else {
                    0
                }
            }
            reg::QUEUE_READY => {
                if queue0 {
                    self.queue_ready
                } else {
                    0
                }
            }
            reg::INTERRUPT_STATUS => self.interrupt_status,
            reg::STATUS => self.status,
            reg::SHM_LEN_LOW | reg::SHM_LEN_HIGH | reg::SHM_BASE_LOW | reg::SHM_BASE_HIGH => {
                u32::MAX
            }
            reg::CONFIG_GENERATION => self.config_generation,
            _ => return None,
        };
        Some(value.into())
    }

    /// Applies a write of `size` bytes at `addr`.  `None` for an access the
    /// transport does not decode or that the driver may not make now
    /// (nothing changes; the caller logs it as a guest error).
    pub fn write(
        &mut self,
        dev: &impl DeviceInfo,
        addr: u64,
        value: u64,
        size: u32,
    ) -> Option<Action> {
        if size != 4 || addr >= reg::CONFIG {
            // virtio-blk's configuration space is read-only.
            return None;
        }
        let value = value as u32;
        let queue_writable = self.queue_sel == 0 && self.queue_ready == 0;
        match addr {
            reg::DEVICE_FEATURES_SEL => self.device_features_sel = value,
            reg::DRIVER_FEATURES_SEL => self.driver_features_sel = value,
            reg::DRIVER_FEATURES => {
                // Features are fixed once FEATURES_OK is set (3.1.1).
                if self.status & status::FEATURES_OK != 0 || self.driver_features_sel > 1 {
                    return None;
                }
                set_half(
                    &mut self.driver_features,
                    self.driver_features_sel == 1,
                    value,
                );
            }
            reg::QUEUE_SEL => self.queue_sel = value,
            reg::QUEUE_NUM if queue_writable => {
                if value == 0 || value > QUEUE_NUM_MAX.into() || !value.is_power_of_two() {
                    return None;
                }
                self.queue_num = value;
            }
            reg::QUEUE_READY if self.queue_sel == 0 => self.queue_ready = value & 1,
            reg::QUEUE_DESC_LOW | 0x084 if queue_writable => {
                set_half(&mut self.queue_desc, addr & 4 != 0, value);
            }
            reg::QUEUE_DRIVER_LOW | 0x094 if queue_writable => {
                set_half(&mut self.queue_driver, addr & 4 != 0, value);
            }
            reg::QUEUE_DEVICE_LOW | 0x0a4 if queue_writable => {
                set_half(&mut self.queue_device, addr & 4 != 0, value);
            }
            reg::QUEUE_NOTIFY => {
                if value != 0 || self.status & status::DRIVER_OK == 0 || self.queue_ready == 0 {
                    return None;
                }
                return Some(Action::Notify);
            }
            reg::INTERRUPT_ACK => self.interrupt_status &= !value,
            reg::STATUS => {
                if value == 0 {
                    *self = Self::default();
                    return Some(Action::Reset);
                }
                let mut value = value & status::DRIVER_BITS;
                // FEATURES_OK only sticks for a subset of the offer that
                // includes VERSION_1 (3.1.1: the driver re-reads it).
                if value & status::FEATURES_OK != 0
                    && self.status & status::FEATURES_OK == 0
                    && (self.driver_features & !dev.features() != 0
                        || self.driver_features & F_VERSION_1 == 0)
                {
                    value &= !status::FEATURES_OK;
                }
                self.status = value | (self.status & status::DEVICE_NEEDS_RESET);
            }
            reg::SHM_SEL => {}
            _ => return None,
        }
        Some(Action::None)
    }

    /// Whether `bit` was negotiated.
    pub fn negotiated(&self, bit: u64) -> bool {
        self.driver_features & bit != 0
    }

    /// Queue 0 as virtio-queue sees it, or `None` while the driver's
    /// configuration is not one a queue can have (size, alignment).
    pub fn queue(&self) -> Option<Queue> {
        Queue::try_from(QueueState {
            max_size: QUEUE_NUM_MAX,
            next_avail: self.next_avail,
            next_used: self.next_used,
            event_idx_enabled: false,
            size: self.queue_num as u16,
            ready: self.queue_ready != 0,
            desc_table: self.queue_desc,
            avail_ring: self.queue_driver,
            used_ring: self.queue_device,
        })
        .ok()
    }

    /// Records how far the device got in `queue`.
    pub fn save_queue_position(&mut self, queue: &Queue) {
        let state = queue.state();
        self.next_avail = state.next_avail;
        self.next_used = state.next_used;
    }

    /// The device hit an error it cannot go on from (a ring it cannot
    /// reach): DEVICE_NEEDS_RESET, and a configuration-change interrupt
    /// (VIRTIO 1.2, 2.1.2).
    pub fn needs_reset(&mut self) {
        if self.status & status::DEVICE_NEEDS_RESET == 0 {
            self.status |= status::DEVICE_NEEDS_RESET;
            self.interrupt_status |= INT_CONFIG_CHANGE;
        }
    }

    /// The level of the interrupt output.
    pub fn irq_level(&self) -> bool {
        self.interrupt_status != 0
    }

    /// The `registers` property text (`-d dev_regs`).
    pub fn registers_text(&self) -> String {
        format!(
            "STATUS=0x{:02x} FEATURES=0x{:016x} QUEUE_NUM={} QUEUE_READY={} \
             QUEUE_DESC=0x{:x} QUEUE_DRIVER=0x{:x} QUEUE_DEVICE=0x{:x} \
             AVAIL={} USED={} INTERRUPT_STATUS=0x{:x}",
            self.status,
            self.driver_features,
            self.queue_num,
            self.queue_ready,
            self.queue_desc,
            self.queue_driver,
            self.queue_device,
            self.next_avail,
            self.next_used,
            self.interrupt_status
        )
    }
}

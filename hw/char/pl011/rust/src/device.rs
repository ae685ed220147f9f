//! The QOM device `pl011-rust`: the register model of [`crate::model`]
//! behind a sysbus MMIO region, an IRQ output, a chardev frontend and the
//! receive-timeout timer, wired like the C `pl011`.
//!
//! Sysbus: MMIO region 0 (4 KiB), IRQ output 0 = UARTINTR.  Property
//! "chardev": link to the backend (optional; output is discarded without
//! one).

use core::fmt;

use rivet_chardev::prelude::*;
use rivet_hwcore::prelude::*;
use rivet_macros::{qom_pin_data, Device, Object, VMState};
use rivet_probes::pl011 as probes;

use crate::model::{Host, LogItem, PL011Regs};
use crate::registers;

/// The Rust PL011 instance.
///
/// Migration: the section "pl011" of the C twin, field for field (every
/// register and the receive FIFO from [`PL011Regs`], then the
/// receive-timeout deadline), so either twin loads the other's snapshot.
#[repr(C)]
#[derive(Object, Device, VMState)]
#[qom_pin_data]
#[vmstate(name = "pl011", version = 2, minimum_version = 2, post_load = Self::post_load)]
pub struct PL011State {
    // #[pin]: C holds pointers into these fields.
    #[pin]
    #[vmstate(skip)]
    parent_obj: ParentField<SysBusDevice>,
    #[pin]
    #[vmstate(skip)]
    iomem: MemoryRegion,
    /// Every guest-visible register, as in the C `PL011State`.
    #[vmstate(flatten)]
    regs: StateCell<PL011Regs>,
    #[pin]
    rx_timeout_timer: Timer,
    #[property(name = "chardev")]
    #[vmstate(skip)]
    chr: ChardevLink,
    #[pin]
    #[vmstate(skip)]
    fe: CharFrontend,
    /// UARTINTR is (RIS & IMSC): the PLIC saves the level it last saw.
    #[vmstate(skip)]
    irq: InterruptSource,
}

// SAFETY: instances of "pl011-rust" are PL011State (registered below with
// size_of::<PL011State>()).
unsafe impl ObjectType for PL011State {
    const TYPE_NAME: &'static core::ffi::CStr = c"pl011-rust";
}
rivet_qom::qom_isa!(PL011State: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

/// The C core as seen by the register model during one callback.  Input
/// acceptance is deferred until the state is no longer borrowed, because
/// the backend may deliver bytes (re-entering the device) from it; the
/// model only ever asks for it as its last action, so the order of effects
/// is the C twin's.
struct CoreHost<'a> {
    dev: &'a PL011State,
    accept_input: bool,
}

impl Host for CoreHost<'_> {
    fn now_ns(&self) -> i64 {
        rivet_util::timer::now_ns()
    }
    fn set_irq(&mut self, level: bool) {
        // Out of line while the probe is enabled, as the MMIO callbacks.
        if probes::pl011_irq_enabled() {
            return self.dev.set_irq_traced(level);
        }
        self.dev.irq.set(level);
    }
    fn transmit(&mut self, byte: u8) {
        // As the C twin: a failing backend loses the byte, the guest
        // carries on.
        let _ = self.dev.fe.write(&[byte]);
    }
    fn tx_stalled(&self) -> bool {
        !self.dev.fe.can_write()
    }
    fn timer_mod(&mut self, deadline_ns: i64) {
        self.dev.rx_timeout_timer.modify(deadline_ns);
    }
    fn timer_del(&mut self) {
        self.dev.rx_timeout_timer.delete();
    }
    fn accept_input(&mut self) {
        self.accept_input = true;
    }
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>) {
        rivet_util::log::log(item, args);
    }
}

impl PL011State {
    /// Runs `f` on the registers, then lets the backend deliver input if
    /// the model asked for it.  Always inlined: a few instructions around
    /// `f`, and a call would force the MMIO callbacks' arguments to memory.
    #[inline(always)]
    fn with_regs<R>(&self, f: impl FnOnce(&mut PL011Regs, &mut CoreHost<'_>) -> R) -> R {
        let mut host = CoreHost {
            dev: self,
            accept_input: false,
        };
        let result = f(&mut self.regs.borrow_mut(), &mut host);
        if host.accept_input && self.chr.is_set() {
            self.fe.accept_input();
        }
        result
    }
}

impl PL011State {
    /// After a load: what the fields cannot check alone (the FIFO fill
    /// against the FIFO mode), then let the backend deliver input again.
    /// The timer was re-armed by the load; the IRQ line is not driven (the
    /// PLIC restores its own input levels).  Messages are the C twin's.
    fn post_load(&self, _version_id: i32) -> Result<()> {
        {
            let regs = self.regs.borrow();
            let fen = regs.lcr_h & registers::lcr_h::FEN != 0;
            let depth = if fen { registers::FIFO_DEPTH } else { 1 };
            if regs.rx_count > depth {
                return Err(Error::new(format!(
                    "field 'rx_count': {} entries, but the FIFO holds {} with UARTLCR_H.FEN {}",
                    regs.rx_count,
                    depth,
                    if fen { "set" } else { "clear" }
                )));
            }
        }
        if self.chr.is_set() {
            self.fe.accept_input();
        }
        Ok(())
    }
}

impl MmioOps for PL011State {
    // Every size reaches the callbacks, which log the ones the device does
    // not decode instead of faulting the guest (as the C twin).
    const VALID: AccessSizes = AccessSizes::new(1, 8);
    const IMPL: AccessSizes = AccessSizes::new(1, 8);

    // Inlined into rivet's C-callable trampoline: one call less per access.
    // The probes are tested first and, when enabled, the access runs out
    // of line (read_traced, write_traced): a probe's call in the middle of
    // the access made the compiler keep the arguments in callee-saved
    // registers, saved and restored on every access (docs/tracing.md).
    #[inline]
    fn read(&self, addr: u64, size: u32) -> u64 {
        if probes::pl011_read_enabled() {
            return self.read_traced(addr, size);
        }
        self.with_regs(|regs, host| regs.read(host, addr, size))
    }

    #[inline]
    fn write(&self, addr: u64, value: u64, size: u32) {
        if probes::pl011_write_enabled() {
            return self.write_traced(addr, value, size);
        }
        self.with_regs(|regs, host| regs.write(host, addr, value, size));
    }
}

impl PL011State {
    /// Setting the IRQ line while its probe is enabled: the C twin's
    /// pl011_irq, fired on a change of level only.
    #[cold]
    #[inline(never)]
    fn set_irq_traced(&self, level: bool) {
        if level != self.irq.level() {
            probes::pl011_irq(level.into());
        }
        self.irq.set(level);
    }

    /// A read while its probe is enabled: the access, then the probe.
    #[cold]
    #[inline(never)]
    fn read_traced(&self, addr: u64, size: u32) -> u64 {
        let value = self.with_regs(|regs, host| regs.read(host, addr, size));
        probes::pl011_read(addr, size, value);
        value
    }

    /// A write while its probe is enabled: the probe, then the access.
    #[cold]
    #[inline(never)]
    fn write_traced(&self, addr: u64, value: u64, size: u32) {
        probes::pl011_write(addr, size, value);
        self.with_regs(|regs, host| regs.write(host, addr, value, size));
    }
}

impl TimerHandler for PL011State {
    fn expired(&self) {
        self.with_regs(|regs, host| regs.rx_timeout(host));
    }
}

impl CharHandlers for PL011State {
    fn can_receive(&self) -> u32 {
        self.regs.borrow().can_receive()
    }

    fn receive(&self, buf: &[u8]) {
        self.with_regs(|regs, host| regs.receive(host, buf));
    }

    fn write_ready(&self) {
        self.with_regs(|regs, host| regs.transmit_ready(host));
    }
}

impl ObjectImpl for PL011State {
    type ParentType = SysBusDevice;

    fn init() -> impl PinInit<Self> {
        pin_init!(Self {
            parent_obj <- ParentField::initialised_by_c(),
            iomem: MemoryRegion::new(),
            regs: StateCell::default(),
            rx_timeout_timer: Timer::new(),
            chr: ChardevLink::new(),
            fe: CharFrontend::new(),
            irq: InterruptSource::new(),
        })
    }

    fn instance_init(&self) {
        // SAFETY: the region, the timer and their handler (self) are fields
        // of this QOM object, which never moves; finalize drops the fields,
        // which deletes the timer, destroys the region and detaches the
        // frontend before the memory goes.
        unsafe {
            self.iomem
                .init_io(self, self, c"pl011", registers::MMIO_SIZE);
            self.init_mmio(&self.iomem);
            self.init_irq(&self.irq);
            self.rx_timeout_timer.init(self);
        }
    }
}

impl DeviceImpl for PL011State {
    const DESCRIPTION: Option<&'static core::ffi::CStr> = Some(c"ARM PL011 UART (Rust)");
    const PROPERTIES: &'static [PropertyInfo] = Self::DEVICE_PROPERTIES;
    const REGISTERS: Option<fn(&Self) -> String> =
        Some(|dev| dev.with_regs(|regs, host| regs.registers_text(host)));
    const VMSD: Option<&'static rivet_migration::VMStateDescription> =
        Some(<Self as VMStateDescribed>::VMSD);

    fn realize(&self) -> Result<()> {
        if self.chr.is_set() {
            // SAFETY: the frontend and its handlers (self) live in this
            // object; unrealize and finalize detach it.
            unsafe { self.fe.init(&self.chr, self) }?;
        }
        Ok(())
    }

    fn reset(&self) {
        self.with_regs(|regs, host| regs.reset(host));
    }

    fn unrealize(&self) {
        self.rx_timeout_timer.delete();
        if self.chr.is_set() {
            self.fe.deinit();
        }
    }
}

rivet_qom::module_init! {
    rivet_hwcore::qdev::register_device::<PL011State>();
}

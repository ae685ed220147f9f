//! The QOM device `hpet-rust`: the register model of [`crate::model`]
//! behind a sysbus MMIO region, 32 IRQ outputs (one per interrupt route)
//! and one virtual-clock timer per comparator, wired like the C `hpet`.
//!
//! Properties: "timers" (uint8, 3..32, default 3), "intcap" (uint32, the
//! routes each timer may use, default VIRT_HPET_INTCAP).

use core::cell::Cell;
use core::ffi::CStr;
use core::fmt;

use rivet_hwcore::prelude::*;
use rivet_macros::{qom_pin_data, Device, Object, VMState};
use rivet_probes::hpet as probes;

use crate::model::{HPETRegs, Host, LogItem};
use crate::registers;

/// The host timer of one comparator, and the way back to its HPET.
///
/// Migration: an element of the C `vmstate_hpet`'s "timers" array
/// (struct "hpet_timer"), whose timer sits between the registers.  The
/// registers live in [`HPETRegs`]; the slot carries copies of them that
/// `pre_save` fills and `post_load` moves back, and the timer itself, which
/// the load re-arms in place.
#[repr(C)]
#[derive(VMState)]
#[vmstate(name = "hpet_timer", version = 2, minimum_version = 2)]
pub struct HPETTimerSlot {
    #[vmstate(mask = registers::tn::WRITABLE)]
    config: Cell<u64>,
    comparator: Cell<u64>,
    period: Cell<u64>,
    timer: Timer,
    event_ns: Cell<i64>,
    /// The HPET this slot is a field of, fixed when it is initialised.
    #[vmstate(skip)]
    hpet: *const HPETState,
    #[vmstate(skip)]
    index: usize,
}

impl HPETTimerSlot {
    /// The slot of comparator `index` of the HPET at `hpet` (where the
    /// instance is being initialised: the timer calls back through it).
    fn new(hpet: *const HPETState, index: usize) -> Self {
        Self {
            config: Cell::new(0),
            comparator: Cell::new(0),
            period: Cell::new(0),
            timer: Timer::new(),
            event_ns: Cell::new(0),
            hpet,
            index,
        }
    }
}

impl TimerHandler for HPETTimerSlot {
    fn expired(&self) {
        // SAFETY: the HPET this slot is a field of (HPETState::init), which
        // is initialised by the time the timer is armed; the timer is
        // deleted before that object is freed.
        let hpet = unsafe { &*self.hpet };
        hpet.with_regs(|regs, host| regs.timer_expired(host, self.index));
    }
}

/// The Rust HPET instance.
///
/// Migration: the section "hpet" of the C twin, field for field: the
/// number of comparators (must match), the general registers, then the
/// first `num_timers` comparators with their deadlines.
#[repr(C)]
#[derive(Object, Device, VMState)]
#[qom_pin_data]
#[vmstate(
    name = "hpet",
    version = 2,
    minimum_version = 2,
    pre_save = Self::pre_save,
    post_load = Self::post_load
)]
pub struct HPETState {
    // #[pin]: C holds pointers into these fields.
    #[pin]
    #[vmstate(skip)]
    parent_obj: ParentField<SysBusDevice>,
    #[pin]
    #[vmstate(skip)]
    iomem: MemoryRegion,
    /// Hardware shape: a stream for another number of comparators is refused.
    #[property(name = "timers", default = registers::DEFAULT_TIMERS)]
    #[vmstate(must_equal)]
    num_timers: Cell<u8>,
    #[property(name = "intcap", default = registers::VIRT_INTCAP)]
    #[vmstate(skip)]
    intcap: Cell<u32>,
    /// Every guest-visible register, as in the C `HPETState`.
    #[vmstate(flatten)]
    regs: StateCell<HPETRegs>,
    /// Output levels are in `regs.irq_level`, which decides what the next
    /// update drives; the lines' receivers save their own view.
    #[vmstate(skip)]
    irqs: [InterruptSource; registers::NUM_IRQ_ROUTES],
    #[pin]
    #[vmstate(varray_count = num_timers)]
    timers: [HPETTimerSlot; registers::MAX_TIMERS],
}

// SAFETY: instances of "hpet-rust" are HPETState (registered below with
// size_of::<HPETState>()).
unsafe impl ObjectType for HPETState {
    const TYPE_NAME: &'static CStr = c"hpet-rust";
}
rivet_qom::qom_isa!(HPETState: SysBusDevice, rivet_hwcore::qdev::DeviceState, rivet_qom::Object);

/// The C core as seen by the register model.
struct CoreHost<'a> {
    dev: &'a HPETState,
}

impl Host for CoreHost<'_> {
    fn now_ns(&self) -> i64 {
        rivet_util::timer::now_ns()
    }
    fn set_irq(&mut self, route: u32, level: bool) {
        // Called on changes only, as in the C twin.
        probes::hpet_irq(route, level.into());
        self.dev.irqs[route as usize].set(level);
    }
    fn pulse_irq(&mut self, route: u32) {
        probes::hpet_irq(route, 1);
        probes::hpet_irq(route, 0);
        self.dev.irqs[route as usize].pulse();
    }
    fn timer_mod(&mut self, index: usize, deadline_ns: i64) {
        self.dev.timers[index].timer.modify(deadline_ns);
    }
    fn timer_del(&mut self, index: usize) {
        self.dev.timers[index].timer.delete();
    }
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>) {
        rivet_util::log::log(item, args);
    }
}

impl HPETState {
    fn with_regs<R>(&self, f: impl FnOnce(&mut HPETRegs, &mut CoreHost<'_>) -> R) -> R {
        f(&mut self.regs.borrow_mut(), &mut CoreHost { dev: self })
    }
}

impl HPETState {
    /// Before a save: the comparators' registers into their slots, beside
    /// the timers the stream carries with them.
    fn pre_save(&self) -> Result<()> {
        let regs = self.regs.borrow();
        for (t, slot) in regs.timers.iter().zip(&self.timers) {
            slot.config.set(t.config);
            slot.comparator.set(t.comparator);
            slot.period.set(t.period);
            slot.event_ns.set(t.event_ns);
        }
        Ok(())
    }

    /// After a load: what single fields cannot check (the C twin's checks
    /// and messages), then the comparators' registers back from the slots.
    /// The timers were re-armed in place by the load.
    fn post_load(&self, _version_id: i32) -> Result<()> {
        let mut regs = self.regs.borrow_mut();
        let num_timers = regs.num_timers;
        let timers_mask = (1u64 << num_timers) - 1;
        // Instants of virtual time, which starts at 0 (as the C twin checks).
        if regs.counter_base_ns < 0 {
            return Err(Error::new(format!(
                "field 'counter_base_ns': negative time {}",
                regs.counter_base_ns
            )));
        }
        if regs.isr & !timers_mask != 0 {
            return Err(Error::new(format!(
                "field 'isr': 0x{:x} has bits for timers beyond the {} this HPET has",
                regs.isr, num_timers
            )));
        }
        // Route 0 is the reset value even where INT_ROUTE_CAP lacks it.
        let intcap = regs.intcap;
        let routes = intcap | 1 | (1 << registers::LEGACY_IRQ0) | (1 << registers::LEGACY_IRQ1);
        if regs.irq_level & !routes != 0 {
            return Err(Error::new(format!(
                "field 'irq_level': 0x{:08x} drives routes outside INT_ROUTE_CAP 0x{:08x}",
                regs.irq_level, intcap
            )));
        }
        for (i, slot) in self.timers.iter().take(usize::from(num_timers)).enumerate() {
            let config = slot.config.get();
            let route =
                ((config & registers::tn::INT_ROUTE_MASK) >> registers::tn::INT_ROUTE_SHIFT) as u32;
            if route != 0 && intcap & (1 << route) == 0 {
                return Err(Error::new(format!(
                    "field 'timers[{i}].config': route {route} is not in INT_ROUTE_CAP 0x{intcap:08x}"
                )));
            }
            let event_ns = slot.event_ns.get();
            if event_ns < 0 {
                return Err(Error::new(format!(
                    "field 'timers[{i}].event_ns': negative time {event_ns}"
                )));
            }
            if let Some(deadline) = slot.timer.expire_time() {
                if deadline != slot.event_ns.get() {
                    return Err(Error::new(format!(
                        "field 'timers[{i}].timer': deadline {deadline} differs from event_ns {}",
                        slot.event_ns.get()
                    )));
                }
            }
        }
        let n = usize::from(num_timers);
        for (t, slot) in regs.timers.iter_mut().zip(&self.timers).take(n) {
            t.config = slot.config.get();
            t.comparator = slot.comparator.get();
            t.period = slot.period.get();
            t.event_ns = slot.event_ns.get();
        }
        Ok(())
    }
}

impl MmioOps for HPETState {
    // Every size reaches the callbacks, which log the ones the device does
    // not decode instead of faulting the guest (as the C twin).
    const VALID: AccessSizes = AccessSizes::new(1, 8);
    const IMPL: AccessSizes = AccessSizes::new(1, 8);

    fn read(&self, addr: u64, size: u32) -> u64 {
        let value = self.with_regs(|regs, host| regs.read(host, addr, size));
        probes::hpet_read(addr, size, value);
        value
    }

    fn write(&self, addr: u64, value: u64, size: u32) {
        probes::hpet_write(addr, size, value);
        self.with_regs(|regs, host| regs.write(host, addr, value, size));
    }
}

impl ObjectImpl for HPETState {
    type ParentType = SysBusDevice;

    fn init() -> impl PinInit<Self> {
        pin_init!(&this in Self {
            parent_obj <- ParentField::initialised_by_c(),
            iomem: MemoryRegion::new(),
            // C stores the properties' defaults after this initialiser.
            num_timers: Cell::new(0),
            intcap: Cell::new(0),
            regs: StateCell::default(),
            irqs: core::array::from_fn(|_| InterruptSource::new()),
            // Each slot knows its HPET from the start: the timer calls back
            // through it.
            timers: core::array::from_fn(|i| HPETTimerSlot::new(this.as_ptr(), i)),
        })
    }

    fn instance_init(&self) {
        for irq in &self.irqs {
            // SAFETY: the IRQ outputs are fields of this object.
            unsafe { self.init_irq(irq) };
        }
        for slot in &self.timers {
            // SAFETY: the timer and its handler (the slot) are fields of
            // this object, which never moves; finalize drops the slots,
            // which deletes the timers.
            unsafe { slot.timer.init(slot) };
        }
    }
}

impl DeviceImpl for HPETState {
    const DESCRIPTION: Option<&'static CStr> = Some(c"HPET (IA-PC HPET 1.0a) (Rust)");
    const PROPERTIES: &'static [PropertyInfo] = Self::DEVICE_PROPERTIES;
    const REGISTERS: Option<fn(&Self) -> String> =
        Some(|dev| dev.regs.borrow().registers_text(&CoreHost { dev }));
    const VMSD: Option<&'static rivet_migration::VMStateDescription> =
        Some(<Self as VMStateDescribed>::VMSD);

    fn realize(&self) -> Result<()> {
        let num_timers = self.num_timers.get();
        HPETRegs::check_num_timers(num_timers).map_err(Error::new)?;
        {
            let mut regs = self.regs.borrow_mut();
            regs.num_timers = num_timers;
            regs.intcap = self.intcap.get();
            for (i, t) in regs.timers.iter_mut().enumerate() {
                t.index = i as u32;
            }
        }
        // SAFETY: the region and its ops (self) are fields of this object,
        // which never moves.
        unsafe {
            self.iomem
                .init_io(self, self, c"hpet", HPETRegs::mmio_size(num_timers));
            self.init_mmio(&self.iomem);
        }
        Ok(())
    }

    fn reset(&self) {
        self.with_regs(|regs, host| regs.reset(host));
    }

    fn unrealize(&self) {
        for slot in &self.timers {
            slot.timer.delete();
        }
    }
}

rivet_qom::module_init! {
    rivet_hwcore::qdev::register_device::<HPETState>();
}

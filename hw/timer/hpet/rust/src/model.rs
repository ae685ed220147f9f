//! The HPET programming model: main counter, comparators in one-shot and
//! periodic modes, 32-bit mode, level and edge interrupts with legacy
//! replacement routing, independent of QOM.
//!
//! The counter is a linear function of the virtual clock, stored as its
//! value at a reference instant, so every comparator event is computed
//! exactly and a timer is armed for it: nothing is polled or approximated,
//! and runs are reproducible.  All guest-visible state is in plain fields
//! laid out like `HPETState` in hw/timer/hpet/hpet.h; the outside world
//! is reached through [`Host`].

use core::fmt;

use rivet_macros::VMState;

use crate::registers::{self, cap, cfg, tn, Register, TimerRegister};

/// The log categories the device writes to (`-d guest_errors`, `-d unimp`).
pub use rivet_util::log::LogItem;

/// What the register model needs from its surroundings.
pub trait Host {
    /// The virtual clock, in nanoseconds.
    fn now_ns(&self) -> i64;
    /// Drives IRQ output `route` (Tn_INT_ROUTE_CNF value).
    fn set_irq(&mut self, route: u32, level: bool);
    /// Pulses IRQ output `route` (an edge-triggered event).
    fn pulse_irq(&mut self, route: u32);
    /// Arms timer `index`'s host timer for `deadline_ns`.
    fn timer_mod(&mut self, index: usize, deadline_ns: i64);
    /// Cancels timer `index`'s host timer.
    fn timer_del(&mut self, index: usize);
    /// Writes a message under a `-d` item.
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>);
}

/// The state of one comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C)]
pub struct HPETTimerRegs {
    /// This timer's number.
    pub index: u32,
    /// Writable Tn_CONF_CAP bits.
    #[doc(alias = "Tn_CONF_CAP")]
    pub config: u64,
    /// Tn_COMPARATOR: the value the main counter is compared against (in
    /// periodic mode, the accumulator that advances by `period`).
    #[doc(alias = "Tn_COMPARATOR")]
    pub comparator: u64,
    /// Last value written to Tn_COMPARATOR in periodic mode.
    pub period: u64,
    /// Virtual time the armed event is due.
    pub event_ns: i64,
}

impl HPETTimerRegs {
    fn is_32bit(&self) -> bool {
        self.config & tn::MODE_32BIT != 0
    }

    fn is_periodic(&self) -> bool {
        self.config & tn::PERIODIC != 0
    }

    fn mask(&self) -> u64 {
        if self.is_32bit() {
            u64::from(u32::MAX)
        } else {
            u64::MAX
        }
    }
}

/// The guest-visible state of an HPET.
///
/// Migration (`#[vmstate]`): the general registers of the C
/// `vmstate_hpet`, in its order; the device adds the "num_timers" property
/// before them and the comparators (with their host timers) after.
#[derive(Clone, Debug, PartialEq, Eq, VMState)]
#[repr(C)]
pub struct HPETRegs {
    /// Comparators that exist ("timers" property, 3..=32).
    #[vmstate(skip)]
    pub num_timers: u8,
    /// Routes each timer may use ("intcap" property).
    #[vmstate(skip)]
    pub intcap: u32,
    /// GEN_CONF.
    #[doc(alias = "GEN_CONF")]
    #[vmstate(mask = cfg::ENABLE | cfg::LEGACY)]
    pub config: u64,
    /// GINTR_STA: level-triggered status bits.
    #[doc(alias = "GINTR_STA")]
    pub isr: u64,
    /// Main counter value at `counter_base_ns`; while enabled it has
    /// advanced by (now - counter_base_ns) / 10 ns since then.
    #[doc(alias = "MAIN_CNT")]
    pub counter: u64,
    /// The reference instant of `counter`.
    pub counter_base_ns: i64,
    /// Current level of each output line.
    pub irq_level: u32,
    /// The comparators (only the first `num_timers` exist).
    #[vmstate(skip)]
    pub timers: [HPETTimerRegs; registers::MAX_TIMERS],
}

impl Default for HPETRegs {
    fn default() -> Self {
        let mut timers = [HPETTimerRegs::default(); registers::MAX_TIMERS];
        for (i, t) in timers.iter_mut().enumerate() {
            t.index = i as u32;
        }
        Self {
            num_timers: registers::DEFAULT_TIMERS,
            intcap: registers::VIRT_INTCAP,
            config: 0,
            isr: 0,
            counter: 0,
            counter_base_ns: 0,
            irq_level: 0,
            timers,
        }
    }
}

/// Replaces the bits of `old` covered by a `size`-byte access at `addr`:
/// the whole register, or the 32-bit half `addr` selects.
///
/// Written with constant shifts only: the C twin's form, a field mask
/// shifted by `(addr & 4) * 8`, is miscompiled for 32-bit ARM by rustc
/// 1.85 (LLVM 19.1.7) at opt-level 1 and above, which drops the high half
/// of `old` in a low-half write (docs/cross.md, "armhf").
fn deposit(old: u64, addr: u64, size: u32, value: u64) -> u64 {
    const LOW_HALF: u64 = 0xffff_ffff;
    match (size, addr & 4) {
        (8, _) => value,
        (_, 0) => (old & !LOW_HALF) | (value & LOW_HALF),
        _ => (old & LOW_HALF) | (value << 32),
    }
}

impl HPETRegs {
    /// Checks the "timers" property before realize, with the C twin's
    /// message.
    pub fn check_num_timers(num_timers: u8) -> Result<(), String> {
        if !(registers::MIN_TIMERS..=registers::MAX_TIMERS as u8).contains(&num_timers) {
            return Err(format!(
                "hpet: property 'timers' is {num_timers}; it must be between {} and {}",
                registers::MIN_TIMERS,
                registers::MAX_TIMERS
            ));
        }
        Ok(())
    }

    /// Size of the MMIO region for `num_timers` comparators: the spec's
    /// window, grown to cover timers 24..31 when they exist.
    pub fn mmio_size(num_timers: u8) -> u64 {
        (registers::TIMER_BASE + registers::TIMER_STRIDE * u64::from(num_timers))
            .max(registers::MMIO_MIN_SIZE)
    }

    fn enabled(&self) -> bool {
        self.config & cfg::ENABLE != 0
    }

    /// The counter value at `ns` if it has been running since
    /// `counter_base_ns`.
    fn running_counter_at(&self, ns: i64) -> u64 {
        if ns <= self.counter_base_ns {
            return self.counter;
        }
        self.counter
            .wrapping_add((ns - self.counter_base_ns) as u64 / registers::PERIOD_NS as u64)
    }

    fn counter_at(&self, ns: i64) -> u64 {
        if self.enabled() {
            self.running_counter_at(ns)
        } else {
            self.counter
        }
    }

    /// The main counter value now.
    pub fn get_counter(&self, host: &impl Host) -> u64 {
        self.counter_at(host.now_ns())
    }

    /// The output line timer `i` drives: legacy replacement takes over the
    /// routes of timers 0 and 1.
    fn timer_route(&self, i: usize) -> u32 {
        if self.config & cfg::LEGACY != 0 {
            match i {
                0 => return registers::LEGACY_IRQ0,
                1 => return registers::LEGACY_IRQ1,
                _ => {}
            }
        }
        ((self.timers[i].config & tn::INT_ROUTE_MASK) >> tn::INT_ROUTE_SHIFT) as u32
    }

    /// Drives every output from the level-triggered status bits.  Halting
    /// the HPET does not withdraw an interrupt already asserted: like the
    /// status bit it stays until software clears it.
    fn update_lines(&mut self, host: &mut impl Host) {
        let mut level = 0u32;
        for i in 0..usize::from(self.num_timers) {
            let t = &self.timers[i];
            if t.config & tn::INT_TYPE_LEVEL != 0
                && t.config & tn::INT_ENB != 0
                && self.isr & (1 << i) != 0
            {
                level |= 1 << self.timer_route(i);
            }
        }
        let changed = level ^ self.irq_level;
        self.irq_level = level;
        for r in 0..registers::NUM_IRQ_ROUTES as u32 {
            if changed & (1 << r) != 0 {
                host.set_irq(r, (level >> r) & 1 != 0);
            }
        }
    }

    /// A timer event: level mode latches the status bit (even with INT_ENB
    /// clear, as the spec says) and holds the line; edge mode pulses it.
    fn timer_fire(&mut self, host: &mut impl Host, i: usize) {
        let config = self.timers[i].config;
        if config & tn::INT_TYPE_LEVEL != 0 {
            self.isr |= 1 << i;
            self.update_lines(host);
            return;
        }
        if config & tn::INT_ENB != 0 {
            let route = self.timer_route(i);
            // A line already held high by a level timer absorbs the edge.
            if self.irq_level & (1 << route) == 0 {
                host.pulse_irq(route);
            }
        }
    }

    /// Arms timer `i` for its next event after the counter value it has at
    /// `ref_ns`: the comparator match and, for a one-shot 32-bit timer, the
    /// wrap of the low 32 counter bits.  `include_now` makes a match at the
    /// current value an event (after software changes, not after an event,
    /// where it would repeat forever).
    fn timer_arm(&mut self, host: &mut impl Host, i: usize, ref_ns: i64, include_now: bool) {
        host.timer_del(i);
        if !self.enabled() {
            return;
        }
        let t = &self.timers[i];
        let cur = self.counter_at(ref_ns);
        let mut delta = t.comparator.wrapping_sub(cur) & t.mask();
        if delta == 0 && !include_now {
            // The next match is a full counter revolution away.
            delta = if t.is_32bit() { 1 << 32 } else { u64::MAX };
        }
        if t.is_32bit() && !t.is_periodic() {
            let to_wrap = (1u64 << 32) - (cur & u64::from(u32::MAX));
            delta = delta.min(to_wrap);
        }
        // Ticks from the counter's reference instant to the event.
        let elapsed = cur.wrapping_sub(self.counter);
        let max_ticks =
            (i64::MAX.wrapping_sub(self.counter_base_ns) as u64) / registers::PERIOD_NS as u64;
        if elapsed >= max_ticks || delta >= max_ticks - elapsed {
            return; // beyond the end of virtual time
        }
        let ticks = elapsed + delta;
        let event_ns = self.counter_base_ns + (ticks * registers::PERIOD_NS as u64) as i64;
        self.timers[i].event_ns = event_ns;
        host.timer_mod(i, event_ns);
    }

    /// Timer `i`'s host timer expired.
    pub fn timer_expired(&mut self, host: &mut impl Host, i: usize) {
        let event_ns = self.timers[i].event_ns;
        let cur = self.counter_at(event_ns);
        let t = &mut self.timers[i];
        let mask = t.mask();
        if (cur ^ t.comparator) & mask == 0 && t.is_periodic() {
            t.comparator = t.comparator.wrapping_add(t.period) & mask;
        }
        self.timer_fire(host, i);
        // Measured from the event itself, so a late run catches up exactly.
        self.timer_arm(host, i, event_ns, false);
    }

    fn arm_all(&mut self, host: &mut impl Host) {
        let now = host.now_ns();
        for i in 0..usize::from(self.num_timers) {
            self.timer_arm(host, i, now, true);
        }
    }

    fn capabilities(&self) -> u64 {
        cap::REV_ID
            | (u64::from(self.num_timers) - 1) << cap::NUM_TIM_SHIFT
            | cap::COUNT_SIZE
            | cap::LEG_RT
            | cap::VENDOR_ID << cap::VENDOR_ID_SHIFT
            | registers::PERIOD_FS << cap::CLK_PERIOD_SHIFT
    }

    fn timer_conf_cap(&self, i: usize) -> u64 {
        self.timers[i].config
            | tn::PER_INT_CAP
            | tn::SIZE_CAP
            | u64::from(self.intcap) << tn::ROUTE_CAP_SHIFT
    }

    /// The timer and register owning offset `reg`, if any.
    fn timer_at(&self, reg: u64) -> Option<(usize, Result<TimerRegister, u64>)> {
        if reg < registers::TIMER_BASE {
            return None;
        }
        let index = (reg - registers::TIMER_BASE) / registers::TIMER_STRIDE;
        if index >= u64::from(self.num_timers) {
            return None;
        }
        let off = (reg - registers::TIMER_BASE) % registers::TIMER_STRIDE;
        Some((index as usize, TimerRegister::try_from(off)))
    }

    /// The 64-bit register at `reg`; `None` for reserved offsets.
    fn read64(&self, host: &impl Host, reg: u64) -> Option<u64> {
        match Register::try_from(reg) {
            Ok(Register::CapId) => return Some(self.capabilities()),
            Ok(Register::Config) => return Some(self.config),
            Ok(Register::IntStatus) => return Some(self.isr),
            Ok(Register::Counter) => return Some(self.get_counter(host)),
            Err(_) => {}
        }
        match self.timer_at(reg)? {
            (i, Ok(TimerRegister::ConfCap)) => Some(self.timer_conf_cap(i)),
            (i, Ok(TimerRegister::Comparator)) => Some(self.timers[i].comparator),
            (_, Ok(TimerRegister::FsbRoute)) => Some(0),
            (_, Err(_)) => None,
        }
    }

    /// The text of the read-only `registers` property (`-d dev_regs`,
    /// the twin tests): the general registers as the guest reads them,
    /// the output line levels, then each timer that exists (Tn_CONF_CAP as
    /// read, the comparator and the periodic increment).  The C twin's
    /// `hpet_get_registers` renders the same text from the same state.
    pub fn registers_text(&self, host: &impl Host) -> String {
        use fmt::Write;
        let mut text = format!(
            "cap={:#x} config={:#x} isr={:#x} counter={:#x} irq_level={:#x}",
            self.capabilities(),
            self.config,
            self.isr,
            self.get_counter(host),
            self.irq_level,
        );
        for (i, t) in self.timers[..usize::from(self.num_timers)]
            .iter()
            .enumerate()
        {
            // Writing to a String cannot fail.
            let _ = write!(
                text,
                " timer{i}.config={:#x} timer{i}.comparator={:#x} timer{i}.period={:#x}",
                self.timer_conf_cap(i),
                t.comparator,
                t.period,
            );
        }
        text
    }

    /// A guest read of `size` bytes at `addr`.
    pub fn read(&mut self, host: &mut impl Host, addr: u64, size: u32) -> u64 {
        let mut value = None;
        if (size == 4 || size == 8) && addr % u64::from(size) == 0 {
            let shift = (addr & 4) * 8;
            value = self.read64(host, addr & !7).map(|v| {
                let v = v >> shift;
                if size == 4 {
                    v & u64::from(u32::MAX)
                } else {
                    v
                }
            });
        }
        value.unwrap_or_else(|| {
            host.log(
                LogItem::GuestError,
                format_args!("hpet: bad read offset=0x{addr:03x} size={size}"),
            );
            0
        })
    }

    fn write_gen_conf(&mut self, host: &mut impl Host, value: u64) {
        let old = self.config;
        let now = host.now_ns();
        self.config = value & (cfg::ENABLE | cfg::LEGACY);
        if old & cfg::ENABLE == 0 && self.enabled() {
            // Counting resumes from the halted value, starting now.
            self.counter_base_ns = now;
            self.arm_all(host);
        } else if old & cfg::ENABLE != 0 && !self.enabled() {
            // Halt: the counter keeps the value it reached.
            self.counter = self.running_counter_at(now);
            self.counter_base_ns = now;
            for i in 0..usize::from(self.num_timers) {
                host.timer_del(i);
            }
        }
        self.update_lines(host);
    }

    fn write_timer_conf(&mut self, host: &mut impl Host, i: usize, value: u64) {
        let old = self.timers[i].config;
        let mut conf = value & tn::WRITABLE;
        let route = ((conf & tn::INT_ROUTE_MASK) >> tn::INT_ROUTE_SHIFT) as u32;
        if self.intcap & (1 << route) == 0 {
            // Unsupported routes do not stick: the old one reads back.
            host.log(
                LogItem::GuestError,
                format_args!(
                    "hpet: timer {i}: route {route} is not in INT_ROUTE_CAP 0x{:08x}",
                    self.intcap
                ),
            );
            conf = (conf & !tn::INT_ROUTE_MASK) | (old & tn::INT_ROUTE_MASK);
        }
        if value & tn::FSB_EN != 0 {
            host.log(LogItem::Unimp, format_args!("hpet: FSB interrupt delivery"));
        }
        let t = &mut self.timers[i];
        t.config = conf;
        if old & tn::INT_TYPE_LEVEL != 0 && conf & tn::INT_TYPE_LEVEL == 0 {
            // Edge mode has no status bit.
            self.isr &= !(1 << i);
        }
        if t.is_32bit() {
            t.comparator &= u64::from(u32::MAX);
            t.period &= u64::from(u32::MAX);
        }
        self.update_lines(host);
        let now = host.now_ns();
        self.timer_arm(host, i, now, true);
    }

    /// A comparator write sets the period ("the last value written") of a
    /// periodic timer and, for a one-shot timer or with VAL_SET, the
    /// comparator itself; VAL_SET then clears.
    fn write_comparator(
        &mut self,
        host: &mut impl Host,
        i: usize,
        addr: u64,
        size: u32,
        value: u64,
    ) {
        let t = &mut self.timers[i];
        let (mut size, mut value) = (size, value);
        if t.is_32bit() {
            if addr & 4 != 0 {
                return; // the upper half does not exist in 32-bit mode
            }
            size = 4;
            value &= u64::from(u32::MAX);
        }
        if !t.is_periodic() || t.config & tn::VAL_SET != 0 {
            t.comparator = deposit(t.comparator, addr, size, value);
        }
        if t.is_periodic() {
            t.period = deposit(t.period, addr, size, value);
        }
        t.config &= !tn::VAL_SET;
        let now = host.now_ns();
        self.timer_arm(host, i, now, true);
    }

    /// A guest write of `size` bytes at `addr`.
    pub fn write(&mut self, host: &mut impl Host, addr: u64, value: u64, size: u32) {
        if (size != 4 && size != 8) || addr % u64::from(size) != 0 {
            host.log(
                LogItem::GuestError,
                format_args!("hpet: bad write offset=0x{addr:03x} size={size}"),
            );
            return;
        }
        let reg = addr & !7;
        match Register::try_from(reg) {
            Ok(Register::CapId) => {
                host.log(
                    LogItem::GuestError,
                    format_args!("hpet: write to read-only GCAP_ID"),
                );
                return;
            }
            Ok(Register::Config) => {
                let v = deposit(self.config, addr, size, value);
                self.write_gen_conf(host, v);
                return;
            }
            Ok(Register::IntStatus) => {
                // Write 1 to clear; writes of 0 have no effect.
                self.isr &= !deposit(0, addr, size, value);
                self.update_lines(host);
                return;
            }
            Ok(Register::Counter) => {
                if self.enabled() {
                    host.log(
                        LogItem::GuestError,
                        format_args!(
                            "hpet: MAIN_CNT written while the counter runs; \
                             halt it first (GEN_CONF.ENABLE_CNF=0)"
                        ),
                    );
                    return;
                }
                self.counter = deposit(self.counter, addr, size, value);
                return;
            }
            Err(_) => {}
        }
        match self.timer_at(reg) {
            Some((i, Ok(TimerRegister::ConfCap))) => {
                let v = deposit(self.timer_conf_cap(i), addr, size, value);
                self.write_timer_conf(host, i, v);
            }
            Some((i, Ok(TimerRegister::Comparator))) => {
                self.write_comparator(host, i, addr, size, value);
            }
            Some((_, Ok(TimerRegister::FsbRoute))) => {
                host.log(LogItem::Unimp, format_args!("hpet: FSB interrupt delivery"));
            }
            Some((_, Err(_))) | None => host.log(
                LogItem::GuestError,
                format_args!("hpet: write to reserved offset=0x{addr:03x} size={size}"),
            ),
        }
    }

    /// Device reset: everything to the spec's reset values, the counter
    /// at 0 from now, every output low.
    pub fn reset(&mut self, host: &mut impl Host) {
        self.config = 0;
        self.isr = 0;
        self.counter = 0;
        self.counter_base_ns = host.now_ns();
        for (i, t) in self.timers.iter_mut().enumerate() {
            host.timer_del(i);
            t.config = 0;
            t.comparator = u64::MAX;
            t.period = 0;
            t.event_ns = 0;
        }
        self.update_lines(host);
    }
}

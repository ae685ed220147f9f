//! Unit tests of the HPET register model against a simulated clock and
//! recording IRQ lines: the same cases as hw/timer/hpet/test-hpet.c, so
//! both twins are held to one behaviour.

use core::fmt;

use crate::model::{HPETRegs, Host, LogItem};
use crate::registers::{cfg, tn, Register, TimerRegister, VIRT_INTCAP};

const ROUTE_A: u32 = 16;
const ROUTE_B: u32 = 17;

#[derive(Clone, Copy, Default)]
struct Line {
    level: bool,
    rises: u32,
    last_rise_ns: i64,
}

#[derive(Default)]
struct Sim {
    now: i64,
    lines: [Line; 32],
    timers: [Option<i64>; 32],
    logs: Vec<(LogItem, String)>,
}

impl Sim {
    fn set(&mut self, route: u32, level: bool) {
        let now = self.now;
        let line = &mut self.lines[route as usize];
        if level && !line.level {
            line.rises += 1;
            line.last_rise_ns = now;
        }
        line.level = level;
    }
}

impl Host for Sim {
    fn now_ns(&self) -> i64 {
        self.now
    }
    fn set_irq(&mut self, route: u32, level: bool) {
        self.set(route, level);
    }
    fn pulse_irq(&mut self, route: u32) {
        self.set(route, true);
        self.set(route, false);
    }
    fn timer_mod(&mut self, index: usize, deadline_ns: i64) {
        self.timers[index] = Some(deadline_ns);
    }
    fn timer_del(&mut self, index: usize) {
        self.timers[index] = None;
    }
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>) {
        self.logs.push((item, args.to_string()));
    }
}

struct Hpet {
    s: HPETRegs,
    h: Sim,
}

fn tn_reg(n: u64, r: TimerRegister) -> u64 {
    0x100 + 0x20 * n + r.offset()
}

fn route(r: u32) -> u64 {
    u64::from(r) << tn::INT_ROUTE_SHIFT
}

const CONF: TimerRegister = TimerRegister::ConfCap;
const CMP: TimerRegister = TimerRegister::Comparator;

impl Hpet {
    fn new() -> Self {
        let mut d = Hpet {
            s: HPETRegs::default(),
            h: Sim::default(),
        };
        d.s.reset(&mut d.h);
        d
    }
    fn rd64(&mut self, addr: u64) -> u64 {
        self.s.read(&mut self.h, addr, 8)
    }
    fn rd32(&mut self, addr: u64) -> u64 {
        self.s.read(&mut self.h, addr, 4)
    }
    fn wr64(&mut self, addr: u64, v: u64) {
        self.s.write(&mut self.h, addr, v, 8);
    }
    fn wr32(&mut self, addr: u64, v: u64) {
        self.s.write(&mut self.h, addr, v, 4);
    }
    fn enable(&mut self) {
        self.wr64(Register::Config.offset(), cfg::ENABLE);
    }
    /// Runs the due timers in deadline order, each at its own instant.
    fn advance_to(&mut self, ns: i64) {
        loop {
            let due = (0..32)
                .filter_map(|i| self.h.timers[i].map(|d| (d, i)))
                .filter(|&(d, _)| d <= ns)
                .min();
            let Some((deadline, i)) = due else { break };
            self.h.now = self.h.now.max(deadline);
            self.h.timers[i] = None;
            self.s.timer_expired(&mut self.h, i);
        }
        self.h.now = ns;
    }
    fn line(&self, r: u32) -> Line {
        self.h.lines[r as usize]
    }
    fn total_rises(&self) -> u32 {
        self.h.lines.iter().map(|l| l.rises).sum()
    }
}

#[test]
fn capabilities_and_reset_values() {
    let mut h = Hpet::new();
    assert_eq!(h.rd64(0x000), 0x0098_9680_8086_a201);
    assert_eq!(h.rd32(0x000), 0x8086_a201);
    assert_eq!(h.rd32(0x004), 10_000_000);
    assert_eq!(h.rd64(0x010), 0);
    assert_eq!(h.rd64(0x020), 0);
    assert_eq!(h.rd64(0x0f0), 0);
    for n in 0..3 {
        assert_eq!(
            h.rd64(tn_reg(n, CONF)),
            (u64::from(VIRT_INTCAP) << 32) | 0x30
        );
        assert_eq!(h.rd64(tn_reg(n, CMP)), u64::MAX);
        assert_eq!(h.rd64(tn_reg(n, TimerRegister::FsbRoute)), 0);
    }
    assert_eq!(h.rd64(tn_reg(3, CONF)), 0); // timer 3 does not exist
    h.wr64(0x000, 0);
    assert_eq!(h.rd32(0x000), 0x8086_a201);
    h.wr64(0x30, 1);
    assert_eq!(h.rd64(0x30), 0);
    assert_eq!(h.total_rises(), 0);
    let logs: Vec<&str> = h.h.logs.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        logs,
        [
            "hpet: bad read offset=0x160 size=8",
            "hpet: write to read-only GCAP_ID",
            "hpet: write to reserved offset=0x030 size=8",
            "hpet: bad read offset=0x030 size=8",
        ]
    );
}

#[test]
fn timers_property() {
    assert_eq!(
        HPETRegs::check_num_timers(2).unwrap_err(),
        "hpet: property 'timers' is 2; it must be between 3 and 32"
    );
    assert!(HPETRegs::check_num_timers(33).is_err());
    assert!(HPETRegs::check_num_timers(3).is_ok());
    assert_eq!(HPETRegs::mmio_size(3), 0x400);
    assert_eq!(HPETRegs::mmio_size(32), 0x100 + 0x20 * 32);
    let mut h = Hpet {
        s: HPETRegs {
            num_timers: 32,
            intcap: 0x10,
            ..HPETRegs::default()
        },
        h: Sim::default(),
    };
    h.s.reset(&mut h.h);
    assert_eq!(h.rd32(0) & 0x1f00, 31 << 8);
    assert_eq!(h.rd64(tn_reg(31, CONF)), (0x10 << 32) | 0x30);
}

#[test]
fn main_counter_rate() {
    let mut h = Hpet::new();
    h.advance_to(500);
    assert_eq!(h.rd64(0xf0), 0);
    h.enable();
    h.advance_to(1500);
    assert_eq!(h.rd64(0xf0), 100);
    h.advance_to(1509);
    assert_eq!(h.rd64(0xf0), 100);
    h.advance_to(1510);
    assert_eq!(h.rd64(0xf0), 101);
    h.wr64(0xf0, 5);
    assert_eq!(h.rd64(0xf0), 101);
    h.advance_to(2505);
    h.wr64(0x10, 0);
    h.advance_to(100_000);
    assert_eq!(h.rd64(0xf0), 200);
    h.wr32(0xf4, 1);
    h.wr32(0xf0, 0xffff_fff0);
    assert_eq!(h.rd64(0xf0), 0x1_ffff_fff0);
    h.enable();
    h.advance_to(100_200);
    assert_eq!(h.rd64(0xf0), 0x2_0000_0004);
    assert_eq!(h.rd32(0xf0), 4);
    assert_eq!(h.rd32(0xf4), 2);
}

#[test]
fn one_shot_edge_interrupt() {
    let mut h = Hpet::new();
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | route(ROUTE_A));
    h.wr64(tn_reg(0, CMP), 500);
    h.enable();
    h.advance_to(4999);
    assert_eq!(h.line(ROUTE_A).rises, 0);
    h.advance_to(5000);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 5000);
    assert!(!h.line(ROUTE_A).level);
    assert_eq!(h.rd64(0x20), 0);
    h.advance_to(10_000_000);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 500);
    assert_eq!(h.total_rises(), 1);
}

#[test]
fn one_shot_level_interrupt_and_status() {
    let mut h = Hpet::new();
    h.wr64(
        tn_reg(1, CONF),
        tn::INT_ENB | tn::INT_TYPE_LEVEL | route(ROUTE_B),
    );
    h.wr64(tn_reg(1, CMP), 300);
    h.enable();
    h.advance_to(2999);
    assert!(!h.line(ROUTE_B).level);
    h.advance_to(3000);
    assert!(h.line(ROUTE_B).level);
    assert_eq!(h.rd64(0x20), 2);
    h.advance_to(50_000);
    h.wr64(0x20, 0);
    assert!(h.line(ROUTE_B).level);
    h.wr32(0x20, 2);
    assert!(!h.line(ROUTE_B).level);
    assert_eq!(h.rd64(0x20), 0);
    assert_eq!(h.line(ROUTE_B).rises, 1);
}

#[test]
fn level_status_without_int_enb() {
    let mut h = Hpet::new();
    let a = route(ROUTE_A);
    h.wr64(tn_reg(0, CONF), tn::INT_TYPE_LEVEL | a);
    h.wr64(tn_reg(0, CMP), 10);
    h.enable();
    h.advance_to(100);
    assert_eq!(h.rd64(0x20), 1);
    assert!(!h.line(ROUTE_A).level);
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | tn::INT_TYPE_LEVEL | a);
    assert!(h.line(ROUTE_A).level);
    h.wr64(0x10, 0);
    assert!(h.line(ROUTE_A).level);
    h.wr64(tn_reg(0, CONF), tn::INT_TYPE_LEVEL | a);
    assert!(!h.line(ROUTE_A).level);
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | tn::INT_TYPE_LEVEL | a);
    assert!(h.line(ROUTE_A).level);
    h.enable();
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | a);
    assert_eq!(h.rd64(0x20), 0);
    assert!(!h.line(ROUTE_A).level);
}

#[test]
fn periodic_mode() {
    let mut h = Hpet::new();
    h.wr64(
        tn_reg(0, CONF),
        tn::INT_ENB | tn::PERIODIC | tn::VAL_SET | route(ROUTE_A),
    );
    h.wr64(tn_reg(0, CMP), 100);
    assert_eq!(h.rd64(tn_reg(0, CONF)) & tn::VAL_SET, 0);
    h.wr64(tn_reg(0, CMP), 250);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 100);
    h.enable();
    h.advance_to(999);
    assert_eq!(h.line(ROUTE_A).rises, 0);
    h.advance_to(1000);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 350);
    h.advance_to(3499);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    h.advance_to(3500);
    assert_eq!(h.line(ROUTE_A).rises, 2);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 3500);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 600);
    h.advance_to(3500 + 10 * 2500);
    assert_eq!(h.line(ROUTE_A).rises, 12);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 3500 + 10 * 2500);
    h.wr64(tn_reg(0, CMP), 1000);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 100 + 12 * 250);
    h.advance_to(3500 + 11 * 2500);
    assert_eq!(h.line(ROUTE_A).rises, 13);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 100 + 12 * 250 + 1000);
    h.advance_to(3500 + 11 * 2500 + 10_000);
    assert_eq!(h.line(ROUTE_A).rises, 14);
}

#[test]
fn periodic_level_holds_until_cleared() {
    let mut h = Hpet::new();
    h.wr64(
        tn_reg(2, CONF),
        tn::INT_ENB | tn::INT_TYPE_LEVEL | tn::PERIODIC | tn::VAL_SET | route(ROUTE_A),
    );
    h.wr64(tn_reg(2, CMP), 100);
    h.enable();
    h.advance_to(1000);
    assert!(h.line(ROUTE_A).level);
    h.advance_to(2500);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    h.wr64(0x20, 1 << 2);
    assert!(!h.line(ROUTE_A).level);
    h.advance_to(3000);
    assert!(h.line(ROUTE_A).level);
    assert_eq!(h.line(ROUTE_A).rises, 2);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 3000);
}

#[test]
fn thirty_two_bit_one_shot_wraps() {
    let mut h = Hpet::new();
    h.wr64(0xf0, 0xffff_ff00);
    h.wr64(
        tn_reg(0, CONF),
        tn::INT_ENB | tn::MODE_32BIT | route(ROUTE_A),
    );
    assert_eq!(h.rd64(tn_reg(0, CMP)), 0xffff_ffff);
    h.wr64(tn_reg(0, CMP), 0xaaaa_aaaa_0000_0080);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 0x80);
    h.wr64(tn_reg(1, CONF), tn::INT_ENB | route(ROUTE_B));
    h.wr64(tn_reg(1, CMP), 0x1_0000_0080);
    h.enable();
    h.advance_to(0x100 * 10 - 1);
    assert_eq!(h.total_rises(), 0);
    h.advance_to(0x100 * 10);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.line(ROUTE_B).rises, 0);
    h.advance_to(0x180 * 10);
    assert_eq!(h.line(ROUTE_A).rises, 2);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 0x180 * 10);
    assert_eq!(h.line(ROUTE_B).rises, 1);
    assert_eq!(h.line(ROUTE_B).last_rise_ns, 0x180 * 10);
}

#[test]
fn thirty_two_bit_periodic_accumulator_wraps() {
    let mut h = Hpet::new();
    h.wr64(0xf0, 0x7_ffff_ff00);
    h.wr64(
        tn_reg(0, CONF),
        tn::INT_ENB | tn::MODE_32BIT | tn::PERIODIC | tn::VAL_SET | route(ROUTE_A),
    );
    h.wr32(tn_reg(0, CMP), 0xffff_ff80);
    h.wr32(tn_reg(0, CMP), 0x100);
    h.enable();
    h.advance_to(0x80 * 10);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 0x80);
    h.advance_to(0x180 * 10 - 1);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    h.advance_to(0x180 * 10);
    assert_eq!(h.line(ROUTE_A).rises, 2);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 0x180);
}

#[test]
fn legacy_replacement_routing() {
    let mut h = Hpet::new();
    for n in 0..3u64 {
        h.wr64(
            tn_reg(n, CONF),
            tn::INT_ENB | tn::INT_TYPE_LEVEL | route(ROUTE_A),
        );
        h.wr64(tn_reg(n, CMP), 100 * (n + 1));
    }
    h.wr64(0x10, cfg::ENABLE | cfg::LEGACY);
    h.advance_to(1000);
    assert!(h.line(2).level);
    assert!(!h.line(8).level);
    assert!(!h.line(ROUTE_A).level);
    h.advance_to(2000);
    assert!(h.line(8).level);
    h.advance_to(3000);
    assert!(h.line(ROUTE_A).level);
    h.wr64(0x10, cfg::ENABLE);
    assert!(!h.line(2).level);
    assert!(!h.line(8).level);
    assert!(h.line(ROUTE_A).level);
    h.wr64(0x20, 0x7);
    assert!(!h.line(ROUTE_A).level);
}

#[test]
fn unsupported_route_does_not_stick() {
    let mut h = Hpet::new();
    h.wr64(tn_reg(0, CONF), route(8));
    assert_eq!(h.rd64(tn_reg(0, CONF)) & tn::INT_ROUTE_MASK, route(8));
    h.wr64(tn_reg(0, CONF), route(3) | tn::INT_ENB);
    assert_eq!(
        h.rd64(tn_reg(0, CONF)) & 0xffff,
        route(8) | tn::INT_ENB | 0x30
    );
    assert_eq!(
        h.h.logs.last().unwrap().1,
        "hpet: timer 0: route 3 is not in INT_ROUTE_CAP 0x00ff0104"
    );
    h.wr64(tn_reg(0, CONF), 0);
    assert_eq!(
        h.rd64(tn_reg(0, CONF)),
        (u64::from(VIRT_INTCAP) << 32) | 0x30 | route(8)
    );
}

#[test]
fn halting_stops_events() {
    let mut h = Hpet::new();
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | route(ROUTE_A));
    h.wr64(tn_reg(0, CMP), 100);
    h.enable();
    h.advance_to(600);
    h.wr64(0x10, 0);
    h.advance_to(100_000);
    assert_eq!(h.line(ROUTE_A).rises, 0);
    h.enable();
    h.advance_to(100_399);
    assert_eq!(h.line(ROUTE_A).rises, 0);
    h.advance_to(100_400);
    assert_eq!(h.line(ROUTE_A).rises, 1);
}

#[test]
fn comparator_halves_and_match_now() {
    let mut h = Hpet::new();
    h.wr64(tn_reg(0, CONF), tn::INT_ENB | route(ROUTE_A));
    h.wr32(tn_reg(0, CMP) + 4, 0);
    h.wr32(tn_reg(0, CMP), 1000);
    assert_eq!(h.rd64(tn_reg(0, CMP)), 1000);
    assert_eq!(h.rd32(tn_reg(0, CMP) + 4), 0);
    h.enable();
    h.advance_to(5000);
    let now = h.rd64(0xf0);
    h.wr64(tn_reg(0, CMP), now);
    h.advance_to(5000);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.line(ROUTE_A).last_rise_ns, 5000);
    h.advance_to(20_000);
    assert_eq!(h.line(ROUTE_A).rises, 1);
    assert_eq!(h.s.read(&mut h.h, 0x10, 2), 0);
    assert_eq!(h.s.read(&mut h.h, 0x14, 8), 0);
    h.s.write(&mut h.h, 0x10, 0, 1);
    assert_eq!(h.rd64(0x10), cfg::ENABLE);
}

/// A 32-bit write replaces one half of a 64-bit register and keeps the
/// other, whatever both hold: the main counter (halted) and a 64-bit
/// one-shot comparator.  On armhf the Rust twin once lost the high half in
/// a low-half write (its deposit() was miscompiled, docs/cross.md).
#[test]
fn half_writes_keep_the_other_half() {
    const OLD: [u64; 3] = [0x1_0000_00c8, 0x1234_5678_9abc_def0, u64::MAX];
    const NEW: [u64; 3] = [0, 0xffff_fff0, 0xdead_beef];
    for reg in [Register::Counter.offset(), tn_reg(0, CMP)] {
        for old in OLD {
            for new in NEW {
                let mut h = Hpet::new();
                h.wr64(reg, old);
                h.wr32(reg, new);
                let want = (old & 0xffff_ffff_0000_0000) | new;
                assert_eq!(h.rd64(reg), want, "low half of {reg:#x}");
                h.wr64(reg, old);
                h.wr32(reg + 4, new);
                let want = (new << 32) | (old & 0xffff_ffff);
                assert_eq!(h.rd64(reg), want, "high half of {reg:#x}");
            }
        }
    }
}

#[test]
fn reset_stops_timers_and_lowers_lines() {
    let mut h = Hpet::new();
    h.wr64(
        tn_reg(0, CONF),
        tn::INT_ENB | tn::INT_TYPE_LEVEL | route(ROUTE_A),
    );
    h.wr64(tn_reg(0, CMP), 10);
    h.wr64(tn_reg(1, CMP), 1_000_000);
    h.enable();
    h.advance_to(200);
    assert!(h.line(ROUTE_A).level);
    h.s.reset(&mut h.h);
    assert!(!h.line(ROUTE_A).level);
    assert!(h.h.timers.iter().all(Option::is_none));
    assert_eq!(h.s.counter_base_ns, 200);
    assert_eq!(h.rd64(tn_reg(1, CMP)), u64::MAX);
}

/// The `registers` property text; hw/timer/hpet/test-hpet.c's
/// registers_property expects the same text from the C twin.
#[test]
fn registers_text() {
    let mut h = Hpet::new();
    h.wr64(tn_reg(0, CMP), 0x1234);
    h.enable();
    h.advance_to(500);
    assert_eq!(
        h.s.registers_text(&h.h),
        "cap=0x9896808086a201 config=0x1 isr=0x0 counter=0x32 irq_level=0x0 \
         timer0.config=0xff010400000030 timer0.comparator=0x1234 \
         timer0.period=0x0 timer1.config=0xff010400000030 \
         timer1.comparator=0xffffffffffffffff timer1.period=0x0 \
         timer2.config=0xff010400000030 timer2.comparator=0xffffffffffffffff \
         timer2.period=0x0"
    );
}

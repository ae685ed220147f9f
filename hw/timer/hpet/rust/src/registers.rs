//! HPET register offsets and bit fields, from the IA-PC HPET (High Precision
//! Event Timers) Specification 1.0a, section 2.3 "Register Descriptions".
//! Names and values match hw/timer/hpet/hpet.h.

use rivet_macros::RegisterOffset;

/// The general registers (spec table 2-4 "Memory-Mapped Register Space").
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, RegisterOffset)]
pub enum Register {
    /// General Capabilities and ID Register (spec 2.3.4).
    #[doc(alias = "GCAP_ID")]
    CapId = 0x000,
    /// General Configuration Register (spec 2.3.5).
    #[doc(alias = "GEN_CONF")]
    Config = 0x010,
    /// General Interrupt Status Register (spec 2.3.6).
    #[doc(alias = "GINTR_STA")]
    IntStatus = 0x020,
    /// Main Counter Value Register (spec 2.3.7).
    #[doc(alias = "MAIN_CNT")]
    Counter = 0x0f0,
}

/// Registers of one timer, at `TIMER_BASE + TIMER_STRIDE * n` (spec 2.3.8
/// to 2.3.10).
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, RegisterOffset)]
pub enum TimerRegister {
    /// Timer N Configuration and Capability Register (spec 2.3.8).
    #[doc(alias = "Tn_CONF_CAP")]
    ConfCap = 0x00,
    /// Timer N Comparator Value Register (spec 2.3.9).
    #[doc(alias = "Tn_COMPARATOR")]
    Comparator = 0x08,
    /// Timer N FSB Interrupt Route Register (spec 2.3.10).
    #[doc(alias = "Tn_FSB_ROUTE")]
    FsbRoute = 0x10,
}

/// Offset of timer 0's registers.
pub const TIMER_BASE: u64 = 0x100;
/// Distance between two timers' registers.
pub const TIMER_STRIDE: u64 = 0x20;

/// GCAP_ID fields (spec 2.3.4).
pub mod cap {
    /// REV_ID.
    pub const REV_ID: u64 = 0x01;
    /// NUM_TIM_CAP: number of the last timer.
    pub const NUM_TIM_SHIFT: u32 = 8;
    /// COUNT_SIZE_CAP: the main counter is 64 bits wide.
    pub const COUNT_SIZE: u64 = 1 << 13;
    /// LEG_RT_CAP: legacy replacement routing is supported.
    pub const LEG_RT: u64 = 1 << 15;
    /// VENDOR_ID field position.
    pub const VENDOR_ID_SHIFT: u32 = 16;
    /// VENDOR_ID value.
    pub const VENDOR_ID: u64 = 0x8086;
    /// COUNTER_CLK_PERIOD field position (femtoseconds).
    pub const CLK_PERIOD_SHIFT: u32 = 32;
}

/// GEN_CONF bits (spec 2.3.5).
pub mod cfg {
    /// ENABLE_CNF: the main counter runs and timers may interrupt.
    pub const ENABLE: u64 = 1 << 0;
    /// LEG_RT_CNF: legacy replacement routing.
    pub const LEGACY: u64 = 1 << 1;
}

/// Tn_CONF_CAP bits (spec 2.3.8); the route capability sits in 63:32.
pub mod tn {
    /// Tn_INT_TYPE_CNF: level-triggered.
    pub const INT_TYPE_LEVEL: u64 = 1 << 1;
    /// Tn_INT_ENB_CNF.
    pub const INT_ENB: u64 = 1 << 2;
    /// Tn_TYPE_CNF: periodic.
    pub const PERIODIC: u64 = 1 << 3;
    /// Tn_PER_INT_CAP.
    pub const PER_INT_CAP: u64 = 1 << 4;
    /// Tn_SIZE_CAP: 64-bit comparator.
    pub const SIZE_CAP: u64 = 1 << 5;
    /// Tn_VAL_SET_CNF: the next comparator write sets the accumulator.
    pub const VAL_SET: u64 = 1 << 6;
    /// Tn_32MODE_CNF.
    pub const MODE_32BIT: u64 = 1 << 8;
    /// Tn_INT_ROUTE_CNF position.
    pub const INT_ROUTE_SHIFT: u32 = 9;
    /// Tn_INT_ROUTE_CNF mask.
    pub const INT_ROUTE_MASK: u64 = 0x1f << 9;
    /// Tn_FSB_EN_CNF.
    pub const FSB_EN: u64 = 1 << 14;
    /// Tn_INT_ROUTE_CAP position.
    pub const ROUTE_CAP_SHIFT: u32 = 32;
    /// The bits software may change.
    pub const WRITABLE: u64 =
        INT_TYPE_LEVEL | INT_ENB | PERIODIC | VAL_SET | MODE_32BIT | INT_ROUTE_MASK;
}

/// Fewest timers the spec allows.
pub const MIN_TIMERS: u8 = 3;
/// Most timers the spec allows.
pub const MAX_TIMERS: usize = 32;
/// Default of the "timers" property.
pub const DEFAULT_TIMERS: u8 = 3;
/// IRQ outputs: one per Tn_INT_ROUTE_CNF value.
pub const NUM_IRQ_ROUTES: usize = 32;
/// Counter period in virtual nanoseconds (VIRT_HPET_PERIOD_FS / 1e6).
pub const PERIOD_NS: i64 = 10;
/// The counter period in femtoseconds, as GCAP_ID reports it.
pub const PERIOD_FS: u64 = 10_000_000;
/// The spec's register window; more timers grow the region.
pub const MMIO_MIN_SIZE: u64 = 0x400;
/// Routes the `virt` board wires: PLIC sources 2, 8 and 16..23
/// (VIRT_HPET_INTCAP, default of the "intcap" property).
pub const VIRT_INTCAP: u32 = 0x00ff_0104;
/// Route of timer 0 in legacy replacement mode.
pub const LEGACY_IRQ0: u32 = 2;
/// Route of timer 1 in legacy replacement mode.
pub const LEGACY_IRQ1: u32 = 8;

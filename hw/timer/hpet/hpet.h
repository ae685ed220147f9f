/*
 * High Precision Event Timer, IA-PC HPET specification 1.0a.
 *
 * The 64-bit main counter ticks every VIRT_HPET_PERIOD_FS (10 ns) of virtual
 * time while GEN_CONF.ENABLE_CNF is set; it is stored as the value it had
 * at a reference instant so reads and timer deadlines are exact integer
 * functions of the virtual clock.  Each comparator (3 by default, up to 32)
 * supports one-shot and periodic modes, 32-bit mode, level and edge
 * interrupts.  FSB (MSI) delivery is not implemented and reads as 0.
 *
 * Sysbus: MMIO region 0, IRQ outputs 0..31 where output n is the interrupt
 * route n (Tn_INT_ROUTE_CNF); in legacy replacement mode timer 0 drives
 * VIRT_HPET_LEGACY_IRQ0 and timer 1 VIRT_HPET_LEGACY_IRQ1.
 * Properties: "timers" (uint8, 3..32, default 3), "intcap" (uint32, the
 * routes each timer may use, default VIRT_HPET_INTCAP).
 */
#ifndef RIVET_HW_TIMER_HPET_H
#define RIVET_HW_TIMER_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "hwcore/sysbus.h"
#include "util/vclock.h"

#define TYPE_HPET "hpet"

/* Register offsets; timer n's registers are at HPET_TIMER_BASE +
 * HPET_TIMER_STRIDE * n plus the HPET_TN_* offsets. */
typedef enum HPETRegister {
    HPET_GCAP_ID = 0x000,
    HPET_GEN_CONF = 0x010,
    HPET_GINTR_STA = 0x020,
    HPET_MAIN_CNT = 0x0f0,
    HPET_TIMER_BASE = 0x100,
    HPET_TIMER_STRIDE = 0x20,
    HPET_TN_CONF_CAP = 0x00,
    HPET_TN_COMPARATOR = 0x08,
    HPET_TN_FSB_ROUTE = 0x10,
} HPETRegister;

/* GCAP_ID fields. */
typedef enum HPETCapabilityBits {
    HPET_CAP_REV_ID = 0x01,
    HPET_CAP_NUM_TIM_SHIFT = 8,
    HPET_CAP_COUNT_SIZE = 1 << 13,
    HPET_CAP_LEG_RT = 1 << 15,
    HPET_CAP_VENDOR_ID_SHIFT = 16,
    HPET_CAP_VENDOR_ID = 0x8086,
    HPET_CAP_CLK_PERIOD_SHIFT = 32,
} HPETCapabilityBits;

/* GEN_CONF bits. */
typedef enum HPETConfigBits {
    HPET_CFG_ENABLE = 1 << 0,
    HPET_CFG_LEGACY = 1 << 1,
} HPETConfigBits;

/* Tn_CONF_CAP bits (the route capability sits in bits 63:32). */
typedef enum HPETTimerConfigBits {
    HPET_TN_INT_TYPE_LEVEL = 1 << 1,
    HPET_TN_INT_ENB = 1 << 2,
    HPET_TN_PERIODIC = 1 << 3,
    HPET_TN_PER_INT_CAP = 1 << 4,
    HPET_TN_SIZE_CAP = 1 << 5,
    HPET_TN_VAL_SET = 1 << 6,
    HPET_TN_32BIT = 1 << 8,
    HPET_TN_INT_ROUTE_SHIFT = 9,
    HPET_TN_INT_ROUTE_MASK = 0x1f << 9,
    HPET_TN_FSB_EN = 1 << 14,
    HPET_TN_FSB_INT_DEL_CAP = 1 << 15,
    HPET_TN_ROUTE_CAP_SHIFT = 32,
    /* The bits software may change. */
    HPET_TN_CONF_WRITABLE = HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB |
                            HPET_TN_PERIODIC | HPET_TN_VAL_SET | HPET_TN_32BIT |
                            HPET_TN_INT_ROUTE_MASK,
} HPETTimerConfigBits;

typedef enum HPETConstants {
    HPET_MIN_TIMERS = 3,
    HPET_MAX_TIMERS = 32,
    HPET_DEFAULT_TIMERS = 3,
    HPET_NUM_IRQ_ROUTES = 32,
    /* Counter period in virtual nanoseconds (VIRT_HPET_PERIOD_FS). */
    HPET_PERIOD_NS = 10,
    /* The spec's register window; timers 24..31 lie beyond it, so the
     * region grows to cover the timers that exist. */
    HPET_MMIO_MIN_SIZE = 0x400,
} HPETConstants;

typedef struct HPETState HPETState;

typedef struct HPETTimer {
    HPETState *hpet; /* back pointer for the Timer callback */
    uint32_t index;
    uint64_t config; /* writable Tn_CONF_CAP bits */
    /* Tn_COMPARATOR: the value the main counter is compared against (in
     * periodic mode, the accumulator that advances by period). */
    uint64_t comparator;
    uint64_t period;  /* last value written to Tn_COMPARATOR (periodic) */
    Timer timer;      /* armed for the next match or 32-bit wrap */
    int64_t event_ns; /* virtual time the armed event is due */
} HPETTimer;

struct HPETState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;

    /* Properties. */
    uint8_t num_timers;
    uint32_t intcap;

    /* Registers (guest-visible state). */
    uint64_t config; /* GEN_CONF */
    uint64_t isr;    /* GINTR_STA: level-triggered status bits */
    /* Main counter: its value at counter_base_ns; while enabled it has
     * advanced by (now - counter_base_ns) / HPET_PERIOD_NS since then. */
    uint64_t counter;
    int64_t counter_base_ns;

    uint32_t irq_level; /* current level of each output line */
    IRQ irqs[HPET_NUM_IRQ_ROUTES];
    HPETTimer timers[HPET_MAX_TIMERS];
};

#define HPET(obj) OBJECT_CHECK(HPETState, (obj), TYPE_HPET)

/* The main counter value at the current virtual time. */
uint64_t hpet_get_counter(const HPETState *s);

/* The migration description shared by the C and Rust HPET: a snapshot of
 * either loads into the other (docs/migration.md). */
extern const VMStateDescription vmstate_hpet;

#endif /* RIVET_HW_TIMER_HPET_H */

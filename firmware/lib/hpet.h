/*
 * HPET register map (IA-PC HPET Specification 1.0a, section 2.3) and small
 * helpers for the board's HPET at VIRT_HPET_BASE.
 */
#ifndef FW_HPET_H
#define FW_HPET_H

#include <stdint.h>

#include "machine/virt-map.h"
#include "mmio.h"

#define HPET_GCAP_ID 0x000
#define HPET_GEN_CONF 0x010
#define HPET_GINTR_STA 0x020
#define HPET_MAIN_CNT 0x0f0
#define HPET_TIMER_CONF(n) (0x100 + 0x20 * (n))
#define HPET_TIMER_CMP(n) (0x108 + 0x20 * (n))

/* GCAP_ID fields */
#define HPET_CAP_REV_ID(cap) ((uint32_t)((cap)&0xff))
#define HPET_CAP_NUM_TIMERS(cap) ((uint32_t)(((cap) >> 8) & 0x1f) + 1)
#define HPET_CAP_COUNT_SIZE (1ul << 13)
#define HPET_CAP_LEG_RT (1ul << 15)
#define HPET_CAP_VENDOR(cap) ((uint32_t)(((cap) >> 16) & 0xffff))
#define HPET_CAP_PERIOD_FS(cap) ((uint32_t)((cap) >> 32))

/* GEN_CONF */
#define HPET_CONF_ENABLE (1ul << 0)
#define HPET_CONF_LEG_RT (1ul << 1)

/* Tn_CONF_CAP */
#define HPET_TN_INT_TYPE_LEVEL (1ul << 1)
#define HPET_TN_INT_ENB (1ul << 2)
#define HPET_TN_PERIODIC (1ul << 3)
#define HPET_TN_PER_INT_CAP (1ul << 4)
#define HPET_TN_SIZE_CAP (1ul << 5)
#define HPET_TN_VAL_SET (1ul << 6)
#define HPET_TN_32MODE (1ul << 8)
#define HPET_TN_ROUTE_SHIFT 9
#define HPET_TN_ROUTE_MASK (0x1ful << HPET_TN_ROUTE_SHIFT)
#define HPET_TN_ROUTE(irq) ((uint64_t)(irq) << HPET_TN_ROUTE_SHIFT)
#define HPET_TN_FSB_EN (1ul << 14)
#define HPET_TN_WRITABLE                                                       \
    (HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB | HPET_TN_PERIODIC |             \
     HPET_TN_VAL_SET | HPET_TN_32MODE | HPET_TN_ROUTE_MASK | HPET_TN_FSB_EN)
#define HPET_TN_ROUTE_CAP(conf) ((uint32_t)((conf) >> 32))

#define HPET_NUM_TIMERS 3
#define HPET_VENDOR_INTEL 0x8086

static inline uint64_t hpet_read(uint32_t reg)
{
    return mmio_read64(VIRT_HPET_BASE + reg);
}

static inline void hpet_write(uint32_t reg, uint64_t value)
{
    mmio_write64(VIRT_HPET_BASE + reg, value);
}

static inline uint64_t hpet_counter(void)
{
    return hpet_read(HPET_MAIN_CNT);
}

/* Halt the counter, disable all timers, clear status and zero the counter:
 * a known state for each test step. */
void hpet_quiesce(void);

/* Program timer n periodic: the first interrupt at counter == period, then
 * every period ticks.  Written the way that works on every reading of the
 * spec: with VAL_SET the comparator is written twice (accumulator, then
 * period).  The counter must be halted and zero. */
void hpet_setup_periodic(unsigned timer, uint64_t period, uint64_t conf_bits);

#endif /* FW_HPET_H */

/*
 * Core-Local Interruptor in the SiFive layout, one hart: the software
 * interrupt bit (msip), the timer compare register (mtimecmp) and the timer
 * (mtime).
 *
 * mtime ticks at VIRT_CLINT_TIMEBASE_HZ from the virtual clock; writing it
 * stores an offset so it keeps ticking from the written value.  MTIP is a
 * level: high while mtime >= mtimecmp, with a Timer armed for the exact
 * virtual instant mtime reaches mtimecmp.
 *
 * Sysbus: MMIO region 0 (VIRT_CLINT_SIZE), IRQ output 0 = MSIP,
 * IRQ output 1 = MTIP.
 */
#ifndef RIVET_HW_INTC_CLINT_H
#define RIVET_HW_INTC_CLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "hwcore/sysbus.h"
#include "machine/virt-map.h"
#include "util/vclock.h"

#define TYPE_CLINT "clint"

/* Register offsets (hart 0). */
typedef enum CLINTRegister {
    CLINT_MSIP = 0x0000,
    CLINT_MTIMECMP = 0x4000,
    CLINT_MTIME = 0xbff8,
} CLINTRegister;

typedef enum CLINTConstants {
    CLINT_MMIO_SIZE = VIRT_CLINT_SIZE,
    CLINT_IRQ_MSIP = 0,
    CLINT_IRQ_MTIP = 1,
    /* Virtual nanoseconds per mtime tick (1e9 / VIRT_CLINT_TIMEBASE_HZ). */
    CLINT_NS_PER_TICK = 1000000000 / VIRT_CLINT_TIMEBASE_HZ,
} CLINTConstants;

typedef struct CLINTState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;

    /* Guest-visible state. */
    uint32_t msip;
    uint64_t mtimecmp;
    /* mtime = virtual ns / CLINT_NS_PER_TICK + mtime_offset (mod 2^64). */
    uint64_t mtime_offset;

    Timer mtip_timer; /* armed for the instant mtime reaches mtimecmp */
    IRQ msip_irq;
    IRQ mtip_irq;
} CLINTState;

#define CLINT(obj) OBJECT_CHECK(CLINTState, (obj), TYPE_CLINT)

/* mtime at the current virtual time. */
uint64_t clint_get_mtime(const CLINTState *s);

#endif /* RIVET_HW_INTC_CLINT_H */

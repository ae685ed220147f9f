/*
 * Platform-Level Interrupt Controller in the SiFive layout, one hart,
 * machine-mode context 0 only.
 *
 * Sources 1..VIRT_PLIC_NUM_SOURCES-1 are GPIO inputs (input 0 is source 0,
 * which does not exist and is ignored).  Gateways are level-sensitive: a
 * high line makes its source pending unless it is in service (claimed and
 * not yet completed); completion re-pends a line that is still high.  As
 * the RISC-V PLIC spec says, a line falling before the claim leaves the
 * request pending (so a pulse, e.g. an HPET edge interrupt, is not lost;
 * unlike QEMU's sifive_plic, which withdraws it).
 *
 * Sysbus: MMIO region 0 (VIRT_PLIC_SIZE), IRQ output 0 = MEIP to the hart.
 */
#ifndef RIVET_HW_INTC_PLIC_H
#define RIVET_HW_INTC_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hwcore/sysbus.h"
#include "machine/virt-map.h"

#define TYPE_PLIC "plic"

/* Register offsets. */
typedef enum PLICRegister {
    PLIC_PRIORITY_BASE = 0x000000, /* + 4 * source */
    PLIC_PENDING_BASE = 0x001000,  /* bit per source, read-only */
    PLIC_ENABLE_BASE = 0x002000,   /* context 0 enables, bit per source */
    PLIC_THRESHOLD = 0x200000,     /* context 0 priority threshold */
    PLIC_CLAIM_COMPLETE = 0x200004,
} PLICRegister;

typedef enum PLICConstants {
    PLIC_NUM_SOURCES = VIRT_PLIC_NUM_SOURCES,
    PLIC_PRIORITY_MASK = 0x7, /* priorities and threshold are 3 bits */
    PLIC_MMIO_SIZE = VIRT_PLIC_SIZE,
} PLICConstants;

typedef struct PLICState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;

    /* Guest-visible state. */
    uint32_t priority[PLIC_NUM_SOURCES]; /* [0] is always 0 */
    uint32_t pending;                    /* bit per source */
    uint32_t enable;                     /* context 0 enable bits */
    uint32_t threshold;                  /* context 0 threshold */
    uint32_t in_service;                 /* claimed and not yet completed */
    uint32_t line_level;                 /* current level of each input line */

    IRQ meip;
} PLICState;

#define PLIC(obj) OBJECT_CHECK(PLICState, (obj), TYPE_PLIC)

/* The sources whose line rising now would raise MEIP: enabled, priority
 * above the threshold and not in service.  Only the hart can change which
 * those are. */
uint32_t plic_open_sources(const PLICState *s);

#endif /* RIVET_HW_INTC_PLIC_H */

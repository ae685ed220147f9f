/*
 * CLINT (SiFive core-local interruptor) for hart 0: msip, mtimecmp, mtime
 * ticking at VIRT_CLINT_TIMEBASE_HZ.
 */
#ifndef FW_CLINT_H
#define FW_CLINT_H

#include <stdint.h>

#include "machine/virt-map.h"
#include "mmio.h"

#define CLINT_MSIP 0x0000
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8

#define CLINT_TICKS_PER_US (VIRT_CLINT_TIMEBASE_HZ / 1000000)

static inline uint64_t clint_mtime(void)
{
    return mmio_read64(VIRT_CLINT_BASE + CLINT_MTIME);
}

static inline void clint_set_mtime(uint64_t value)
{
    mmio_write64(VIRT_CLINT_BASE + CLINT_MTIME, value);
}

static inline uint64_t clint_mtimecmp(void)
{
    return mmio_read64(VIRT_CLINT_BASE + CLINT_MTIMECMP);
}

static inline void clint_set_mtimecmp(uint64_t value)
{
    mmio_write64(VIRT_CLINT_BASE + CLINT_MTIMECMP, value);
}

static inline uint32_t clint_msip(void)
{
    return mmio_read32(VIRT_CLINT_BASE + CLINT_MSIP);
}

static inline void clint_set_msip(uint32_t value)
{
    mmio_write32(VIRT_CLINT_BASE + CLINT_MSIP, value);
}

#endif /* FW_CLINT_H */

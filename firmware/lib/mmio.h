/*
 * Volatile MMIO accessors.  Every device access in the firmware goes through
 * these so the compiler never merges, splits or reorders register accesses.
 */
#ifndef FW_MMIO_H
#define FW_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
    return *(volatile uint64_t *)addr;
}

static inline void mmio_write64(uintptr_t addr, uint64_t value)
{
    *(volatile uint64_t *)addr = value;
}

#endif /* FW_MMIO_H */

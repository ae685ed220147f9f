/*
 * The `virt` board's memory map and interrupt numbers.  Plain constants
 * only: this header is shared by the emulator and by the guest firmware.
 */
#ifndef RIVET_MACHINE_VIRT_MAP_H
#define RIVET_MACHINE_VIRT_MAP_H

/* VIRT_<NAME>_BASE, _SIZE and _IRQ of each device of the board table. */
enum {
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq)                  \
    VIRT_##NAME##_BASE = (base), VIRT_##NAME##_SIZE = (size),                  \
    VIRT_##NAME##_IRQ = (irq),
#include "machine/virt-board.h"
#undef VIRT_DEVICE
};

/* VIRT_<NAME>_I2C_ADDR and _IRQ of each I2C target of the board table. */
enum {
#define VIRT_I2C_TARGET(NAME, child, type, impl, address, irq)                 \
    VIRT_##NAME##_I2C_ADDR = (address), VIRT_##NAME##_IRQ = (irq),
#include "machine/virt-board.h"
#undef VIRT_I2C_TARGET
};
/* A device behind the IOMMU (one with an "iommu" link property) has the
 * device ID of its 4 KiB slot: 8 for the device at 0x1000_8000.  The
 * IOMMU's 1-level device directory reaches IDs 0..127. */
#define VIRT_IOMMU_DEVICE_ID(base) ((((base)-0x10000000UL) >> 12) & 0xffffffUL)

#define VIRT_RAM_BASE 0x80000000UL
#define VIRT_RAM_DEFAULT_SIZE (64UL * 1024 * 1024)

/* PLIC interrupt sources (source 0 does not exist). */
#define VIRT_PLIC_NUM_SOURCES 32
/* HPET timers raise the PLIC source equal to their Tn_INT_ROUTE_CNF value;
 * these are the routes the board wires (HPET_INTCAP default below). */
#define VIRT_HPET_INTCAP 0x00ff0104UL /* sources 2, 8 and 16..23 */
/* In legacy replacement mode timer 0 drives source 2 and timer 1 source 8. */
#define VIRT_HPET_LEGACY_IRQ0 2
#define VIRT_HPET_LEGACY_IRQ1 8

/* Power/test device: write one of these 32-bit values to offset 0. */
#define VIRT_POWER_PASS 0x5555  /* power off, exit status 0 */
#define VIRT_POWER_FAIL 0x3333  /* power off, status in bits 31:16 */
#define VIRT_POWER_RESET 0x7777 /* reset the machine */

/* Timebases. */
#define VIRT_CLINT_TIMEBASE_HZ 10000000UL /* mtime ticks at 10 MHz */
#define VIRT_HPET_PERIOD_FS 10000000UL    /* HPET clock: 10 ns (100 MHz) */

#endif /* RIVET_MACHINE_VIRT_MAP_H */

/*
 * Helpers shared by the device unit tests: create and realize a sysbus
 * device, access its MMIO region through the callbacks, and record the
 * levels an IRQ output drives.
 */
#ifndef RIVET_CORE_HW_HW_TEST_H
#define RIVET_CORE_HW_HW_TEST_H

#include <stdlib.h>

#include "hwcore/sysbus.h"
#include "unit-test.h"
#include "util/error.h"
#include "util/vclock.h"

/* What an output line did since the probe was reset. */
typedef struct IrqProbe {
    int level;
    int rises;
    int falls;
    int64_t last_rise_ns;
    IRQ line;
} IrqProbe;

/* The probe lines of the current test, freed with its device (kept here,
 * not in the probes, which may live on the stack of a failed test). */
#define HW_TEST_MAX_PROBES 64
static IRQ hw_test_probe_lines[HW_TEST_MAX_PROBES];
static int hw_test_num_probes;

static inline void irq_probe_handler(void *opaque, int n, int level)
{
    IrqProbe *p = opaque;
    (void)n;
    if (level && !p->level) {
        p->rises++;
        p->last_rise_ns = vclock_get_ns();
    } else if (!level && p->level) {
        p->falls++;
    }
    p->level = level != 0;
}

static inline void irq_probe_attach(IrqProbe *p, DeviceState *dev, int n)
{
    p->level = 0;
    p->rises = 0;
    p->falls = 0;
    p->last_rise_ns = -1;
    p->line = irq_new(irq_probe_handler, p, n);
    sysbus_connect_irq(SYS_BUS_DEVICE(dev), n, p->line);
    if (hw_test_num_probes < HW_TEST_MAX_PROBES) {
        hw_test_probe_lines[hw_test_num_probes++] = p->line;
    }
}

/* qdev_new that fails the test with the error message. */
static inline DeviceState *hw_test_new(const char *type)
{
    Error *err = NULL;
    DeviceState *dev = qdev_new(type, &err);
    if (!dev) {
        UNIT_FAIL("qdev_new(%s): %s", type, error_get_message(err));
    }
    return dev;
}

static inline void hw_test_realize(DeviceState *dev)
{
    Error *err = NULL;
    if (!device_realize(dev, &err)) {
        UNIT_FAIL("realize: %s", error_get_message(err));
    }
}

/* A fresh clock and a realized device of type. */
static inline DeviceState *hw_test_create(const char *type)
{
    vclock_reset();
    DeviceState *dev = hw_test_new(type);
    hw_test_realize(dev);
    return dev;
}

static inline void hw_test_destroy(DeviceState *dev)
{
    device_unrealize(dev);
    object_unref(OBJECT(dev));
    for (int i = 0; i < hw_test_num_probes; i++) {
        irq_free(hw_test_probe_lines[i]);
    }
    hw_test_num_probes = 0;
}

static inline uint64_t mmio_read(DeviceState *dev, hwaddr addr, unsigned size)
{
    MemoryRegion *mr = sysbus_mmio_get_region(SYS_BUS_DEVICE(dev), 0);
    return mr->ops->read(mr->opaque, addr, size);
}

static inline void mmio_write(DeviceState *dev, hwaddr addr, uint64_t value,
                              unsigned size)
{
    MemoryRegion *mr = sysbus_mmio_get_region(SYS_BUS_DEVICE(dev), 0);
    mr->ops->write(mr->opaque, addr, value, size);
}

static inline uint32_t rd32(DeviceState *dev, hwaddr addr)
{
    return (uint32_t)mmio_read(dev, addr, 4);
}

static inline void wr32(DeviceState *dev, hwaddr addr, uint32_t value)
{
    mmio_write(dev, addr, value, 4);
}

static inline uint64_t rd64(DeviceState *dev, hwaddr addr)
{
    return mmio_read(dev, addr, 8);
}

static inline void wr64(DeviceState *dev, hwaddr addr, uint64_t value)
{
    mmio_write(dev, addr, value, 8);
}

/* Move guest time to ns the way the CPU loop does: stop at every timer
 * deadline on the way and run what is due, so callbacks see their own
 * deadline as the current time. */
static inline void advance_to(int64_t ns)
{
    while (vclock_next_deadline() != VCLOCK_NO_DEADLINE &&
           vclock_next_deadline() <= ns) {
        vclock_advance_to(vclock_next_deadline());
        vclock_run_expired();
    }
    vclock_advance_to(ns);
}

#endif /* RIVET_CORE_HW_HW_TEST_H */

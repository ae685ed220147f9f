/*
 * SiFive-layout CLINT for one hart: msip, mtimecmp and mtime on the virtual
 * clock, driving the hart's MSIP and MTIP lines.
 */
#include "hw/intc/clint/clint.h"

#include <inttypes.h>

#include "probes/clint.h"
#include "util/log.h"

/* mtime is ns / CLINT_NS_PER_TICK, exact only for a whole tick length. */
_Static_assert(1000000000 % VIRT_CLINT_TIMEBASE_HZ == 0,
               "VIRT_CLINT_TIMEBASE_HZ must divide 1 GHz");

static uint64_t clint_ticks_at(int64_t ns)
{
    return (uint64_t)ns / CLINT_NS_PER_TICK;
}

uint64_t clint_get_mtime(const CLINTState *s)
{
    return clint_ticks_at(vclock_get_ns()) + s->mtime_offset;
}

/* Drive output line (CLINT_IRQ_MSIP or _MTIP), telling probes of a change. */
static void clint_set_irq(IRQ irq, unsigned line, int level)
{
    if (probe_clint_irq_enabled() && level != irq_get_level(irq)) {
        probe_clint_irq(line, level);
    }
    irq_set(irq, level);
}

/* Set MTIP from the comparison now, and arm the timer for the rising edge
 * when it is still ahead. */
static void clint_update_mtip(CLINTState *s)
{
    int64_t now = vclock_get_ns();
    uint64_t mtime = clint_ticks_at(now) + s->mtime_offset;

    timer_del(&s->mtip_timer);
    if (mtime >= s->mtimecmp) {
        clint_set_irq(s->mtip_irq, CLINT_IRQ_MTIP, 1);
        return;
    }
    clint_set_irq(s->mtip_irq, CLINT_IRQ_MTIP, 0);
    /* mtime reaches mtimecmp at the start of tick (now's tick + remaining). */
    uint64_t remaining = s->mtimecmp - mtime;
    uint64_t tick = clint_ticks_at(now);
    uint64_t max_tick = (uint64_t)INT64_MAX / CLINT_NS_PER_TICK;
    if (remaining > max_tick - tick) {
        return; /* beyond the end of virtual time */
    }
    timer_mod(&s->mtip_timer,
              (int64_t)((tick + remaining) * CLINT_NS_PER_TICK));
}

static void clint_mtip_expired(void *opaque)
{
    clint_update_mtip(opaque);
}

/* Replace the bits of old covered by a 4- or 8-byte access. */
static uint64_t clint_deposit(uint64_t old, hwaddr offset, unsigned size,
                              uint64_t value)
{
    if (size == 8) {
        return value;
    }
    unsigned shift = (offset & 4) * 8;
    uint64_t field = (uint64_t)UINT32_MAX << shift;
    return (old & ~field) | ((value << shift) & field);
}

static uint64_t clint_extract(uint64_t reg, hwaddr offset, unsigned size)
{
    return size == 8 ? reg : (reg >> ((offset & 4) * 8)) & UINT32_MAX;
}

/* mtimecmp and mtime take aligned 4- or 8-byte accesses. */
static bool clint_is_reg64_access(hwaddr addr, unsigned size, hwaddr reg)
{
    return (addr & ~(hwaddr)7) == reg && (size == 4 || size == 8) &&
           addr % size == 0;
}

static uint64_t clint_read(void *opaque, hwaddr addr, unsigned size)
{
    CLINTState *s = opaque;
    uint64_t value = 0;

    if (addr == CLINT_MSIP && size == 4) {
        value = s->msip;
    } else if (clint_is_reg64_access(addr, size, CLINT_MTIMECMP)) {
        value = clint_extract(s->mtimecmp, addr, size);
    } else if (clint_is_reg64_access(addr, size, CLINT_MTIME)) {
        value = clint_extract(clint_get_mtime(s), addr, size);
    } else {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "clint: bad read offset=0x%04" PRIx64 " size=%u", addr, size);
    }
    probe_clint_read(addr, size, value);
    return value;
}

static void clint_write(void *opaque, hwaddr addr, uint64_t value,
                        unsigned size)
{
    CLINTState *s = opaque;

    probe_clint_write(addr, size, value);
    if (addr == CLINT_MSIP && size == 4) {
        s->msip = value & 1;
        clint_set_irq(s->msip_irq, CLINT_IRQ_MSIP, (int)s->msip);
    } else if (clint_is_reg64_access(addr, size, CLINT_MTIMECMP)) {
        s->mtimecmp = clint_deposit(s->mtimecmp, addr, size, value);
        clint_update_mtip(s);
    } else if (clint_is_reg64_access(addr, size, CLINT_MTIME)) {
        uint64_t mtime = clint_deposit(clint_get_mtime(s), addr, size, value);
        s->mtime_offset = mtime - clint_ticks_at(vclock_get_ns());
        clint_update_mtip(s);
    } else {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "clint: bad write offset=0x%04" PRIx64 " size=%u", addr, size);
    }
}

static const MemoryRegionOps clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void clint_reset(DeviceState *dev)
{
    CLINTState *s = CLINT(dev);

    s->msip = 0;
    s->mtimecmp = UINT64_MAX;
    /* mtime restarts from 0 at reset. */
    s->mtime_offset = 0 - clint_ticks_at(vclock_get_ns());
    clint_set_irq(s->msip_irq, CLINT_IRQ_MSIP, 0);
    clint_update_mtip(s);
}

static void clint_unrealize(DeviceState *dev)
{
    timer_del(&CLINT(dev)->mtip_timer);
}

static void clint_instance_init(Object *obj)
{
    CLINTState *s = CLINT(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &clint_ops, s, "clint",
                          CLINT_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->msip_irq);
    sysbus_init_irq(sbd, &s->mtip_irq);
    timer_init(&s->mtip_timer, clint_mtip_expired, s);
}

/* Finalize does not unrealize: stop the timer here too. */
static void clint_instance_finalize(Object *obj)
{
    timer_del(&CLINT(obj)->mtip_timer);
    memory_region_destroy(&CLINT(obj)->iomem);
}

/* Migration: msip, mtimecmp, mtime's offset from the virtual clock and the
 * deadline of the MTIP rising edge. */
static const VMStateField clint_fields[] = {
    VMSTATE_UINT32_CHECKED(msip, CLINTState, 1, 0),
    VMSTATE_UINT64(mtimecmp, CLINTState),
    VMSTATE_UINT64(mtime_offset, CLINTState),
    VMSTATE_TIMER(mtip_timer, CLINTState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_clint = {
    .name = "clint",
    .version_id = 2, /* 2: 8-byte timers (docs/migration.md) */
    .minimum_version_id = 2,
    .fields = clint_fields,
};

static void clint_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "RISC-V CLINT (SiFive layout, one hart)";
    dc->unrealize = clint_unrealize;
    dc->reset = clint_reset;
    dc->vmsd = &vmstate_clint;
}

static const TypeInfo clint_info = {
    .name = TYPE_CLINT,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(CLINTState),
    .class_init = clint_class_init,
    .instance_init = clint_instance_init,
    .instance_finalize = clint_instance_finalize,
};

/* Registered before main(); hw_dep links this library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void clint_register_types(void)
{
    type_register_static(&clint_info);
}

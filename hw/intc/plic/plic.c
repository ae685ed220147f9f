/*
 * SiFive-layout PLIC for one hart's machine-mode context: priorities,
 * pending bits, enables, threshold and claim/complete with level-sensitive
 * gateways.
 */
#include "hw/intc/plic/plic.h"

#include <inttypes.h>

#include "probes/plic.h"
#include "util/log.h"

/* Sources that exist: 1..PLIC_NUM_SOURCES-1. */
static const uint32_t plic_source_mask =
    (uint32_t)(((1ULL << PLIC_NUM_SOURCES) - 1) & ~1ULL);

/* The pending, enabled source that would be claimed now, or 0: highest
 * priority above the threshold, ties to the lowest id. */
static unsigned plic_best_source(const PLICState *s)
{
    uint32_t candidates = s->pending & s->enable;
    unsigned best = 0;
    uint32_t best_priority = s->threshold;

    for (unsigned src = 1; src < PLIC_NUM_SOURCES; src++) {
        if ((candidates & (1u << src)) && s->priority[src] > best_priority) {
            best = src;
            best_priority = s->priority[src];
        }
    }
    return best;
}

uint32_t plic_open_sources(const PLICState *s)
{
    uint32_t open = 0;
    for (unsigned src = 1; src < PLIC_NUM_SOURCES; src++) {
        if (s->priority[src] > s->threshold) {
            open |= 1u << src;
        }
    }
    /* A source in service pends again only when the hart completes it. */
    return open & s->enable & ~s->in_service;
}

/* plic_update's path while the plic_irq probe is on; out of line so that
 * the usual path stays a tail call with no stack frame. */
static __attribute__((noinline, cold)) void plic_set_meip_traced(IRQ irq,
                                                                 int level)
{
    if (level != irq_get_level(irq)) {
        probe_plic_irq(level);
    }
    irq_set(irq, level);
}

static void plic_update(PLICState *s)
{
    int level = plic_best_source(s) != 0;
    if (probe_plic_irq_enabled()) {
        plic_set_meip_traced(s->meip, level);
        return;
    }
    irq_set(s->meip, level);
}

static void plic_set_source(void *opaque, int n, int level)
{
    PLICState *s = opaque;

    if (n <= 0 || n >= PLIC_NUM_SOURCES) {
        return; /* source 0 does not exist */
    }
    uint32_t bit = 1u << n;
    if (level) {
        s->line_level |= bit;
        if (!(s->in_service & bit)) {
            s->pending |= bit;
        }
    } else {
        s->line_level &= ~bit;
    }
    plic_update(s);
}

static uint32_t plic_claim(PLICState *s)
{
    unsigned src = plic_best_source(s);
    if (src) {
        s->pending &= ~(1u << src);
        s->in_service |= 1u << src;
        plic_update(s);
    }
    return src;
}

static void plic_complete(PLICState *s, uint32_t src)
{
    if (src == 0 || src >= PLIC_NUM_SOURCES) {
        log_item(LOG_ITEM_GUEST_ERROR, "plic: complete of invalid source %u",
                 src);
        return;
    }
    uint32_t bit = 1u << src;
    /* The spec ignores completions for sources not enabled for the
     * context; completing a source not in service changes nothing. */
    if (!(s->enable & bit) || !(s->in_service & bit)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "plic: complete of source %u which is not %s", src,
                 (s->enable & bit) ? "in service" : "enabled");
        return;
    }
    s->in_service &= ~bit;
    if (s->line_level & bit) {
        s->pending |= bit;
    }
    plic_update(s);
}

static uint64_t plic_read(void *opaque, hwaddr addr, unsigned size)
{
    PLICState *s = opaque;
    uint64_t value = 0;
    bool known = true;

    if (size != 4 || (addr & 3)) {
        known = false;
    } else if (addr < PLIC_PENDING_BASE) {
        hwaddr src = addr / 4;
        if (src < PLIC_NUM_SOURCES) {
            value = s->priority[src];
        } else {
            known = false;
        }
    } else if (addr == PLIC_PENDING_BASE) {
        value = s->pending;
    } else if (addr == PLIC_ENABLE_BASE) {
        value = s->enable;
    } else if (addr == PLIC_THRESHOLD) {
        value = s->threshold;
    } else if (addr == PLIC_CLAIM_COMPLETE) {
        value = plic_claim(s);
    } else {
        known = false;
    }
    if (!known) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "plic: bad read offset=0x%06" PRIx64 " size=%u", addr, size);
    }
    probe_plic_read(addr, size, value);
    return value;
}

static void plic_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    PLICState *s = opaque;
    uint32_t v = (uint32_t)value;

    probe_plic_write(addr, size, value);
    if (size != 4 || (addr & 3)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "plic: bad write offset=0x%06" PRIx64 " size=%u", addr, size);
        return;
    }
    if (addr < PLIC_PENDING_BASE) {
        hwaddr src = addr / 4;
        if (src == 0) {
            return; /* source 0's priority is hardwired to 0 */
        }
        if (src < PLIC_NUM_SOURCES) {
            s->priority[src] = v & PLIC_PRIORITY_MASK;
            plic_update(s);
            return;
        }
    } else if (addr == PLIC_PENDING_BASE) {
        log_item(LOG_ITEM_GUEST_ERROR, "plic: pending bits are read-only");
        return;
    } else if (addr == PLIC_ENABLE_BASE) {
        s->enable = v & plic_source_mask;
        plic_update(s);
        return;
    } else if (addr == PLIC_THRESHOLD) {
        s->threshold = v & PLIC_PRIORITY_MASK;
        plic_update(s);
        return;
    } else if (addr == PLIC_CLAIM_COMPLETE) {
        plic_complete(s, v);
        return;
    }
    log_item(LOG_ITEM_GUEST_ERROR,
             "plic: write to unimplemented offset=0x%06" PRIx64, addr);
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void plic_reset(DeviceState *dev)
{
    PLICState *s = PLIC(dev);

    for (unsigned src = 0; src < PLIC_NUM_SOURCES; src++) {
        s->priority[src] = 0;
    }
    s->enable = 0;
    s->threshold = 0;
    s->in_service = 0;
    /* Lines that are high right now pend again through their gateways. */
    s->pending = s->line_level & plic_source_mask;
    plic_update(s);
}

static void plic_instance_init(Object *obj)
{
    PLICState *s = PLIC(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &plic_ops, s, "plic", PLIC_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->meip);
    qdev_init_gpio_in(DEVICE(obj), plic_set_source, PLIC_NUM_SOURCES);
}

static void plic_instance_finalize(Object *obj)
{
    memory_region_destroy(&PLIC(obj)->iomem);
}

/* Migration: priorities, pending/enable/in-service bits, the threshold and
 * the input line levels (the gateways' memory of each source's wire). */
static bool plic_post_load(void *opaque, int version_id, Error **errp)
{
    PLICState *s = opaque;
    (void)version_id;
    if (s->priority[0] != 0) {
        error_setg(errp,
                   "field 'priority[0]': source 0 is hardwired to 0, "
                   "the stream has %u",
                   s->priority[0]);
        return false;
    }
    /* The gateway pends a high line unless its source is in service; a
     * line high and not pending would never interrupt again, however
     * often its device fired (a hart waiting for it would sleep for ever
     * while the timers ran). */
    uint32_t lost = s->line_level & ~s->in_service & ~s->pending;
    if (lost) {
        error_setg(errp,
                   "field 'pending': source %u's line is high and not in "
                   "service, so it must be pending",
                   (unsigned)__builtin_ctz(lost));
        return false;
    }
    return true;
}

/* plic_source_mask as a constant expression, for the static table. */
#define PLIC_MIG_SOURCES ((uint32_t)(((1ULL << PLIC_NUM_SOURCES) - 1) & ~1ULL))

static const VMStateField plic_fields[] = {
    {.name = "priority",
     .type = VMS_TYPE_UINT32,
     .shape = VMS_SHAPE_ARRAY,
     .offset = offsetof(PLICState, priority),
     .elem_size = sizeof(uint32_t),
     .num = PLIC_NUM_SOURCES,
     .mask = PLIC_PRIORITY_MASK},
    VMSTATE_UINT32_CHECKED(pending, PLICState, PLIC_MIG_SOURCES, 0),
    VMSTATE_UINT32_CHECKED(enable, PLICState, PLIC_MIG_SOURCES, 0),
    VMSTATE_UINT32_CHECKED(threshold, PLICState, PLIC_PRIORITY_MASK, 0),
    VMSTATE_UINT32_CHECKED(in_service, PLICState, PLIC_MIG_SOURCES, 0),
    VMSTATE_UINT32_CHECKED(line_level, PLICState, PLIC_MIG_SOURCES, 0),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_plic = {
    .name = "plic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = plic_fields,
    .post_load = plic_post_load,
};

static void plic_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "RISC-V PLIC (SiFive layout, one hart)";
    dc->reset = plic_reset;
    dc->vmsd = &vmstate_plic;
}

static const TypeInfo plic_info = {
    .name = TYPE_PLIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(PLICState),
    .class_init = plic_class_init,
    .instance_init = plic_instance_init,
    .instance_finalize = plic_instance_finalize,
};

/* Registered before main(); hw_dep links this library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void plic_register_types(void)
{
    type_register_static(&plic_info);
}

/*
 * HPET (IA-PC HPET specification 1.0a): main counter, comparators in
 * one-shot and periodic modes, 32-bit mode, level and edge interrupts with
 * legacy replacement routing.
 *
 * Every comparator event is computed exactly: the counter is a linear
 * function of the virtual clock, so the instant the counter reaches a value
 * is known in advance and a Timer is armed for it.  No event is ever
 * approximated or polled, which keeps runs reproducible.
 */
#include "hw/timer/hpet/hpet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/virt-map.h"
#include "probes/hpet.h"
#include "util/log.h"

_Static_assert((uint64_t)HPET_PERIOD_NS * 1000000 == VIRT_HPET_PERIOD_FS,
               "HPET_PERIOD_NS must match VIRT_HPET_PERIOD_FS");

static bool hpet_enabled(const HPETState *s)
{
    return (s->config & HPET_CFG_ENABLE) != 0;
}

/* The counter value at ns if it has been running since counter_base_ns. */
static uint64_t hpet_running_counter_at(const HPETState *s, int64_t ns)
{
    if (ns <= s->counter_base_ns) {
        return s->counter;
    }
    return s->counter + (uint64_t)(ns - s->counter_base_ns) / HPET_PERIOD_NS;
}

static uint64_t hpet_counter_at(const HPETState *s, int64_t ns)
{
    return hpet_enabled(s) ? hpet_running_counter_at(s, ns) : s->counter;
}

uint64_t hpet_get_counter(const HPETState *s)
{
    return hpet_counter_at(s, vclock_get_ns());
}

static bool hpet_timer_is_32bit(const HPETTimer *t)
{
    return (t->config & HPET_TN_32BIT) != 0;
}

static bool hpet_timer_is_periodic(const HPETTimer *t)
{
    return (t->config & HPET_TN_PERIODIC) != 0;
}

static uint64_t hpet_timer_mask(const HPETTimer *t)
{
    return hpet_timer_is_32bit(t) ? UINT32_MAX : UINT64_MAX;
}

/* The output line a timer drives: legacy replacement takes over the routes
 * of timers 0 and 1. */
static unsigned hpet_timer_route(const HPETState *s, const HPETTimer *t)
{
    if (s->config & HPET_CFG_LEGACY) {
        if (t->index == 0) {
            return VIRT_HPET_LEGACY_IRQ0;
        }
        if (t->index == 1) {
            return VIRT_HPET_LEGACY_IRQ1;
        }
    }
    return (t->config & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;
}

/* Drive every output from the level-triggered status bits: a line is high
 * while some level-mode timer with INT_ENB routed to it has its status set.
 * Halting the HPET (ENABLE_CNF=0) stops new events but does not withdraw
 * an interrupt already asserted: like the status bit it stays until
 * software clears it. */
static void hpet_update_lines(HPETState *s)
{
    uint32_t level = 0;
    for (unsigned i = 0; i < s->num_timers; i++) {
        const HPETTimer *t = &s->timers[i];
        if ((t->config & HPET_TN_INT_TYPE_LEVEL) &&
            (t->config & HPET_TN_INT_ENB) && (s->isr & (1ULL << i))) {
            level |= 1u << hpet_timer_route(s, t);
        }
    }
    uint32_t changed = level ^ s->irq_level;
    s->irq_level = level;
    for (unsigned r = 0; r < HPET_NUM_IRQ_ROUTES; r++) {
        if (changed & (1u << r)) {
            probe_hpet_irq(r, (level >> r) & 1);
            irq_set(s->irqs[r], (level >> r) & 1);
        }
    }
}

/* A timer event: level mode latches the status bit (even with INT_ENB
 * clear, as the spec says) and holds the line; edge mode pulses it. */
static void hpet_timer_fire(HPETState *s, HPETTimer *t)
{
    if (t->config & HPET_TN_INT_TYPE_LEVEL) {
        s->isr |= 1ULL << t->index;
        hpet_update_lines(s);
        return;
    }
    if (t->config & HPET_TN_INT_ENB) {
        unsigned route = hpet_timer_route(s, t);
        /* A line already held high by a level timer absorbs the edge. */
        if (!(s->irq_level & (1u << route))) {
            probe_hpet_irq(route, 1);
            probe_hpet_irq(route, 0);
            irq_pulse(s->irqs[route]);
        }
    }
}

/*
 * Arm t for its next event after the counter value it has at ref_ns: the
 * comparator match and, for a one-shot 32-bit timer, the wrap of the low 32
 * counter bits.  include_now makes a match at the current counter value an
 * event (used after software changes, not after an event, where it would
 * repeat forever).
 */
static void hpet_timer_arm(HPETState *s, HPETTimer *t, int64_t ref_ns,
                           bool include_now)
{
    timer_del(&t->timer);
    if (!hpet_enabled(s)) {
        return;
    }
    uint64_t mask = hpet_timer_mask(t);
    uint64_t cur = hpet_counter_at(s, ref_ns);
    uint64_t delta = (t->comparator - cur) & mask;
    if (delta == 0 && !include_now) {
        /* The next match is a full counter revolution away. */
        delta = hpet_timer_is_32bit(t) ? (1ULL << 32) : UINT64_MAX;
    }
    if (hpet_timer_is_32bit(t) && !hpet_timer_is_periodic(t)) {
        uint64_t to_wrap = (1ULL << 32) - (cur & UINT32_MAX);
        if (to_wrap < delta) {
            delta = to_wrap;
        }
    }
    /* Ticks from the counter's reference instant to the event. */
    uint64_t elapsed = cur - s->counter;
    uint64_t max_ticks =
        (uint64_t)(INT64_MAX - s->counter_base_ns) / HPET_PERIOD_NS;
    if (elapsed >= max_ticks || delta >= max_ticks - elapsed) {
        return; /* beyond the end of virtual time */
    }
    uint64_t ticks = elapsed + delta;
    t->event_ns = s->counter_base_ns + (int64_t)(ticks * HPET_PERIOD_NS);
    timer_mod(&t->timer, t->event_ns);
}

static void hpet_timer_expired(void *opaque)
{
    HPETTimer *t = opaque;
    HPETState *s = t->hpet;
    uint64_t mask = hpet_timer_mask(t);
    uint64_t cur = hpet_counter_at(s, t->event_ns);

    if (((cur ^ t->comparator) & mask) == 0 && hpet_timer_is_periodic(t)) {
        t->comparator = (t->comparator + t->period) & mask;
    }
    hpet_timer_fire(s, t);
    /* Measured from the event itself, so a late run catches up exactly. */
    hpet_timer_arm(s, t, t->event_ns, false);
}

static void hpet_arm_all(HPETState *s)
{
    int64_t now = vclock_get_ns();
    for (unsigned i = 0; i < s->num_timers; i++) {
        hpet_timer_arm(s, &s->timers[i], now, true);
    }
}

static uint64_t hpet_capabilities(const HPETState *s)
{
    return HPET_CAP_REV_ID |
           ((uint64_t)(s->num_timers - 1) << HPET_CAP_NUM_TIM_SHIFT) |
           HPET_CAP_COUNT_SIZE | HPET_CAP_LEG_RT |
           ((uint64_t)HPET_CAP_VENDOR_ID << HPET_CAP_VENDOR_ID_SHIFT) |
           ((uint64_t)VIRT_HPET_PERIOD_FS << HPET_CAP_CLK_PERIOD_SHIFT);
}

static uint64_t hpet_timer_conf_cap(const HPETState *s, const HPETTimer *t)
{
    return t->config | HPET_TN_PER_INT_CAP | HPET_TN_SIZE_CAP |
           ((uint64_t)s->intcap << HPET_TN_ROUTE_CAP_SHIFT);
}

/* The timer owning a register offset, or NULL. */
static HPETTimer *hpet_timer_at(HPETState *s, hwaddr reg, hwaddr *off)
{
    if (reg < HPET_TIMER_BASE) {
        return NULL;
    }
    hwaddr index = (reg - HPET_TIMER_BASE) / HPET_TIMER_STRIDE;
    if (index >= s->num_timers) {
        return NULL;
    }
    *off = (reg - HPET_TIMER_BASE) % HPET_TIMER_STRIDE;
    return &s->timers[index];
}

/* The 64-bit register at reg; *known is false for reserved offsets. */
static uint64_t hpet_read64(HPETState *s, hwaddr reg, bool *known)
{
    hwaddr off;
    HPETTimer *t;

    *known = true;
    switch (reg) {
    case HPET_GCAP_ID:
        return hpet_capabilities(s);
    case HPET_GEN_CONF:
        return s->config;
    case HPET_GINTR_STA:
        return s->isr;
    case HPET_MAIN_CNT:
        return hpet_get_counter(s);
    }
    t = hpet_timer_at(s, reg, &off);
    if (t) {
        switch (off) {
        case HPET_TN_CONF_CAP:
            return hpet_timer_conf_cap(s, t);
        case HPET_TN_COMPARATOR:
            return t->comparator;
        case HPET_TN_FSB_ROUTE:
            return 0;
        }
    }
    *known = false;
    return 0;
}

static uint64_t hpet_read(void *opaque, hwaddr addr, unsigned size)
{
    HPETState *s = opaque;
    uint64_t value = 0;
    bool known = false;

    if ((size == 4 || size == 8) && addr % size == 0) {
        unsigned shift = (addr & 4) * 8;
        value = hpet_read64(s, addr & ~(hwaddr)7, &known) >> shift;
        if (size == 4) {
            value &= UINT32_MAX;
        }
    }
    if (!known) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "hpet: bad read offset=0x%03" PRIx64 " size=%u", addr, size);
    }
    probe_hpet_read(addr, size, value);
    return value;
}

/* Replace the bits of old covered by the access with value. */
static uint64_t hpet_deposit(uint64_t old, hwaddr addr, unsigned size,
                             uint64_t value)
{
    if (size == 8) {
        return value;
    }
    unsigned shift = (addr & 4) * 8;
    uint64_t field = (uint64_t)UINT32_MAX << shift;
    return (old & ~field) | ((value << shift) & field);
}

static void hpet_write_gen_conf(HPETState *s, uint64_t value)
{
    uint64_t old = s->config;
    int64_t now = vclock_get_ns();

    s->config = value & (HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    if (!(old & HPET_CFG_ENABLE) && (s->config & HPET_CFG_ENABLE)) {
        /* Counting resumes from the halted value, starting now. */
        s->counter_base_ns = now;
        hpet_arm_all(s);
    } else if ((old & HPET_CFG_ENABLE) && !(s->config & HPET_CFG_ENABLE)) {
        /* Halt: the counter keeps the value it reached. */
        s->counter = hpet_running_counter_at(s, now);
        s->counter_base_ns = now;
        for (unsigned i = 0; i < s->num_timers; i++) {
            timer_del(&s->timers[i].timer);
        }
    }
    hpet_update_lines(s);
}

static void hpet_write_timer_conf(HPETState *s, HPETTimer *t, uint64_t value)
{
    uint64_t old = t->config;
    uint64_t conf = value & HPET_TN_CONF_WRITABLE;
    unsigned route = (conf & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;

    if (!(s->intcap & (1u << route))) {
        /* Unsupported routes do not stick: the old one reads back. */
        log_item(LOG_ITEM_GUEST_ERROR,
                 "hpet: timer %u: route %u is not in INT_ROUTE_CAP 0x%08x",
                 t->index, route, s->intcap);
        conf = (conf & ~(uint64_t)HPET_TN_INT_ROUTE_MASK) |
               (old & HPET_TN_INT_ROUTE_MASK);
    }
    if (value & HPET_TN_FSB_EN) {
        log_item(LOG_ITEM_UNIMP, "hpet: FSB interrupt delivery");
    }
    t->config = conf;
    if ((old & HPET_TN_INT_TYPE_LEVEL) && !(conf & HPET_TN_INT_TYPE_LEVEL)) {
        /* Edge mode has no status bit. */
        s->isr &= ~(1ULL << t->index);
    }
    if (hpet_timer_is_32bit(t)) {
        t->comparator &= UINT32_MAX;
        t->period &= UINT32_MAX;
    }
    hpet_update_lines(s);
    hpet_timer_arm(s, t, vclock_get_ns(), true);
}

/* A comparator write sets the period ("the last value written") of a
 * periodic timer and, for a one-shot timer or with VAL_SET, the comparator
 * itself; VAL_SET then clears. */
static void hpet_write_comparator(HPETState *s, HPETTimer *t, hwaddr addr,
                                  unsigned size, uint64_t value)
{
    if (hpet_timer_is_32bit(t)) {
        if (addr & 4) {
            return; /* the upper half does not exist in 32-bit mode */
        }
        size = 4;
        value &= UINT32_MAX;
    }
    if (!hpet_timer_is_periodic(t) || (t->config & HPET_TN_VAL_SET)) {
        t->comparator = hpet_deposit(t->comparator, addr, size, value);
    }
    if (hpet_timer_is_periodic(t)) {
        t->period = hpet_deposit(t->period, addr, size, value);
    }
    t->config &= ~(uint64_t)HPET_TN_VAL_SET;
    hpet_timer_arm(s, t, vclock_get_ns(), true);
}

static void hpet_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    HPETState *s = opaque;
    hwaddr reg = addr & ~(hwaddr)7;
    hwaddr off;
    HPETTimer *t;

    probe_hpet_write(addr, size, value);
    if ((size != 4 && size != 8) || addr % size != 0) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "hpet: bad write offset=0x%03" PRIx64 " size=%u", addr, size);
        return;
    }
    switch (reg) {
    case HPET_GCAP_ID:
        log_item(LOG_ITEM_GUEST_ERROR, "hpet: write to read-only GCAP_ID");
        return;
    case HPET_GEN_CONF:
        hpet_write_gen_conf(s, hpet_deposit(s->config, addr, size, value));
        return;
    case HPET_GINTR_STA:
        /* Write 1 to clear; writes of 0 have no effect. */
        s->isr &= ~hpet_deposit(0, addr, size, value);
        hpet_update_lines(s);
        return;
    case HPET_MAIN_CNT:
        if (hpet_enabled(s)) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "hpet: MAIN_CNT written while the counter runs; "
                     "halt it first (GEN_CONF.ENABLE_CNF=0)");
            return;
        }
        s->counter = hpet_deposit(s->counter, addr, size, value);
        return;
    }
    t = hpet_timer_at(s, reg, &off);
    if (t) {
        switch (off) {
        case HPET_TN_CONF_CAP:
            hpet_write_timer_conf(
                s, t,
                hpet_deposit(hpet_timer_conf_cap(s, t), addr, size, value));
            return;
        case HPET_TN_COMPARATOR:
            hpet_write_comparator(s, t, addr, size, value);
            return;
        case HPET_TN_FSB_ROUTE:
            log_item(LOG_ITEM_UNIMP, "hpet: FSB interrupt delivery");
            return;
        }
    }
    log_item(LOG_ITEM_GUEST_ERROR,
             "hpet: write to reserved offset=0x%03" PRIx64 " size=%u", addr,
             size);
}

static const MemoryRegionOps hpet_ops = {
    .read = hpet_read,
    .write = hpet_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void hpet_reset(DeviceState *dev)
{
    HPETState *s = HPET(dev);

    s->config = 0;
    s->isr = 0;
    s->counter = 0;
    s->counter_base_ns = vclock_get_ns();
    for (unsigned i = 0; i < HPET_MAX_TIMERS; i++) {
        HPETTimer *t = &s->timers[i];
        timer_del(&t->timer);
        t->config = 0;
        t->comparator = UINT64_MAX;
        t->period = 0;
        t->event_ns = 0;
    }
    hpet_update_lines(s);
}

static bool hpet_realize(DeviceState *dev, Error **errp)
{
    HPETState *s = HPET(dev);

    if (s->num_timers < HPET_MIN_TIMERS || s->num_timers > HPET_MAX_TIMERS) {
        error_setg(errp,
                   "hpet: property 'timers' is %u; it must be between %d "
                   "and %d",
                   s->num_timers, HPET_MIN_TIMERS, HPET_MAX_TIMERS);
        return false;
    }
    uint64_t size = HPET_TIMER_BASE + HPET_TIMER_STRIDE * s->num_timers;
    if (size < HPET_MMIO_MIN_SIZE) {
        size = HPET_MMIO_MIN_SIZE;
    }
    memory_region_init_io(&s->iomem, OBJECT(s), &hpet_ops, s, "hpet", size);
    sysbus_init_mmio(SYS_BUS_DEVICE(s), &s->iomem);
    return true;
}

static void hpet_unrealize(DeviceState *dev)
{
    HPETState *s = HPET(dev);
    for (unsigned i = 0; i < HPET_MAX_TIMERS; i++) {
        timer_del(&s->timers[i].timer);
    }
}

static void hpet_instance_init(Object *obj)
{
    HPETState *s = HPET(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    for (unsigned r = 0; r < HPET_NUM_IRQ_ROUTES; r++) {
        sysbus_init_irq(sbd, &s->irqs[r]);
    }
    for (unsigned i = 0; i < HPET_MAX_TIMERS; i++) {
        s->timers[i].hpet = s;
        s->timers[i].index = i;
        timer_init(&s->timers[i].timer, hpet_timer_expired, &s->timers[i]);
    }
}

/* Finalize does not unrealize: stop the timers here too.  The region
 * exists only after a successful realize; destroying a zeroed one is a
 * no-op. */
static void hpet_instance_finalize(Object *obj)
{
    hpet_unrealize(DEVICE(obj));
    memory_region_destroy(&HPET(obj)->iomem);
}

/* The DEVICE_PROP_REGISTERS text: the general registers as the guest
 * reads them, the output line levels, then each timer that exists
 * (Tn_CONF_CAP as read, the comparator and the periodic increment).
 * hw/timer/hpet/rust renders the same text from the same state. */
static bool hpet_get_registers(Object *obj, ObjectProperty *prop,
                               PropValue *out, Error **errp)
{
    const HPETState *s = HPET(obj);
    (void)prop;
    size_t len = 0;
    FILE *f = open_memstream(&out->s, &len);
    if (!f) {
        error_setg(errp, "hpet: out of memory rendering the registers");
        return false;
    }
    fprintf(f,
            "cap=0x%" PRIx64 " config=0x%" PRIx64 " isr=0x%" PRIx64
            " counter=0x%" PRIx64 " irq_level=0x%" PRIx32,
            hpet_capabilities(s), s->config, s->isr, hpet_get_counter(s),
            s->irq_level);
    for (unsigned i = 0; i < s->num_timers; i++) {
        const HPETTimer *t = &s->timers[i];
        fprintf(f,
                " timer%u.config=0x%" PRIx64 " timer%u.comparator=0x%" PRIx64
                " timer%u.period=0x%" PRIx64,
                i, hpet_timer_conf_cap(s, t), i, t->comparator, i, t->period);
    }
    if (fclose(f) != 0) {
        free(out->s);
        out->s = NULL;
        error_setg(errp, "hpet: out of memory rendering the registers");
        return false;
    }
    return true;
}

static const Property hpet_props[] = {
    DEFINE_PROP_UINT8("timers", HPETState, num_timers, HPET_DEFAULT_TIMERS),
    DEFINE_PROP_UINT32("intcap", HPETState, intcap, VIRT_HPET_INTCAP),
    DEFINE_PROP_END_OF_LIST(),
};

/* Migration: the registers, the counter's reference point and every
 * comparator with its pending deadline, so events fire at exactly the
 * instant they would have.  The output levels are saved too: they decide
 * which line changes the next update drives. */
static bool hpet_post_load(void *opaque, int version_id, Error **errp)
{
    HPETState *s = opaque;
    (void)version_id;
    uint64_t timers_mask = (1ULL << s->num_timers) - 1;
    /* Instants of virtual time, which starts at 0: the counter arithmetic
     * relies on it (INT64_MAX - counter_base_ns must not overflow). */
    if (s->counter_base_ns < 0) {
        error_setg(errp, "field 'counter_base_ns': negative time %" PRId64,
                   s->counter_base_ns);
        return false;
    }
    if (s->isr & ~timers_mask) {
        error_setg(errp,
                   "field 'isr': 0x%" PRIx64 " has bits for timers beyond "
                   "the %u this HPET has",
                   s->isr, s->num_timers);
        return false;
    }
    /* Route 0 is the reset value even where INT_ROUTE_CAP lacks it. */
    uint32_t routes = s->intcap | 1u | (1u << VIRT_HPET_LEGACY_IRQ0) |
                      (1u << VIRT_HPET_LEGACY_IRQ1);
    if (s->irq_level & ~routes) {
        error_setg(errp,
                   "field 'irq_level': 0x%08x drives routes outside "
                   "INT_ROUTE_CAP 0x%08x",
                   s->irq_level, s->intcap);
        return false;
    }
    for (unsigned i = 0; i < s->num_timers; i++) {
        const HPETTimer *t = &s->timers[i];
        unsigned route =
            (t->config & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;
        if (route != 0 && !(s->intcap & (1u << route))) {
            error_setg(errp,
                       "field 'timers[%u].config': route %u is not in "
                       "INT_ROUTE_CAP 0x%08x",
                       i, route, s->intcap);
            return false;
        }
        if (t->event_ns < 0) {
            error_setg(errp,
                       "field 'timers[%u].event_ns': negative time %" PRId64, i,
                       t->event_ns);
            return false;
        }
        if (timer_pending(&t->timer) && t->event_ns != t->timer.expire_ns) {
            error_setg(errp,
                       "field 'timers[%u].timer': deadline %" PRId64
                       " differs from event_ns %" PRId64,
                       i, t->timer.expire_ns, t->event_ns);
            return false;
        }
    }
    return true;
}

static const VMStateField hpet_timer_fields[] = {
    VMSTATE_UINT64_CHECKED(config, HPETTimer, HPET_TN_CONF_WRITABLE, 0),
    VMSTATE_UINT64(comparator, HPETTimer),
    VMSTATE_UINT64(period, HPETTimer),
    VMSTATE_TIMER(timer, HPETTimer),
    VMSTATE_INT64(event_ns, HPETTimer),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_hpet_timer = {
    .name = "hpet_timer",
    .version_id = 2, /* 2: 8-byte timers (docs/migration.md) */
    .minimum_version_id = 2,
    .fields = hpet_timer_fields,
};

static const VMStateField hpet_fields[] = {
    /* The number of comparators is hardware shape: it must match. */
    VMSTATE_UINT8_EQUAL(num_timers, HPETState),
    VMSTATE_UINT64_CHECKED(config, HPETState, HPET_CFG_ENABLE | HPET_CFG_LEGACY,
                           0),
    VMSTATE_UINT64(isr, HPETState),
    VMSTATE_UINT64(counter, HPETState),
    VMSTATE_INT64(counter_base_ns, HPETState),
    VMSTATE_UINT32(irq_level, HPETState),
    VMSTATE_STRUCT_VARRAY_UINT8(timers, HPETState, num_timers,
                                vmstate_hpet_timer),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_hpet = {
    .name = "hpet",
    .version_id = 2, /* 2: 8-byte timers (docs/migration.md) */
    .minimum_version_id = 2,
    .fields = hpet_fields,
    .post_load = hpet_post_load,
};

static void hpet_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "HPET (IA-PC HPET 1.0a)";
    dc->realize = hpet_realize;
    dc->unrealize = hpet_unrealize;
    dc->reset = hpet_reset;
    dc->vmsd = &vmstate_hpet;
    device_class_set_props(dc, hpet_props);
    object_class_property_add(klass, DEVICE_PROP_REGISTERS, PROP_TYPE_STRING,
                              hpet_get_registers, NULL, NULL,
                              "guest-visible registers of the HPET and its "
                              "timers (read-only)");
}

static const TypeInfo hpet_info = {
    .name = TYPE_HPET,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(HPETState),
    .class_init = hpet_class_init,
    .instance_init = hpet_instance_init,
    .instance_finalize = hpet_instance_finalize,
};

/* Registered before main(); hw_dep links this library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void hpet_register_types(void)
{
    type_register_static(&hpet_info);
}

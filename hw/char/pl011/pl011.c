/*
 * ARM PL011 UART (TRM DDI0183, r1p5): registers, receive FIFO, interrupt
 * generation and the chardev frontend.
 *
 * Transmit is modelled as a FIFO that drains instantly, so the transmit
 * interrupt follows the TRM's "transition through the trigger level" rule:
 * every transmitted byte leaves the FIFO empty again, which is at or below
 * any trigger level, and sets TXIS.  The exception is a stalled line: a
 * backend that refuses output (a socket client not reading) shows as a
 * full FIFO (TXFF and BUSY set, TXIS clear) until it takes bytes again,
 * when TXIS rises.  The bytes wait in the backend's queue (host state),
 * so the migration stream is unchanged.
 */
#include "hw/char/pl011/pl011.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "probes/pl011.h"
#include "util/log.h"

/* PrimeCell identification: PL011 r1p5 (PeriphID) and the PrimeCell tag. */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x34, 0x00,
                                    0x0d, 0xf0, 0x05, 0xb1};

static uint32_t pl011_fifo_depth(const PL011State *s)
{
    return (s->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* IFLS selections b000..b100 are 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO;
 * reserved encodings behave as 1/2 (the reset value). */
static uint32_t pl011_trigger_eighths(uint32_t sel)
{
    static const uint32_t eighths[5] = {1, 2, 4, 6, 7};
    return sel < 5 ? eighths[sel] : 4;
}

static uint32_t pl011_rx_trigger_level(const PL011State *s)
{
    return PL011_FIFO_DEPTH * pl011_trigger_eighths((s->ifls >> 3) & 7) / 8;
}

static uint32_t pl011_flags(const PL011State *s)
{
    /* Transmit drains at once unless the line is stalled. */
    uint32_t fr = char_fe_can_write(&s->fe) ? PL011_FR_TXFE
                                            : PL011_FR_TXFF | PL011_FR_BUSY;
    if (s->rx_count == 0) {
        fr |= PL011_FR_RXFE;
    }
    if (s->rx_count >= pl011_fifo_depth(s)) {
        fr |= PL011_FR_RXFF;
    }
    return fr;
}

/* pl011_update_irq's path while the pl011_irq probe is on; out of line so
 * that the usual path stays a tail call with no stack frame. */
static __attribute__((noinline, cold)) void pl011_set_irq_traced(IRQ irq,
                                                                 int level)
{
    if (level != irq_get_level(irq)) {
        probe_pl011_irq(level);
    }
    irq_set(irq, level);
}

static void pl011_update_irq(PL011State *s)
{
    int level = (s->ris & s->imsc) != 0;
    if (probe_pl011_irq_enabled()) {
        pl011_set_irq_traced(s->irq, level);
        return;
    }
    irq_set(s->irq, level);
}

/* The FIFO level at which RXIS rises: the IFLS trigger with FIFOs on, the
 * single holding register with them off. */
static uint32_t pl011_rx_trigger(const PL011State *s)
{
    return (s->lcr_h & PL011_LCR_H_FEN) ? pl011_rx_trigger_level(s) : 1;
}

int64_t pl011_rx_timeout_ns(const PL011State *s)
{
    if (s->ibrd == 0) {
        return (int64_t)PL011_RX_TIMEOUT_BITS * PL011_DEFAULT_BIT_NS;
    }
    /* bit time = 16 * (IBRD + FBRD/64) / UARTCLK; in units of 1/64 that is
     * 16 * divisor / (64 * UARTCLK) seconds, divisor = IBRD*64 + FBRD. */
    uint64_t divisor = (uint64_t)s->ibrd * 64 + s->fbrd;
    return (int64_t)(divisor * PL011_RX_TIMEOUT_BITS * 16 * 1000000000ULL /
                     (64ULL * PL011_UARTCLK_HZ));
}

static void pl011_rx_timeout(void *opaque)
{
    PL011State *s = opaque;
    if (s->rx_count > 0) {
        s->ris |= PL011_INT_RT;
        pl011_update_irq(s);
    }
}

static void pl011_reset_rx_fifo(PL011State *s)
{
    s->rx_pos = 0;
    s->rx_count = 0;
    s->rx_overrun_pending = false;
    timer_del(&s->rx_timeout_timer);
}

static void pl011_push_char(PL011State *s, uint8_t ch)
{
    uint32_t depth = pl011_fifo_depth(s);
    if (s->rx_count >= depth) {
        /* Overrun: the FIFO keeps its contents, the new character is lost
         * in the shift register. */
        s->rsr |= PL011_RSR_OE;
        s->ris |= PL011_INT_OE;
        s->rx_overrun_pending = true;
        return;
    }
    uint32_t entry = ch;
    if (s->rx_overrun_pending) {
        entry |= PL011_DR_OE;
        s->rx_overrun_pending = false;
    }
    s->rx_fifo[(s->rx_pos + s->rx_count) % PL011_FIFO_DEPTH] = entry;
    s->rx_count++;
    /* RXIS follows the TRM's transition rule: it is set when the level
     * reaches the trigger, so a cleared RXIS stays clear while the level
     * merely stays above it. */
    if (s->rx_count == pl011_rx_trigger(s)) {
        s->ris |= PL011_INT_RX;
    }
}

static int pl011_can_receive(void *opaque)
{
    PL011State *s = opaque;
    uint32_t depth = pl011_fifo_depth(s);
    return s->rx_count < depth ? (int)(depth - s->rx_count) : 0;
}

static void pl011_receive(void *opaque, const uint8_t *buf, int size)
{
    PL011State *s = opaque;
    if (size <= 0) {
        return;
    }
    for (int i = 0; i < size; i++) {
        pl011_push_char(s, buf[i]);
    }
    timer_mod(
        &s->rx_timeout_timer,
        vclock_ns_after(vclock_get_ns(), (uint64_t)pl011_rx_timeout_ns(s)));
    pl011_update_irq(s);
}

static uint32_t pl011_read_dr(PL011State *s)
{
    if (s->rx_count == 0) {
        return 0;
    }
    uint32_t entry = s->rx_fifo[s->rx_pos];
    s->rx_pos = (s->rx_pos + 1) % PL011_FIFO_DEPTH;
    s->rx_count--;
    /* RSR reports the error bits of the character just read; OE stays
     * latched until a write to ECR. */
    s->rsr = (s->rsr & PL011_RSR_OE) | ((entry >> 8) & 0xf);
    if (s->rx_count == 0) {
        s->ris &= ~(uint32_t)PL011_INT_RT;
        timer_del(&s->rx_timeout_timer);
    }
    if (s->rx_count < pl011_rx_trigger(s)) {
        s->ris &= ~(uint32_t)PL011_INT_RX;
    }
    pl011_update_irq(s);
    if (s->fe.chr) {
        char_fe_accept_input(&s->fe);
    }
    return entry;
}

static void pl011_write_dr(PL011State *s, uint32_t value)
{
    uint8_t ch = value & 0xff;
    if (!(s->cr & PL011_CR_UARTEN) || !(s->cr & PL011_CR_TXE)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: write to UARTDR while %s is clear: byte 0x%02x "
                 "not transmitted",
                 (s->cr & PL011_CR_UARTEN) ? "UARTCR.TXE" : "UARTCR.UARTEN",
                 ch);
        return;
    }
    if (!char_fe_can_write(&s->fe)) {
        /* A full transmit FIFO ignores writes (the guest should have
         * polled UARTFR.TXFF). */
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: write to UARTDR while the transmit FIFO is full "
                 "(UARTFR.TXFF): byte 0x%02x lost",
                 ch);
        return;
    }
    char_fe_write(&s->fe, &ch, 1);
    if (char_fe_can_write(&s->fe)) {
        /* The byte left at once: the FIFO passed down through its
         * trigger. */
        s->ris |= PL011_INT_TX;
    } else {
        /* The line stalled: the FIFO is now above any trigger level. */
        s->ris &= ~(uint32_t)PL011_INT_TX;
    }
    pl011_update_irq(s);
}

/* The stalled line takes bytes again: the FIFO drains through its
 * trigger level. */
static void pl011_write_ready(void *opaque)
{
    PL011State *s = opaque;
    s->ris |= PL011_INT_TX;
    pl011_update_irq(s);
}

/* A register read, without its probe (pl011_read). */
static inline __attribute__((always_inline)) uint64_t
pl011_read_register(PL011State *s, hwaddr addr, unsigned size)
{
    uint64_t value = 0;

    if ((addr & 3) || size > 4) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: bad read offset=0x%03" PRIx64 " size=%u", addr, size);
        return 0;
    }
    switch (addr) {
    case PL011_DR:
        value = pl011_read_dr(s);
        break;
    case PL011_RSR_ECR:
        value = s->rsr;
        break;
    case PL011_FR:
        value = pl011_flags(s);
        break;
    case PL011_ILPR:
        value = s->ilpr;
        break;
    case PL011_IBRD:
        value = s->ibrd;
        break;
    case PL011_FBRD:
        value = s->fbrd;
        break;
    case PL011_LCR_H:
        value = s->lcr_h;
        break;
    case PL011_CR:
        value = s->cr;
        break;
    case PL011_IFLS:
        value = s->ifls;
        break;
    case PL011_IMSC:
        value = s->imsc;
        break;
    case PL011_RIS:
        value = s->ris;
        break;
    case PL011_MIS:
        value = s->ris & s->imsc;
        break;
    case PL011_DMACR:
        value = s->dmacr;
        break;
    default:
        if (addr >= PL011_PERIPH_ID0 && addr <= PL011_PCELL_ID3) {
            value = pl011_id[(addr - PL011_PERIPH_ID0) / 4];
        } else {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "pl011: read of unknown register offset=0x%03" PRIx64,
                     addr);
        }
        break;
    }
    return value;
}

/* A register write, without its probe (pl011_write). */
static inline __attribute__((always_inline)) void
pl011_write_register(PL011State *s, hwaddr addr, uint64_t value, unsigned size)
{
    uint32_t v = (uint32_t)value;

    if ((addr & 3) || size > 4) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: bad write offset=0x%03" PRIx64 " size=%u", addr, size);
        return;
    }
    switch (addr) {
    case PL011_DR:
        pl011_write_dr(s, v);
        break;
    case PL011_RSR_ECR:
        /* Any write to UARTECR clears the framing, parity, break and
         * overrun errors. */
        s->rsr = 0;
        break;
    case PL011_ILPR:
        s->ilpr = v & 0xff;
        break;
    case PL011_IBRD:
        s->ibrd = v & 0xffff;
        break;
    case PL011_FBRD:
        s->fbrd = v & 0x3f;
        break;
    case PL011_LCR_H:
        /* Switching the FIFOs on or off changes the FIFO geometry; the
         * receive FIFO is flushed, as QEMU and real drivers assume. */
        if ((s->lcr_h ^ v) & PL011_LCR_H_FEN) {
            pl011_reset_rx_fifo(s);
            s->ris &= ~(uint32_t)(PL011_INT_RX | PL011_INT_RT);
        }
        s->lcr_h = v & 0xff;
        pl011_update_irq(s);
        if (s->fe.chr) {
            char_fe_accept_input(&s->fe);
        }
        break;
    case PL011_CR:
        s->cr = v & 0xffff;
        break;
    case PL011_IFLS:
        /* The new levels apply to the next transitions of the FIFO. */
        s->ifls = v & 0x3f;
        break;
    case PL011_IMSC:
        s->imsc = v & PL011_INT_ALL;
        pl011_update_irq(s);
        break;
    case PL011_ICR:
        s->ris &= ~(v & PL011_INT_ALL);
        pl011_update_irq(s);
        break;
    case PL011_DMACR:
        s->dmacr = v & 0x7;
        if (s->dmacr) {
            log_item(LOG_ITEM_UNIMP, "pl011: DMA is not implemented");
        }
        break;
    case PL011_FR:
    case PL011_RIS:
    case PL011_MIS:
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: write to read-only register offset=0x%03" PRIx64,
                 addr);
        break;
    default:
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pl011: write to unknown or read-only register "
                 "offset=0x%03" PRIx64,
                 addr);
        break;
    }
}

/* The callbacks while their probe is on, out of line: a probe's call
 * inside the callback made the compiler keep its arguments in
 * callee-saved registers, saved and restored on every access, probe or
 * no probe (docs/tracing.md). */
static __attribute__((noinline, cold)) uint64_t
pl011_read_traced(PL011State *s, hwaddr addr, unsigned size)
{
    uint64_t value = pl011_read_register(s, addr, size);
    probe_pl011_read(addr, size, value);
    return value;
}

static __attribute__((noinline, cold)) void
pl011_write_traced(PL011State *s, hwaddr addr, uint64_t value, unsigned size)
{
    probe_pl011_write(addr, size, value);
    pl011_write_register(s, addr, value, size);
}

static uint64_t pl011_read(void *opaque, hwaddr addr, unsigned size)
{
    if (probe_pl011_read_enabled()) {
        return pl011_read_traced(opaque, addr, size);
    }
    return pl011_read_register(opaque, addr, size);
}

static void pl011_write(void *opaque, hwaddr addr, uint64_t value,
                        unsigned size)
{
    if (probe_pl011_write_enabled()) {
        pl011_write_traced(opaque, addr, value, size);
        return;
    }
    pl011_write_register(opaque, addr, value, size);
}

static const MemoryRegionOps pl011_ops = {
    .read = pl011_read,
    .write = pl011_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void pl011_reset(DeviceState *dev)
{
    PL011State *s = PL011(dev);

    s->rsr = 0;
    s->ilpr = 0;
    s->ibrd = 0;
    s->fbrd = 0;
    s->lcr_h = 0;
    s->cr = PL011_CR_RESET;
    s->ifls = PL011_IFLS_RESET;
    s->imsc = 0;
    s->ris = 0;
    s->dmacr = 0;
    pl011_reset_rx_fifo(s);
    pl011_update_irq(s);
    if (s->fe.chr) {
        char_fe_accept_input(&s->fe);
    }
}

static bool pl011_realize(DeviceState *dev, Error **errp)
{
    PL011State *s = PL011(dev);

    if (s->chr) {
        if (!char_fe_init(&s->fe, s->chr, errp)) {
            return false;
        }
        char_fe_set_handlers(&s->fe, pl011_can_receive, pl011_receive, NULL,
                             pl011_write_ready, s);
    }
    return true;
}

static void pl011_unrealize(DeviceState *dev)
{
    PL011State *s = PL011(dev);

    timer_del(&s->rx_timeout_timer);
    if (s->fe.chr) {
        char_fe_deinit(&s->fe);
    }
}

static void pl011_instance_init(Object *obj)
{
    PL011State *s = PL011(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &pl011_ops, s, "pl011",
                          PL011_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    timer_init(&s->rx_timeout_timer, pl011_rx_timeout, s);
}

/* Finalize does not unrealize, so drop the timer and the backend's
 * pointer to us here too. */
static void pl011_instance_finalize(Object *obj)
{
    PL011State *s = PL011(obj);
    timer_del(&s->rx_timeout_timer);
    if (s->fe.chr) {
        char_fe_deinit(&s->fe);
    }
    memory_region_destroy(&s->iomem);
}

/* The DEVICE_PROP_REGISTERS text: every register the guest can read (FR
 * and MIS as computed), then the receive FIFO, oldest entry first.
 * hw/char/pl011/rust renders the same text from the same state. */
static bool pl011_get_registers(Object *obj, ObjectProperty *prop,
                                PropValue *out, Error **errp)
{
    const PL011State *s = PL011(obj);
    (void)prop;
    size_t len = 0;
    FILE *f = open_memstream(&out->s, &len);
    if (!f) {
        error_setg(errp, "pl011: out of memory rendering the registers");
        return false;
    }
    fprintf(f,
            "rsr=0x%" PRIx32 " ilpr=0x%" PRIx32 " ibrd=0x%" PRIx32
            " fbrd=0x%" PRIx32 " lcr_h=0x%" PRIx32 " cr=0x%" PRIx32
            " ifls=0x%" PRIx32 " imsc=0x%" PRIx32 " ris=0x%" PRIx32
            " mis=0x%" PRIx32 " fr=0x%" PRIx32 " dmacr=0x%" PRIx32
            " rx_overrun=0x%x rx_level=0x%" PRIx32 " rx_fifo=",
            s->rsr, s->ilpr, s->ibrd, s->fbrd, s->lcr_h, s->cr, s->ifls,
            s->imsc, s->ris, s->ris & s->imsc, pl011_flags(s), s->dmacr,
            s->rx_overrun_pending ? 1u : 0u, s->rx_count);
    for (uint32_t i = 0; i < s->rx_count; i++) {
        fprintf(f, "%s0x%" PRIx32, i ? "," : "",
                s->rx_fifo[(s->rx_pos + i) % PL011_FIFO_DEPTH]);
    }
    if (fclose(f) != 0) {
        free(out->s);
        out->s = NULL;
        error_setg(errp, "pl011: out of memory rendering the registers");
        return false;
    }
    return true;
}

static const Property pl011_props[] = {
    DEFINE_PROP_LINK("chardev", PL011State, chr, TYPE_CHARDEV),
    DEFINE_PROP_END_OF_LIST(),
};

/* Migration: every register, the receive FIFO and its timeout deadline.
 * The interrupt output is not saved: UARTINTR is (RIS & IMSC), and the
 * PLIC saves the level it last saw. */
static bool pl011_post_load(void *opaque, int version_id, Error **errp)
{
    PL011State *s = opaque;
    (void)version_id;
    if (s->rx_count > pl011_fifo_depth(s)) {
        error_setg(errp,
                   "field 'rx_count': %u entries, but the FIFO holds %u "
                   "with UARTLCR_H.FEN %s",
                   s->rx_count, pl011_fifo_depth(s),
                   (s->lcr_h & PL011_LCR_H_FEN) ? "set" : "clear");
        return false;
    }
    if (s->fe.chr) {
        char_fe_accept_input(&s->fe);
    }
    return true;
}

static const VMStateField pl011_fields[] = {
    VMSTATE_UINT32_CHECKED(rsr, PL011State, 0xf, 0),
    VMSTATE_UINT32_CHECKED(ilpr, PL011State, 0xff, 0),
    VMSTATE_UINT32_CHECKED(ibrd, PL011State, 0xffff, 0),
    VMSTATE_UINT32_CHECKED(fbrd, PL011State, 0x3f, 0),
    VMSTATE_UINT32_CHECKED(lcr_h, PL011State, 0xff, 0),
    VMSTATE_UINT32_CHECKED(cr, PL011State, 0xffff, 0),
    VMSTATE_UINT32_CHECKED(ifls, PL011State, 0x3f, 0),
    VMSTATE_UINT32_CHECKED(imsc, PL011State, PL011_INT_ALL, 0),
    VMSTATE_UINT32_CHECKED(ris, PL011State, PL011_INT_ALL, 0),
    VMSTATE_UINT32_CHECKED(dmacr, PL011State, 0x7, 0),
    /* Entries are 12 bits: error bits 11:8 over the data. */
    {.name = "rx_fifo",
     .type = VMS_TYPE_UINT32,
     .shape = VMS_SHAPE_ARRAY,
     .offset = offsetof(PL011State, rx_fifo),
     .elem_size = sizeof(uint32_t),
     .num = PL011_FIFO_DEPTH,
     .mask = 0xfff},
    VMSTATE_UINT32_CHECKED(rx_pos, PL011State, 0, PL011_FIFO_DEPTH - 1),
    VMSTATE_UINT32_CHECKED(rx_count, PL011State, 0, PL011_FIFO_DEPTH),
    VMSTATE_BOOL(rx_overrun_pending, PL011State),
    VMSTATE_TIMER(rx_timeout_timer, PL011State),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_pl011 = {
    .name = "pl011",
    .version_id = 2, /* 2: 8-byte timers (docs/migration.md) */
    .minimum_version_id = 2,
    .fields = pl011_fields,
    .post_load = pl011_post_load,
};

static void pl011_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "ARM PL011 UART";
    dc->realize = pl011_realize;
    dc->unrealize = pl011_unrealize;
    dc->reset = pl011_reset;
    dc->vmsd = &vmstate_pl011;
    device_class_set_props(dc, pl011_props);
    object_class_property_add(klass, DEVICE_PROP_REGISTERS, PROP_TYPE_STRING,
                              pl011_get_registers, NULL, NULL,
                              "guest-visible registers and receive FIFO "
                              "(read-only)");
}

static const TypeInfo pl011_info = {
    .name = TYPE_PL011,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(PL011State),
    .class_init = pl011_class_init,
    .instance_init = pl011_instance_init,
    .instance_finalize = pl011_instance_finalize,
};

/* Registered before main(); hw_dep links this library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void pl011_register_types(void)
{
    type_register_static(&pl011_info);
}

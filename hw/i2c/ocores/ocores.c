/*
 * The OpenCores I2C master controller: prescaler, control, transmit and
 * receive, command and status registers over an I2C bus (ocores.h).
 */
#include "hw/i2c/ocores/ocores.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "probes/ocores.h"
#include "util/log.h"

static void ocores_update_irq(OcoresState *s)
{
    int level = (s->sr & OCORES_SR_IF) && (s->ctr & OCORES_CTR_IEN);
    if (level != irq_get_level(s->irq)) {
        probe_ocores_irq((uint32_t)level);
    }
    irq_set(s->irq, level);
}

static uint8_t ocores_status(const OcoresState *s)
{
    uint8_t sr = s->sr;
    if (s->start_pending || i2c_bus_busy(s->bus)) {
        sr |= OCORES_SR_BUSY;
    }
    return sr;
}

/* The register at addr, or -1 for an offset between or past them. */
static int ocores_decode(hwaddr addr, unsigned size, const char *what)
{
    if (size > 4 || addr > OCORES_SR || addr % (1u << OCORES_REG_SHIFT)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "ocores: bad %s offset=0x%03" PRIx64 " size=%u", what, addr,
                 size);
        return -1;
    }
    return (int)addr;
}

static uint64_t ocores_read(void *opaque, hwaddr addr, unsigned size)
{
    OcoresState *s = opaque;
    uint64_t value = 0;

    switch (ocores_decode(addr, size, "read")) {
    case OCORES_PRERLO:
        value = s->prer & 0xff;
        break;
    case OCORES_PRERHI:
        value = s->prer >> 8;
        break;
    case OCORES_CTR:
        value = s->ctr;
        break;
    case OCORES_RXR:
        value = s->rxr;
        break;
    case OCORES_SR:
        value = ocores_status(s);
        break;
    default:
        break;
    }
    probe_ocores_read(addr, size, value);
    return value;
}

/* The address byte (TXR after a start, or 0xff clocked in by a read that
 * follows a start directly) addresses a target. */
static bool ocores_address(OcoresState *s, uint8_t byte)
{
    s->start_pending = false;
    return i2c_bus_start(s->bus, byte >> 1, byte & 1);
}

/* One command: STA, then RD or WR, then STO; IF when it did any. */
static void ocores_command(OcoresState *s, uint8_t cr)
{
    if (cr & OCORES_CR_IACK) {
        s->sr &= ~OCORES_SR_IF;
    }
    if (!(cr & (OCORES_CR_STA | OCORES_CR_STO | OCORES_CR_RD | OCORES_CR_WR))) {
        return;
    }
    if (cr & OCORES_CR_STA) {
        s->start_pending = true;
    }
    if (cr & OCORES_CR_RD) {
        if (s->start_pending) {
            /* Nobody drives the line: the address byte is 0xff, a read
             * from 0x7f, which the specification reserves. */
            ocores_address(s, 0xff);
            s->rxr = 0xff;
        } else {
            s->rxr = i2c_bus_recv(s->bus);
        }
        /* The acknowledge bit is the controller's own: RxACK samples the
         * line, which carries what CR.ACK asked for. */
        s->sr = (s->sr & ~OCORES_SR_RXACK) |
                ((cr & OCORES_CR_ACK) ? OCORES_SR_RXACK : 0);
    } else if (cr & OCORES_CR_WR) {
        bool ack = s->start_pending ? ocores_address(s, s->txr)
                                    : i2c_bus_send(s->bus, s->txr);
        s->sr = (s->sr & ~OCORES_SR_RXACK) | (ack ? 0 : OCORES_SR_RXACK);
    }
    if (cr & OCORES_CR_STO) {
        s->start_pending = false;
        i2c_bus_stop(s->bus);
    }
    s->sr |= OCORES_SR_IF;
}

static void ocores_write(void *opaque, hwaddr addr, uint64_t value,
                         unsigned size)
{
    OcoresState *s = opaque;
    uint8_t v = (uint8_t)value;

    probe_ocores_write(addr, size, value);
    switch (ocores_decode(addr, size, "write")) {
    case OCORES_PRERLO:
    case OCORES_PRERHI:
        if (s->ctr & OCORES_CTR_EN) {
            /* The specification: change it only with EN clear.  The core
             * takes it anyway. */
            log_item(LOG_ITEM_GUEST_ERROR,
                     "ocores: prescaler written while the core is enabled");
        }
        if (addr == OCORES_PRERLO) {
            s->prer = (uint16_t)((s->prer & 0xff00) | v);
        } else {
            s->prer = (uint16_t)((s->prer & 0x00ff) | (v << 8));
        }
        break;
    case OCORES_CTR:
        if ((s->ctr & OCORES_CTR_EN) && !(v & OCORES_CTR_EN) &&
            i2c_bus_busy(s->bus)) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "ocores: core disabled in the middle of a transfer");
        }
        s->ctr = v & (OCORES_CTR_EN | OCORES_CTR_IEN);
        break;
    case OCORES_TXR:
        s->txr = v;
        break;
    case OCORES_CR:
        if (!(s->ctr & OCORES_CTR_EN)) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "ocores: command 0x%02x ignored: the core is disabled "
                     "(CTR.EN)",
                     v);
            break;
        }
        ocores_command(s, v);
        break;
    default:
        break;
    }
    ocores_update_irq(s);
}

static const MemoryRegionOps ocores_ops = {
    .read = ocores_read,
    .write = ocores_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void ocores_reset(DeviceState *dev)
{
    OcoresState *s = OCORES(dev);
    s->prer = OCORES_PRER_RESET;
    s->ctr = 0;
    s->txr = 0;
    s->rxr = 0;
    s->sr = 0;
    s->start_pending = false;
    i2c_bus_reset(s->bus);
    ocores_update_irq(s);
}

static void ocores_instance_init(Object *obj)
{
    OcoresState *s = OCORES(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &ocores_ops, s, "ocores",
                          OCORES_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    /* The tree holds the bus; targets hold it too, through their links. */
    s->bus = i2c_bus_new(NULL);
    if (!s->bus ||
        !object_property_add_child(obj, "bus", OBJECT(s->bus), NULL)) {
        fprintf(stderr, "rivet: bug: ocores: cannot make its I2C bus\n");
        abort();
    }
    object_unref(OBJECT(s->bus));
}

static void ocores_instance_finalize(Object *obj)
{
    memory_region_destroy(&OCORES(obj)->iomem);
}

/* The DEVICE_PROP_REGISTERS text (-d dev_regs). */
static bool ocores_get_registers(Object *obj, ObjectProperty *prop,
                                 PropValue *out, Error **errp)
{
    const OcoresState *s = OCORES(obj);
    (void)prop;
    if (asprintf(&out->s,
                 "prer=0x%04x ctr=0x%02x txr=0x%02x rxr=0x%02x sr=0x%02x",
                 s->prer, s->ctr, s->txr, s->rxr, ocores_status(s)) < 0) {
        out->s = NULL;
        error_setg(errp, "ocores: out of memory rendering the registers");
        return false;
    }
    return true;
}

static bool ocores_pre_save(void *opaque, Error **errp)
{
    OcoresState *s = opaque;
    (void)errp;
    i2c_bus_get_transfer(s->bus, &s->xfer);
    return true;
}

static bool ocores_post_load(void *opaque, int version_id, Error **errp)
{
    OcoresState *s = opaque;
    (void)version_id;
    if (!i2c_bus_set_transfer(s->bus, &s->xfer, errp)) {
        return false;
    }
    ocores_update_irq(s);
    return true;
}

/* Migration: the registers, the start waiting for its address byte and
 * the bus's transfer.  The interrupt output is not saved: it follows from
 * them, and the PLIC saves the level it last saw. */
static const VMStateField ocores_fields[] = {
    VMSTATE_UINT16(prer, OcoresState),
    VMSTATE_CHECKED(ctr, OcoresState, VMS_TYPE_UINT8,
                    OCORES_CTR_EN | OCORES_CTR_IEN, 0),
    VMSTATE_UINT8(txr, OcoresState),
    VMSTATE_UINT8(rxr, OcoresState),
    VMSTATE_CHECKED(sr, OcoresState, VMS_TYPE_UINT8,
                    OCORES_SR_RXACK | OCORES_SR_IF, 0),
    VMSTATE_BOOL(start_pending, OcoresState),
    VMSTATE_STRUCT(xfer, OcoresState, vmstate_i2c_transfer),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_ocores = {
    .name = "ocores",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ocores_fields,
    .pre_save = ocores_pre_save,
    .post_load = ocores_post_load,
};

static void ocores_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "OpenCores I2C master controller";
    dc->reset = ocores_reset;
    dc->vmsd = &vmstate_ocores;
    object_class_property_add(klass, DEVICE_PROP_REGISTERS, PROP_TYPE_STRING,
                              ocores_get_registers, NULL, NULL,
                              "guest-visible registers (read-only)");
}

static const TypeInfo ocores_info = {
    .name = TYPE_OCORES,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(OcoresState),
    .class_init = ocores_class_init,
    .instance_init = ocores_instance_init,
    .instance_finalize = ocores_instance_finalize,
};

/* Registered before main(); hw_dep links the device library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void ocores_register_types(void)
{
    type_register_static(&ocores_info);
}

/*
 * The I2C bus and the abstract target type: addressing, the transfer's
 * phase, and placing targets on a bus at realize.
 */
#include "i2c/i2c.h"

#include <stdlib.h>

#include "probes/i2c.h"
#include "util/log.h"

/* ---------------------------------------------------------------------- */
/* The bus                                                                 */

I2CBus *i2c_bus_new(Error **errp)
{
    Object *obj = object_new(TYPE_I2C_BUS, errp);
    return obj ? I2C_BUS(obj) : NULL;
}

I2CTarget *i2c_bus_find(const I2CBus *bus, uint8_t address)
{
    return address < I2C_NUM_ADDRS ? bus->targets[address] : NULL;
}

static I2CTarget *i2c_bus_current(const I2CBus *bus)
{
    switch (bus->xfer.phase) {
    case I2C_PHASE_WRITE:
    case I2C_PHASE_READ:
        return bus->targets[bus->xfer.address];
    default:
        return NULL;
    }
}

static bool i2c_target_event(I2CTarget *t, I2CEvent event)
{
    I2CTargetClass *tc = I2C_TARGET_GET_CLASS(t);
    return tc->event ? tc->event(t, event) : true;
}

bool i2c_bus_start(I2CBus *bus, uint8_t address, bool read)
{
    I2CTarget *t = i2c_bus_find(bus, address);
    /* A repeated start leaves the previous target without a stop, as on
     * the wire: it sees a start that is not for it. */
    bool ack = t && i2c_target_event(t, read ? I2C_EVENT_START_READ
                                             : I2C_EVENT_START_WRITE);
    bus->xfer.address = address & (I2C_NUM_ADDRS - 1);
    bus->xfer.phase = !ack   ? I2C_PHASE_NO_TARGET
                      : read ? I2C_PHASE_READ
                             : I2C_PHASE_WRITE;
    probe_i2c_start(bus, bus->xfer.address, read, ack);
    return ack;
}

bool i2c_bus_send(I2CBus *bus, uint8_t byte)
{
    bool ack = false;
    if (bus->xfer.phase == I2C_PHASE_WRITE) {
        I2CTarget *t = i2c_bus_current(bus);
        I2CTargetClass *tc = I2C_TARGET_GET_CLASS(t);
        ack = tc->send && tc->send(t, byte);
    }
    probe_i2c_send(bus, bus->xfer.address, byte, ack);
    return ack;
}

uint8_t i2c_bus_recv(I2CBus *bus)
{
    uint8_t byte = 0xff;
    if (bus->xfer.phase == I2C_PHASE_READ) {
        I2CTarget *t = i2c_bus_current(bus);
        I2CTargetClass *tc = I2C_TARGET_GET_CLASS(t);
        if (tc->recv) {
            byte = tc->recv(t);
        }
    }
    probe_i2c_recv(bus, bus->xfer.address, byte);
    return byte;
}

void i2c_bus_stop(I2CBus *bus)
{
    if (bus->xfer.phase == I2C_PHASE_IDLE) {
        return;
    }
    I2CTarget *t = i2c_bus_current(bus);
    uint8_t address = bus->xfer.address;
    bus->xfer.phase = I2C_PHASE_IDLE;
    bus->xfer.address = 0;
    if (t) {
        i2c_target_event(t, I2C_EVENT_STOP);
    }
    probe_i2c_stop(bus, address);
}

bool i2c_bus_busy(const I2CBus *bus)
{
    return bus->xfer.phase != I2C_PHASE_IDLE;
}

void i2c_bus_reset(I2CBus *bus)
{
    bus->xfer.phase = I2C_PHASE_IDLE;
    bus->xfer.address = 0;
}

void i2c_bus_get_transfer(const I2CBus *bus, I2CTransfer *out)
{
    *out = bus->xfer;
}

bool i2c_bus_set_transfer(I2CBus *bus, const I2CTransfer *xfer, Error **errp)
{
    if (xfer->address >= I2C_NUM_ADDRS) {
        error_setg(errp, "I2C transfer address 0x%02x is not a 7-bit address",
                   xfer->address);
        return false;
    }
    switch (xfer->phase) {
    case I2C_PHASE_IDLE:
        if (xfer->address != 0) {
            error_setg(errp, "an idle I2C bus has no transfer address (0x%02x)",
                       xfer->address);
            return false;
        }
        break;
    case I2C_PHASE_WRITE:
    case I2C_PHASE_READ:
        if (!bus->targets[xfer->address]) {
            error_setg(errp,
                       "the I2C transfer is addressed to 0x%02x, where this "
                       "machine has no target",
                       xfer->address);
            return false;
        }
        break;
    case I2C_PHASE_NO_TARGET:
        break;
    default:
        error_setg(errp, "I2C transfer phase %u does not exist", xfer->phase);
        return false;
    }
    bus->xfer = *xfer;
    return true;
}

static const VMStateField i2c_transfer_fields[] = {
    VMSTATE_CHECKED(phase, I2CTransfer, VMS_TYPE_UINT8, 0, I2C_PHASE_NO_TARGET),
    VMSTATE_CHECKED(address, I2CTransfer, VMS_TYPE_UINT8, 0, I2C_NUM_ADDRS - 1),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_i2c_transfer = {
    .name = "i2c-transfer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i2c_transfer_fields,
};

static const TypeInfo i2c_bus_info = {
    .name = TYPE_I2C_BUS,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(I2CBus),
};

/* ---------------------------------------------------------------------- */
/* Targets                                                                 */

static bool i2c_target_realize(DeviceState *dev, Error **errp)
{
    I2CTarget *t = I2C_TARGET(dev);
    I2CTargetClass *tc = I2C_TARGET_GET_CLASS(dev);
    const char *type = object_get_typename(OBJECT(dev));

    if (!t->bus) {
        error_setg(errp, "%s: no I2C bus (set its 'bus' link)", type);
        return false;
    }
    if (t->address >= I2C_NUM_ADDRS) {
        error_setg(errp, "%s: address 0x%02x is not a 7-bit I2C address", type,
                   t->address);
        return false;
    }
    if (t->address < I2C_ADDR_FIRST || t->address > I2C_ADDR_LAST) {
        error_setg(errp,
                   "%s: address 0x%02x is reserved by the I2C specification "
                   "(targets use 0x%02x..0x%02x)",
                   type, t->address, I2C_ADDR_FIRST, I2C_ADDR_LAST);
        return false;
    }
    I2CTarget *other = t->bus->targets[t->address];
    if (other) {
        char *path = object_get_canonical_path(OBJECT(other));
        error_setg(errp, "%s: address 0x%02x is taken by %s (%s)", type,
                   t->address, path ? path : "another target",
                   object_get_typename(OBJECT(other)));
        free(path);
        return false;
    }
    if (tc->realize && !tc->realize(dev, errp)) {
        return false;
    }
    t->bus->targets[t->address] = t;
    return true;
}

/* Leave the bus (a transfer addressed to the target ends with it). */
static void i2c_target_detach(I2CTarget *t)
{
    if (t->bus && t->address < I2C_NUM_ADDRS &&
        t->bus->targets[t->address] == t) {
        if (i2c_bus_current(t->bus) == t) {
            i2c_bus_reset(t->bus);
        }
        t->bus->targets[t->address] = NULL;
    }
}

static void i2c_target_unrealize(DeviceState *dev)
{
    I2CTargetClass *tc = I2C_TARGET_GET_CLASS(dev);
    i2c_target_detach(I2C_TARGET(dev));
    if (tc->unrealize) {
        tc->unrealize(dev);
    }
}

/* A target dropped without unrealize (the board's teardown) still leaves
 * its bus, before TYPE_DEVICE's finalize releases the bus link. */
static void i2c_target_instance_finalize(Object *obj)
{
    i2c_target_detach(I2C_TARGET(obj));
}

/* After the static properties' defaults: the address default is the
 * subtype's. */
static void i2c_target_instance_post_init(Object *obj)
{
    I2C_TARGET(obj)->address = I2C_TARGET_GET_CLASS(obj)->default_address;
}

static const Property i2c_target_props[] = {
    DEFINE_PROP_UINT8("address", I2CTarget, address, 0),
    DEFINE_PROP_LINK("bus", I2CTarget, bus, TYPE_I2C_BUS),
    DEFINE_PROP_END_OF_LIST(),
};

static void i2c_target_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;
    dc->realize = i2c_target_realize;
    dc->unrealize = i2c_target_unrealize;
    device_class_set_props(dc, i2c_target_props);
}

static const TypeInfo i2c_target_info = {
    .name = TYPE_I2C_TARGET,
    .parent = TYPE_DEVICE,
    .abstract = true,
    .instance_size = sizeof(I2CTarget),
    .class_size = sizeof(I2CTargetClass),
    .class_init = i2c_target_class_init,
    .instance_post_init = i2c_target_instance_post_init,
    .instance_finalize = i2c_target_instance_finalize,
};

__attribute__((constructor)) static void i2c_register_types(void)
{
    type_register_static(&i2c_bus_info);
    type_register_static(&i2c_target_info);
}

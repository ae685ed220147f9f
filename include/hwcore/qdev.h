/*
 * Devices: the lifecycle (create -> set properties -> realize -> reset ...
 * -> unrealize), static properties declared as a table of struct fields,
 * and named GPIO inputs/outputs.
 */
#ifndef RIVET_HWCORE_QDEV_H
#define RIVET_HWCORE_QDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hwcore/irq.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "util/error.h"

#define TYPE_DEVICE "device"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;

/* A static property: a field of the device's instance struct exposed as a
 * QOM property of the given type.  Writable only before realize. */
typedef struct Property {
    const char *name;
    PropType type;         /* BOOL, UINT8..UINT64, INT64, STRING, or LINK */
    size_t offset;         /* of the field in the instance struct */
    uint64_t defval;       /* bool and integers: default value */
    const char *defstr;    /* strings: default value (may be NULL) */
    const char *link_type; /* LINK: required type of the target */
    const char *description;
} Property;

#define DEFINE_PROP_BOOL(_name, _state, _field, _def)                          \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_BOOL,                               \
        .offset = offsetof(_state, _field), .defval = (_def)                   \
    }
#define DEFINE_PROP_UINT8(_name, _state, _field, _def)                         \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_UINT8,                              \
        .offset = offsetof(_state, _field), .defval = (_def)                   \
    }
#define DEFINE_PROP_UINT16(_name, _state, _field, _def)                        \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_UINT16,                             \
        .offset = offsetof(_state, _field), .defval = (_def)                   \
    }
#define DEFINE_PROP_UINT32(_name, _state, _field, _def)                        \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_UINT32,                             \
        .offset = offsetof(_state, _field), .defval = (_def)                   \
    }
#define DEFINE_PROP_UINT64(_name, _state, _field, _def)                        \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_UINT64,                             \
        .offset = offsetof(_state, _field), .defval = (_def)                   \
    }
#define DEFINE_PROP_STRING(_name, _state, _field)                              \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_STRING,                             \
        .offset = offsetof(_state, _field)                                     \
    }
/* A reference to another object (e.g. a chardev); _field is an Object *
 * (or pointer to a struct starting with Object). */
#define DEFINE_PROP_LINK(_name, _state, _field, _type)                         \
    {                                                                          \
        .name = (_name), .type = PROP_TYPE_LINK,                               \
        .offset = offsetof(_state, _field), .link_type = (_type)               \
    }
#define DEFINE_PROP_END_OF_LIST()                                              \
    {                                                                          \
        .name = NULL                                                           \
    }

typedef bool DeviceRealize(DeviceState *dev, Error **errp);
typedef void DeviceUnrealize(DeviceState *dev);
typedef void DeviceReset(DeviceState *dev);

struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    const Property *props; /* terminated by DEFINE_PROP_END_OF_LIST */
    DeviceRealize *realize;
    DeviceUnrealize *unrealize;
    DeviceReset *reset;
    /* What the device saves in a snapshot (migration/vmstate.h); the
     * section is named after vmsd->name, so twins share one name. */
    const VMStateDescription *vmsd;
};

#define DEVICE_MAX_GPIO 64

struct DeviceState {
    Object parent_obj;
    const char *id;
    bool realized;
    int num_gpio_in;
    IRQ gpio_in[DEVICE_MAX_GPIO];
    int num_gpio_out;
    IRQ *gpio_out[DEVICE_MAX_GPIO]; /* each points at a device field */
};

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_GET_CLASS(obj) OBJECT_GET_CLASS(DeviceClass, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(klass)                                                    \
    ((DeviceClass *)object_class_dynamic_cast(OBJECT_CLASS(klass), TYPE_DEVICE))

/* Install the static properties (with their defaults applied at instance
 * init) on a device class. */
void device_class_set_props(DeviceClass *dc, const Property *props);

/* Create a device of typename, with the -global defaults that apply to
 * it set; it still needs its properties set and device_realize().  A
 * -global value its property refuses fails the creation. */
DeviceState *qdev_new(const char *typename, Error **errp);

/* -global DRIVER.PROP=VALUE (QEMU's spelling): every device created
 * afterwards whose QOM type is DRIVER, or DRIVER-rust (the Rust
 * implementation of the device DRIVER names on the board), gets PROP set
 * to VALUE before it is realized.  Refused when the spec is malformed, no
 * device type is called DRIVER (or DRIVER-rust), or it has no property
 * PROP; errors start with "-global SPEC: ". */
bool qdev_global_add(const char *spec, Error **errp);
/* Applies the -global defaults to dev again (qdev_new already did): for a
 * board that sets a property itself between qdev_new and realize, so that
 * the user's -global still wins over the board's value. */
bool qdev_apply_globals(DeviceState *dev, Error **errp);
/* Calls the class realize; on success marks the device realized and resets
 * it.  On failure the device is left unrealized and unchanged. */
bool device_realize(DeviceState *dev, Error **errp);
/* Calls the class unrealize of a realized device.  Finalize does not (the
 * subclass state is gone by then): unrealize before the last unref when
 * realize must be undone. */
void device_unrealize(DeviceState *dev);
void device_reset(DeviceState *dev);
/* Reset every realized device under obj in the composition tree,
 * depth-first in child order. */
void device_reset_tree(Object *obj);

/* A device that shows its guest-visible registers (`-d dev_regs`, the twin
 * tests; docs/devices-rust.md) does it through this read-only STRING
 * property: space-separated NAME=VALUE items in a fixed order, values in
 * hex (0x...) or lists of them separated by commas.  Twins of one device
 * render the same text for the same state. */
#define DEVICE_PROP_REGISTERS "registers"

/* Write the registers property of every device under root, depth-first in
 * child order, to the log destination: one "PATH NAME=VALUE" line per
 * item.  Devices without the property are skipped. */
void qdev_log_registers(Object *root);

/* GPIO inputs: n lines, each calling handler(dev, index, level). */
void qdev_init_gpio_in(DeviceState *dev, IRQHandler *handler, int n);
IRQ qdev_get_gpio_in(DeviceState *dev, int n);
/* GPIO outputs: the device drives *pins[i]; connect them to inputs. */
void qdev_init_gpio_out(DeviceState *dev, IRQ *pins, int n);
void qdev_connect_gpio_out(DeviceState *dev, int n, IRQ input);

#endif /* RIVET_HWCORE_QDEV_H */

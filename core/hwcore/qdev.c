/*
 * Devices: the abstract TYPE_DEVICE with its lifecycle (realize, reset,
 * unrealize), static properties backed by instance-struct fields, and GPIO
 * input/output lines.
 */
#include "hwcore/qdev.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static void qdev_bug(const char *what, const DeviceState *dev)
{
    fprintf(stderr, "rivet: bug: %s (device type '%s')\n", what,
            object_get_typename(OBJECT(dev)));
    abort();
}

/* ---------------------------------------------------------------------- */
/* Static properties                                                       */

static void *prop_field(Object *obj, const Property *p)
{
    return (char *)obj + p->offset;
}

static void prop_store_uint(Object *obj, const Property *p, uint64_t v)
{
    void *field = prop_field(obj, p);
    switch (p->type) {
    case PROP_TYPE_UINT8:
        *(uint8_t *)field = (uint8_t)v;
        break;
    case PROP_TYPE_UINT16:
        *(uint16_t *)field = (uint16_t)v;
        break;
    case PROP_TYPE_UINT32:
        *(uint32_t *)field = (uint32_t)v;
        break;
    default:
        *(uint64_t *)field = v;
        break;
    }
}

static uint64_t prop_load_uint(Object *obj, const Property *p)
{
    void *field = prop_field(obj, p);
    switch (p->type) {
    case PROP_TYPE_UINT8:
        return *(uint8_t *)field;
    case PROP_TYPE_UINT16:
        return *(uint16_t *)field;
    case PROP_TYPE_UINT32:
        return *(uint32_t *)field;
    default:
        return *(uint64_t *)field;
    }
}

static bool qdev_prop_get(Object *obj, ObjectProperty *op, PropValue *out,
                          Error **errp)
{
    (void)errp;
    const Property *p = op->opaque;
    void *field = prop_field(obj, p);
    memset(out, 0, sizeof(*out));
    out->type = p->type;
    switch (p->type) {
    case PROP_TYPE_BOOL:
        out->b = *(bool *)field;
        break;
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        out->u = prop_load_uint(obj, p);
        break;
    case PROP_TYPE_INT64:
        out->i = *(int64_t *)field;
        break;
    case PROP_TYPE_STRING: {
        char *s = *(char **)field;
        out->s = s ? strdup(s) : NULL;
        break;
    }
    case PROP_TYPE_LINK:
        out->obj = *(Object **)field;
        break;
    }
    return true;
}

static void prop_set_string(Object *obj, const Property *p, const char *s)
{
    char **field = prop_field(obj, p);
    char *copy = s ? strdup(s) : NULL;
    free(*field);
    *field = copy;
}

/* Links hold a reference so the target outlives the device's use of it. */
static void prop_set_link(Object *obj, const Property *p, Object *target)
{
    Object **field = prop_field(obj, p);
    if (target) {
        object_ref(target);
    }
    if (*field) {
        object_unref(*field);
    }
    *field = target;
}

/* Write an already validated value into p's field. */
static void prop_store(Object *obj, const Property *p, const PropValue *v)
{
    switch (p->type) {
    case PROP_TYPE_BOOL:
        *(bool *)prop_field(obj, p) = v->b;
        break;
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        prop_store_uint(obj, p, v->u);
        break;
    case PROP_TYPE_INT64:
        *(int64_t *)prop_field(obj, p) = v->i;
        break;
    case PROP_TYPE_STRING:
        prop_set_string(obj, p, v->s);
        break;
    case PROP_TYPE_LINK:
        prop_set_link(obj, p, v->obj);
        break;
    }
}

static bool qdev_prop_set(Object *obj, ObjectProperty *op, const PropValue *in,
                          Error **errp)
{
    const Property *p = op->opaque;
    const char *type = object_get_typename(obj);
    DeviceState *dev = (DeviceState *)obj;

    if (dev->realized) {
        error_setg(errp, "Property '%s.%s' cannot be set after realize", type,
                   p->name);
        return false;
    }
    if (prop_type_is_unsigned(p->type) && in->u > prop_type_umax(p->type)) {
        error_setg(errp,
                   "Property '%s.%s' doesn't take value %" PRIu64
                   " (maximum %" PRIu64 ")",
                   type, p->name, in->u, prop_type_umax(p->type));
        return false;
    }
    if (p->type == PROP_TYPE_LINK && in->obj && p->link_type &&
        !object_dynamic_cast(in->obj, p->link_type)) {
        error_setg(errp,
                   "Property '%s.%s' needs an object of type '%s', "
                   "not '%s'",
                   type, p->name, p->link_type, object_get_typename(in->obj));
        return false;
    }
    prop_store(obj, p, in);
    return true;
}

void device_class_set_props(DeviceClass *dc, const Property *props)
{
    dc->props = props;
    for (const Property *p = props; p && p->name; p++) {
        ObjectProperty *op = object_class_property_add(
            OBJECT_CLASS(dc), p->name, p->type, qdev_prop_get, qdev_prop_set,
            (void *)p, p->description);
        op->link_type = p->link_type;
    }
}

/* Visit the static properties of obj's class and its ancestors: class
 * properties are kept per class, so each is seen once. */
static void foreach_static_prop(Object *obj,
                                void (*fn)(Object *obj, const Property *p))
{
    for (ObjectClass *klass = object_get_class(obj); klass;
         klass = object_class_get_parent(klass)) {
        for (ObjectProperty *op = klass->properties; op; op = op->next) {
            if (op->get == qdev_prop_get) {
                fn(obj, op->opaque);
            }
        }
    }
}

static void prop_apply_default(Object *obj, const Property *p)
{
    PropValue v = {
        .type = p->type,
        .b = p->defval != 0,
        .u = p->defval,
        .i = (int64_t)p->defval,
        .s = (char *)p->defstr, /* prop_store copies it */
        .obj = NULL,
    };
    prop_store(obj, p, &v);
}

static void prop_release(Object *obj, const Property *p)
{
    if (p->type == PROP_TYPE_STRING) {
        prop_set_string(obj, p, NULL);
    } else if (p->type == PROP_TYPE_LINK) {
        prop_set_link(obj, p, NULL);
    }
}

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                               */

/* After every instance_init of the chain, not in TYPE_DEVICE's own: a Rust
 * device initialises all its fields in its instance_init (pinned-init,
 * c-bridge/rivet-qom), property fields included, and the defaults must
 * land on top of that.  Subclasses' instance_post_init see them. */
static void device_instance_post_init(Object *obj)
{
    foreach_static_prop(obj, prop_apply_default);
}

static void device_instance_finalize(Object *obj)
{
    DeviceState *dev = (DeviceState *)obj;
    /* Not device_unrealize(): the subclass finalizers have already run, so
     * its unrealize would see torn-down state.  Owners unrealize first. */
    dev->realized = false;
    for (int i = 0; i < dev->num_gpio_in; i++) {
        irq_free(dev->gpio_in[i]);
        dev->gpio_in[i] = NULL;
    }
    dev->num_gpio_in = 0;
    foreach_static_prop(obj, prop_release);
}

/* The -global defaults, in the order given (a later one for the same
 * property wins, being applied last).  Kept until exit. */
typedef struct QdevGlobal {
    char *spec; /* as given, for messages */
    char *driver;
    char *prop;
    char *value;
} QdevGlobal;

static QdevGlobal *qdev_globals;
static size_t qdev_num_globals;

/* Whether a -global for driver applies to a device of QOM type type. */
static bool qdev_global_matches(const char *driver, const char *type)
{
    size_t n = strlen(driver);
    return strncmp(type, driver, n) == 0 &&
           (type[n] == '\0' || strcmp(type + n, "-rust") == 0);
}

static bool qdev_class_has_property(ObjectClass *klass, const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        for (ObjectProperty *op = klass->properties; op; op = op->next) {
            if (strcmp(op->name, name) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* The device class a -global driver names, trying DRIVER then
 * DRIVER-rust. */
static ObjectClass *qdev_global_class(const char *driver)
{
    char rust[256];
    ObjectClass *klass = object_class_by_name(driver);
    if (!klass &&
        snprintf(rust, sizeof(rust), "%s-rust", driver) < (int)sizeof(rust)) {
        klass = object_class_by_name(rust);
    }
    return klass && object_class_dynamic_cast(klass, TYPE_DEVICE) ? klass
                                                                  : NULL;
}

bool qdev_global_add(const char *spec, Error **errp)
{
    const char *dot = strchr(spec, '.');
    const char *eq = dot ? strchr(dot, '=') : NULL;
    if (!dot || dot == spec || !eq || eq == dot + 1) {
        error_setg(errp, "-global %s: expected DRIVER.PROP=VALUE", spec);
        return false;
    }
    QdevGlobal g = {
        .spec = strdup(spec),
        .driver = strndup(spec, (size_t)(dot - spec)),
        .prop = strndup(dot + 1, (size_t)(eq - dot - 1)),
        .value = strdup(eq + 1),
    };
    ObjectClass *klass = qdev_global_class(g.driver);
    bool ok = false;
    if (!klass) {
        error_setg(errp, "-global %s: no device type '%s'", spec, g.driver);
    } else if (!qdev_class_has_property(klass, g.prop)) {
        error_setg(errp, "-global %s: %s has no property '%s'", spec,
                   object_class_get_name(klass), g.prop);
    } else {
        QdevGlobal *grown = realloc(qdev_globals, (qdev_num_globals + 1) *
                                                      sizeof(*qdev_globals));
        if (!grown) {
            error_setg(errp, "-global %s: out of memory", spec);
        } else {
            qdev_globals = grown;
            qdev_globals[qdev_num_globals++] = g;
            ok = true;
        }
    }
    if (!ok) {
        free(g.spec);
        free(g.driver);
        free(g.prop);
        free(g.value);
    }
    return ok;
}

bool qdev_apply_globals(DeviceState *dev, Error **errp)
{
    Object *obj = OBJECT(dev);
    const char *type = object_get_typename(obj);
    for (size_t i = 0; i < qdev_num_globals; i++) {
        const QdevGlobal *g = &qdev_globals[i];
        if (!qdev_global_matches(g->driver, type)) {
            continue;
        }
        Error *local = NULL;
        if (!object_property_parse(obj, g->prop, g->value, &local)) {
            error_setg(errp, "-global %s: %s", g->spec,
                       error_get_message(local));
            error_free(local);
            return false;
        }
    }
    return true;
}

DeviceState *qdev_new(const char *typename, Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);
    if (klass && !object_class_dynamic_cast(klass, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a device type", typename);
        return NULL;
    }
    Object *obj = object_new(typename, errp);
    if (obj && !qdev_apply_globals((DeviceState *)obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    return obj ? (DeviceState *)obj : NULL;
}

bool device_realize(DeviceState *dev, Error **errp)
{
    if (dev->realized) {
        return true;
    }
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->realize && !dc->realize(dev, errp)) {
        return false;
    }
    dev->realized = true;
    device_reset(dev);
    return true;
}

void device_unrealize(DeviceState *dev)
{
    if (!dev->realized) {
        return;
    }
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
}

void device_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->reset) {
        dc->reset(dev);
    }
}

void device_reset_tree(Object *obj)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    if (dev && dev->realized) {
        device_reset(dev);
    }
    for (Object *child = obj->children; child; child = child->sibling) {
        device_reset_tree(child);
    }
}

static void qdev_log_object_registers(Object *obj)
{
    if (!object_dynamic_cast(obj, TYPE_DEVICE) ||
        !object_property_find(obj, DEVICE_PROP_REGISTERS)) {
        return;
    }
    Error *err = NULL;
    char *text = object_property_get_str(obj, DEVICE_PROP_REGISTERS, &err);
    char *path = object_get_canonical_path(obj);
    if (!text) {
        log_printf("%s: %s\n", path ? path : "?", error_get_message(err));
        error_free(err);
        free(path);
        return;
    }
    char *save = NULL;
    for (char *item = strtok_r(text, " ", &save); item;
         item = strtok_r(NULL, " ", &save)) {
        log_printf("%s %s\n", path ? path : "?", item);
    }
    free(path);
    free(text);
}

void qdev_log_registers(Object *root)
{
    qdev_log_object_registers(root);
    for (Object *child = root->children; child; child = child->sibling) {
        qdev_log_registers(child);
    }
}

/* ---------------------------------------------------------------------- */
/* GPIO                                                                    */

void qdev_init_gpio_in(DeviceState *dev, IRQHandler *handler, int n)
{
    if (n < 0 || dev->num_gpio_in + n > DEVICE_MAX_GPIO) {
        qdev_bug("too many GPIO inputs", dev);
    }
    for (int i = 0; i < n; i++) {
        int index = dev->num_gpio_in++;
        dev->gpio_in[index] = irq_new(handler, dev, index);
    }
}

IRQ qdev_get_gpio_in(DeviceState *dev, int n)
{
    if (n < 0 || n >= dev->num_gpio_in) {
        qdev_bug("GPIO input index out of range", dev);
    }
    return dev->gpio_in[n];
}

void qdev_init_gpio_out(DeviceState *dev, IRQ *pins, int n)
{
    if (n < 0 || dev->num_gpio_out + n > DEVICE_MAX_GPIO) {
        qdev_bug("too many GPIO outputs", dev);
    }
    for (int i = 0; i < n; i++) {
        dev->gpio_out[dev->num_gpio_out++] = &pins[i];
    }
}

void qdev_connect_gpio_out(DeviceState *dev, int n, IRQ input)
{
    if (n < 0 || n >= dev->num_gpio_out) {
        qdev_bug("GPIO output index out of range", dev);
    }
    *dev->gpio_out[n] = input;
}

/* ---------------------------------------------------------------------- */

static const TypeInfo device_type = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(DeviceState),
    .class_size = sizeof(DeviceClass),
    .abstract = true,
    .instance_post_init = device_instance_post_init,
    .instance_finalize = device_instance_finalize,
};

/* Registered before main() so device types can name it as their parent
 * whenever they are first used. */
__attribute__((constructor)) static void device_register_types(void)
{
    type_register_static(&device_type);
}

/*
 * qom-list and qom-set, in C (qom-get is Rust's: crates/rivet-qmp).
 * qom-list: the properties of an object of the QOM tree, its children
 * first as "child<TYPE>" (QEMU lists children as properties, rivet keeps
 * them apart), then its properties with their types ("link<TYPE>" for a
 * link).  Paths are absolute ("/machine/..."); a path that names nothing
 * is a DeviceNotFound error, as in QEMU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qapi-commands-qom.h"
#include "qom/object.h"

typedef struct ListBuilder {
    ObjectPropertyInfoList *head, **tail;
} ListBuilder;

static char *checked_strdup(const char *s)
{
    char *copy = strdup(s);
    if (!copy) {
        qapi_out_of_memory();
    }
    return copy;
}

static void add_info(ListBuilder *b, const char *name, char *type,
                     const char *description)
{
    ObjectPropertyInfoList *item = calloc(1, sizeof(*item));
    ObjectPropertyInfo *info = calloc(1, sizeof(*info));
    if (!item || !info) {
        qapi_out_of_memory();
    }
    info->name = checked_strdup(name);
    info->type = type;
    info->description = description ? checked_strdup(description) : NULL;
    item->value = info;
    *b->tail = item;
    b->tail = &item->next;
}

static char *type_of(const char *kind, const char *type)
{
    char *out = NULL;
    if (asprintf(&out, "%s<%s>", kind, type) < 0) {
        qapi_out_of_memory();
    }
    return out;
}

static bool add_property(Object *obj, ObjectProperty *prop, void *opaque)
{
    (void)obj;
    char *type =
        prop->type == PROP_TYPE_LINK
            ? type_of("link", prop->link_type ? prop->link_type : "object")
            : checked_strdup(prop_type_name(prop->type));
    add_info(opaque, prop->name, type, prop->description);
    return true;
}

static Object *resolve_or_error(const char *path, Error **errp)
{
    Object *obj = object_resolve_path(path);
    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  path);
    }
    return obj;
}

ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
    Object *obj = resolve_or_error(path, errp);
    if (!obj) {
        return NULL;
    }
    ListBuilder b = {.head = NULL, .tail = &b.head};
    for (Object *child = obj->children; child; child = child->sibling) {
        add_info(&b, child->name, type_of("child", object_get_typename(child)),
                 NULL);
    }
    object_property_foreach(obj, add_property, &b);
    return b.head;
}

/* value read as the property's type, with QEMU's messages naming the
 * property as QEMU's visitor does ("Invalid parameter type for 'in2',
 * expected: integer", "Parameter 'in2' expects uint8").  A link takes an
 * absolute path, "" for none. */
static bool value_for_property(ObjectProperty *prop, QObject *value,
                               PropValue *out, Error **errp)
{
    const char *name = prop->name;
    memset(out, 0, sizeof(*out));
    out->type = prop->type;
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return qapi_in_bool(value, name, &out->b, errp);
    case PROP_TYPE_UINT8: {
        uint8_t v;
        bool ok = qapi_in_uint8(value, name, &v, errp);
        out->u = v;
        return ok;
    }
    case PROP_TYPE_UINT16: {
        uint16_t v;
        bool ok = qapi_in_uint16(value, name, &v, errp);
        out->u = v;
        return ok;
    }
    case PROP_TYPE_UINT32: {
        uint32_t v;
        bool ok = qapi_in_uint32(value, name, &v, errp);
        out->u = v;
        return ok;
    }
    case PROP_TYPE_UINT64:
        return qapi_in_uint64(value, name, &out->u, errp);
    case PROP_TYPE_INT64:
        return qapi_in_int64(value, name, &out->i, errp);
    case PROP_TYPE_STRING:
        /* Borrowed: object_property_set copies what it keeps. */
        if (!qobject_to_qstring(value)) {
            qapi_error_type(name, "string", errp);
            return false;
        }
        out->s = (char *)qstring_get_str(qobject_to_qstring(value));
        return true;
    case PROP_TYPE_LINK: {
        QString *path = qobject_to_qstring(value);
        if (!path) {
            qapi_error_type(name, "string", errp);
            return false;
        }
        if (*qstring_get_str(path)) {
            out->obj = resolve_or_error(qstring_get_str(path), errp);
            return out->obj != NULL;
        }
        return true;
    }
    }
    qapi_error_type(name, prop_type_name(prop->type), errp);
    return false;
}

void qmp_qom_set(const char *path, const char *property, QObject *value,
                 Error **errp)
{
    Object *obj = resolve_or_error(path, errp);
    if (!obj) {
        return;
    }
    ObjectProperty *prop = object_property_find_err(obj, property, errp);
    if (!prop) {
        return;
    }
    PropValue in = {.type = prop->type};
    /* A read-only property says so before its value is looked at. */
    if (prop->set && !value_for_property(prop, value, &in, errp)) {
        return;
    }
    object_property_set(obj, property, &in, errp);
}

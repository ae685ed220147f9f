/*
 * qom-list, in C: the properties of an object of the QOM tree, its
 * children first as "child<TYPE>" (QEMU lists children as properties,
 * rivet keeps them apart), then its properties with their types
 * ("link<TYPE>" for a link).  Paths are absolute ("/machine/...").
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

ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
    Object *obj = object_resolve_path(path);
    if (!obj) {
        error_setg(errp, "Device '%s' not found", path);
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

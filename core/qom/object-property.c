/*
 * Object properties: registration on classes and instances, lookup along
 * the class chain, typed get/set with conversion and range checks, and the
 * text form used on the command line (parse) and for display (print).
 *
 * Setters only ever see a value of their own property type that is already
 * in range, so each device setter stays a plain field store.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qom-internal.h"
#include "qom/object.h"
#include "util/number.h"

static char *xstrdup(const char *s)
{
    if (!s) {
        return NULL;
    }
    char *copy = strdup(s);
    if (!copy) {
        fputs("rivet: out of memory\n", stderr);
        abort();
    }
    return copy;
}

const char *prop_type_name(PropType type)
{
    switch (type) {
    case PROP_TYPE_BOOL:
        return "bool";
    case PROP_TYPE_UINT8:
        return "uint8";
    case PROP_TYPE_UINT16:
        return "uint16";
    case PROP_TYPE_UINT32:
        return "uint32";
    case PROP_TYPE_UINT64:
        return "uint64";
    case PROP_TYPE_INT64:
        return "int64";
    case PROP_TYPE_STRING:
        return "string";
    case PROP_TYPE_LINK:
        return "link";
    }
    return "unknown";
}

void prop_value_clear(PropValue *v)
{
    if (!v) {
        return;
    }
    free(v->s);
    PropType type = v->type;
    memset(v, 0, sizeof(*v));
    v->type = type;
}

bool prop_type_is_unsigned(PropType type)
{
    return type == PROP_TYPE_UINT8 || type == PROP_TYPE_UINT16 ||
           type == PROP_TYPE_UINT32 || type == PROP_TYPE_UINT64;
}

uint64_t prop_type_umax(PropType type)
{
    switch (type) {
    case PROP_TYPE_UINT8:
        return UINT8_MAX;
    case PROP_TYPE_UINT16:
        return UINT16_MAX;
    case PROP_TYPE_UINT32:
        return UINT32_MAX;
    default:
        return UINT64_MAX;
    }
}

/* --- Registration and lookup --- */

static ObjectProperty *find_in_list(ObjectProperty *list, const char *name)
{
    for (ObjectProperty *p = list; p; p = p->next) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

static ObjectProperty *class_chain_find(ObjectClass *klass, const char *name)
{
    for (ObjectClass *k = klass; k; k = object_class_get_parent(k)) {
        ObjectProperty *p = find_in_list(k->properties, name);
        if (p) {
            return p;
        }
    }
    return NULL;
}

static ObjectProperty *property_new(const char *name, PropType type,
                                    PropGetter *get, PropSetter *set,
                                    PropRelease *release, void *opaque,
                                    const char *description)
{
    ObjectProperty *prop = calloc(1, sizeof(*prop));
    if (!prop) {
        fputs("rivet: out of memory\n", stderr);
        abort();
    }
    prop->name = xstrdup(name);
    prop->description = xstrdup(description);
    prop->type = type;
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    return prop;
}

/* Appending keeps listings in definition order. */
static void property_append(ObjectProperty **list, ObjectProperty *prop)
{
    while (*list) {
        list = &(*list)->next;
    }
    *list = prop;
}

/* A duplicate class property is a mistake in a type definition, not a
 * runtime condition: report where and stop. */
static void duplicate_property(const char *typename, const char *name)
{
    fprintf(stderr, "rivet: bug: property '%s.%s' defined twice\n", typename,
            name);
    abort();
}

ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          PropType type, PropGetter *get,
                                          PropSetter *set, void *opaque,
                                          const char *description)
{
    if (class_chain_find(klass, name)) {
        duplicate_property(object_class_get_name(klass), name);
    }
    ObjectProperty *prop =
        property_new(name, type, get, set, NULL, opaque, description);
    property_append(&klass->properties, prop);
    return prop;
}

bool object_name_is_free(Object *obj, const char *name, Error **errp)
{
    if (object_property_find(obj, name) || object_child(obj, name)) {
        error_setg(errp,
                   "attempt to add duplicate property '%s' to object (type "
                   "'%s')",
                   name, object_get_typename(obj));
        return false;
    }
    return true;
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        PropType type, PropGetter *get,
                                        PropSetter *set, PropRelease *release,
                                        void *opaque, const char *description,
                                        Error **errp)
{
    if (!object_name_is_free(obj, name, errp)) {
        return NULL;
    }
    ObjectProperty *prop =
        property_new(name, type, get, set, release, opaque, description);
    property_append(&obj->properties, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    PropType type, PropGetter *get,
                                    PropSetter *set, PropRelease *release,
                                    void *opaque, const char *description)
{
    Error *err = NULL;
    ObjectProperty *prop = object_property_try_add(
        obj, name, type, get, set, release, opaque, description, &err);
    if (!prop) {
        fprintf(stderr, "rivet: bug: %s\n", error_get_message(err));
        abort();
    }
    return prop;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    if (!obj || !name) {
        return NULL;
    }
    ObjectProperty *prop = find_in_list(obj->properties, name);
    return prop ? prop : class_chain_find(obj->klass, name);
}

void object_property_foreach(Object *obj,
                             bool (*fn)(Object *obj, ObjectProperty *prop,
                                        void *opaque),
                             void *opaque)
{
    for (ObjectProperty *p = obj->properties; p; p = p->next) {
        if (!fn(obj, p, opaque)) {
            return;
        }
    }
    for (ObjectClass *k = obj->klass; k; k = object_class_get_parent(k)) {
        for (ObjectProperty *p = k->properties; p; p = p->next) {
            if (!fn(obj, p, opaque)) {
                return;
            }
        }
    }
}

void object_property_release_all(Object *obj)
{
    while (obj->properties) {
        ObjectProperty *prop = obj->properties;
        obj->properties = prop->next;
        if (prop->release) {
            prop->release(obj, prop);
        }
        free(prop->name);
        free(prop->description);
        free(prop);
    }
}

/* --- Generic get/set --- */

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);
    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found", object_get_typename(obj),
                   name);
    }
    return prop;
}

static void range_error(Object *obj, ObjectProperty *prop,
                        const char *value_text, Error **errp)
{
    if (prop->type == PROP_TYPE_INT64) {
        error_setg(errp,
                   "Property '%s.%s' doesn't take value %s (minimum: %" PRId64
                   ", maximum: %" PRId64 ")",
                   object_get_typename(obj), prop->name, value_text, INT64_MIN,
                   INT64_MAX);
    } else {
        error_setg(errp,
                   "Property '%s.%s' doesn't take value %s (minimum: 0, "
                   "maximum: %" PRIu64 ")",
                   object_get_typename(obj), prop->name, value_text,
                   prop_type_umax(prop->type));
    }
}

static void type_mismatch(Object *obj, ObjectProperty *prop, PropType given,
                          Error **errp)
{
    error_setg(errp, "Property '%s.%s' has type %s, not %s",
               object_get_typename(obj), prop->name, prop_type_name(prop->type),
               prop_type_name(given));
}

/* Convert in to prop's own type, checking its range.  Strings in *out are
 * borrowed from in, not copied. */
static bool convert_for_set(Object *obj, ObjectProperty *prop,
                            const PropValue *in, PropValue *out, Error **errp)
{
    char text[32];
    memset(out, 0, sizeof(*out));
    out->type = prop->type;

    if (prop_type_is_unsigned(prop->type)) {
        uint64_t value;
        if (prop_type_is_unsigned(in->type)) {
            value = in->u;
        } else if (in->type == PROP_TYPE_INT64) {
            if (in->i < 0) {
                snprintf(text, sizeof(text), "%" PRId64, in->i);
                range_error(obj, prop, text, errp);
                return false;
            }
            value = (uint64_t)in->i;
        } else {
            type_mismatch(obj, prop, in->type, errp);
            return false;
        }
        if (value > prop_type_umax(prop->type)) {
            snprintf(text, sizeof(text), "%" PRIu64, value);
            range_error(obj, prop, text, errp);
            return false;
        }
        out->u = value;
        return true;
    }

    switch (prop->type) {
    case PROP_TYPE_BOOL:
        if (in->type != PROP_TYPE_BOOL) {
            type_mismatch(obj, prop, in->type, errp);
            return false;
        }
        out->b = in->b;
        return true;
    case PROP_TYPE_INT64:
        if (in->type == PROP_TYPE_INT64) {
            out->i = in->i;
            return true;
        }
        if (!prop_type_is_unsigned(in->type)) {
            type_mismatch(obj, prop, in->type, errp);
            return false;
        }
        if (in->u > (uint64_t)INT64_MAX) {
            snprintf(text, sizeof(text), "%" PRIu64, in->u);
            range_error(obj, prop, text, errp);
            return false;
        }
        out->i = (int64_t)in->u;
        return true;
    case PROP_TYPE_STRING:
        if (in->type != PROP_TYPE_STRING) {
            type_mismatch(obj, prop, in->type, errp);
            return false;
        }
        out->s = in->s;
        return true;
    case PROP_TYPE_LINK:
        if (in->type != PROP_TYPE_LINK) {
            type_mismatch(obj, prop, in->type, errp);
            return false;
        }
        if (in->obj && prop->link_type &&
            !object_dynamic_cast(in->obj, prop->link_type)) {
            error_setg(errp,
                       "Property '%s.%s' expects a '%s' object, got a "
                       "'%s'",
                       object_get_typename(obj), prop->name, prop->link_type,
                       object_get_typename(in->obj));
            return false;
        }
        out->obj = in->obj;
        return true;
    default:
        break;
    }
    type_mismatch(obj, prop, in->type, errp);
    return false;
}

bool object_property_get(Object *obj, const char *name, PropValue *out,
                         Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    if (!prop) {
        return false;
    }
    if (!prop->get) {
        error_setg(errp, "Property '%s.%s' is write-only",
                   object_get_typename(obj), name);
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->type = prop->type;
    return prop->get(obj, prop, out, errp);
}

bool object_property_set(Object *obj, const char *name, const PropValue *in,
                         Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Property '%s.%s' is read-only",
                   object_get_typename(obj), name);
        return false;
    }
    PropValue converted;
    if (!convert_for_set(obj, prop, in, &converted, errp)) {
        return false;
    }
    return prop->set(obj, prop, &converted, errp);
}

/* --- Typed conveniences --- */

/* Fetch the value and check it can be seen as the wanted type. */
static bool get_as(Object *obj, const char *name, PropType wanted,
                   PropValue *out, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    if (!prop) {
        return false;
    }
    bool compatible = prop->type == wanted;
    if (prop_type_is_unsigned(wanted) || wanted == PROP_TYPE_INT64) {
        compatible =
            prop_type_is_unsigned(prop->type) || prop->type == PROP_TYPE_INT64;
    }
    if (!compatible) {
        error_setg(errp, "Property '%s.%s' has type %s, not %s",
                   object_get_typename(obj), name, prop_type_name(prop->type),
                   prop_type_name(wanted));
        return false;
    }
    return object_property_get(obj, name, out, errp);
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    if (!get_as(obj, name, PROP_TYPE_BOOL, &v, errp)) {
        return false;
    }
    return v.b;
}

uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    if (!get_as(obj, name, PROP_TYPE_UINT64, &v, errp)) {
        return 0;
    }
    if (v.type == PROP_TYPE_INT64) {
        if (v.i < 0) {
            error_setg(errp,
                       "Property '%s.%s' is negative (%" PRId64
                       "), not an unsigned value",
                       object_get_typename(obj), name, v.i);
            return 0;
        }
        return (uint64_t)v.i;
    }
    return v.u;
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    if (!get_as(obj, name, PROP_TYPE_INT64, &v, errp)) {
        return 0;
    }
    if (v.type != PROP_TYPE_INT64) {
        if (v.u > (uint64_t)INT64_MAX) {
            error_setg(errp,
                       "Property '%s.%s' value %" PRIu64
                       " does not fit in int64",
                       object_get_typename(obj), name, v.u);
            return 0;
        }
        return (int64_t)v.u;
    }
    return v.i;
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    if (!get_as(obj, name, PROP_TYPE_STRING, &v, errp)) {
        return NULL;
    }
    return v.s; /* ownership passes to the caller */
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    PropValue v = {.type = PROP_TYPE_BOOL, .b = value};
    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    PropValue v = {.type = PROP_TYPE_UINT64, .u = value};
    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp)
{
    PropValue v = {.type = PROP_TYPE_INT64, .i = value};
    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_str(Object *obj, const char *name, const char *value,
                             Error **errp)
{
    /* The setter copies what it keeps; the cast only fits PropValue. */
    PropValue v = {.type = PROP_TYPE_STRING, .s = (char *)value};
    return object_property_set(obj, name, &v, errp);
}

bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp)
{
    PropValue v = {.type = PROP_TYPE_LINK, .obj = value};
    return object_property_set(obj, name, &v, errp);
}

/* --- Text form --- */

/* Exactly what the messages and the docs say: on or off. */
static bool parse_bool(const char *text, bool *out)
{
    if (strcmp(text, "on") == 0 || strcmp(text, "off") == 0) {
        *out = text[1] == 'n';
        return true;
    }
    return false;
}

/* Plain numbers only (util/number.h): decimal or 0x hex, an optional '-'
 * when negative is allowed; no octal, no size suffixes, no surrounding
 * blanks.  Sets *overflow when the digits are valid but exceed 64 bits. */
static bool parse_number(const char *text, bool allow_negative, bool *negative,
                         uint64_t *magnitude, bool *overflow)
{
    *negative = allow_negative && text[0] == '-';
    NumberParse r = parse_uint64(text + *negative, true, NULL, magnitude);
    *overflow = r == NUMBER_TOO_LARGE;
    return r != NUMBER_INVALID;
}

bool object_property_parse(Object *obj, const char *name, const char *text,
                           Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    if (!prop) {
        return false;
    }
    if (!text) {
        text = "";
    }

    switch (prop->type) {
    case PROP_TYPE_BOOL: {
        bool value;
        if (!parse_bool(text, &value)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off', got '%s'",
                       name, text);
            return false;
        }
        return object_property_set_bool(obj, name, value, errp);
    }
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
    case PROP_TYPE_INT64: {
        bool is_signed = prop->type == PROP_TYPE_INT64;
        bool negative, overflow;
        uint64_t magnitude;
        if (!parse_number(text, is_signed, &negative, &magnitude, &overflow)) {
            error_setg(errp, "Parameter '%s' expects a number, got '%s'", name,
                       text);
            return false;
        }
        if (overflow ||
            (is_signed && !negative && magnitude > (uint64_t)INT64_MAX) ||
            (is_signed && negative && magnitude > (uint64_t)INT64_MAX + 1)) {
            range_error(obj, prop, text, errp);
            return false;
        }
        if (is_signed) {
            /* -(INT64_MIN) does not fit; negate in unsigned arithmetic. */
            int64_t value =
                negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
            return object_property_set_int(obj, name, value, errp);
        }
        return object_property_set_uint(obj, name, magnitude, errp);
    }
    case PROP_TYPE_STRING:
        return object_property_set_str(obj, name, text, errp);
    case PROP_TYPE_LINK: {
        Object *target = NULL;
        if (*text) {
            target = object_resolve_path(text);
            if (!target) {
                error_setg(errp,
                           "Parameter '%s' expects the path of an object, "
                           "but nothing is at '%s'",
                           name, text);
                return false;
            }
        }
        return object_property_set_link(obj, name, target, errp);
    }
    }
    error_setg(errp, "Parameter '%s' has a type that cannot be parsed", name);
    return false;
}

char *object_property_print(Object *obj, const char *name, Error **errp)
{
    PropValue v;
    if (!object_property_get(obj, name, &v, errp)) {
        return NULL;
    }
    char *text = NULL;
    switch (v.type) {
    case PROP_TYPE_BOOL:
        text = xstrdup(v.b ? "on" : "off");
        break;
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        if (asprintf(&text, "%" PRIu64, v.u) < 0) {
            text = NULL;
        }
        break;
    case PROP_TYPE_INT64:
        if (asprintf(&text, "%" PRId64, v.i) < 0) {
            text = NULL;
        }
        break;
    case PROP_TYPE_STRING:
        text = xstrdup(v.s ? v.s : "");
        break;
    case PROP_TYPE_LINK:
        text = v.obj ? object_get_canonical_path(v.obj) : NULL;
        if (!text) {
            /* Unset, or a target outside the tree: no path to show. */
            text = xstrdup("");
        }
        break;
    }
    prop_value_clear(&v);
    if (!text) {
        error_setg(errp, "out of memory printing property '%s'", name);
    }
    return text;
}

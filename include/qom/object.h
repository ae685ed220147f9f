/*
 * The object model: named types with single inheritance, per-type classes
 * initialised once, instances with init/finalize hooks, reference counts,
 * a tree of named children (paths such as /machine/uart0) and typed
 * properties that can be listed, read and written by name.
 *
 * Layout rule (what makes casts work, and what bindgen mirrors): an instance
 * struct begins with its parent's instance struct, a class struct with its
 * parent's class struct.
 */
#ifndef RIVET_QOM_OBJECT_H
#define RIVET_QOM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define TYPE_OBJECT "object"
/* A plain node of the composition tree ("/", "/machine", "/chardevs"). */
#define TYPE_CONTAINER "container"

typedef struct TypeImpl TypeImpl;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct ObjectProperty ObjectProperty;

typedef enum PropType {
    PROP_TYPE_BOOL,
    PROP_TYPE_UINT8,
    PROP_TYPE_UINT16,
    PROP_TYPE_UINT32,
    PROP_TYPE_UINT64,
    PROP_TYPE_INT64,
    PROP_TYPE_STRING,
    PROP_TYPE_LINK, /* a reference to another object, by path */
} PropType;

/* A property value.  Strings are owned by whoever holds the PropValue and
 * released with prop_value_clear(). */
typedef struct PropValue {
    PropType type;
    bool b;
    uint64_t u;
    int64_t i;
    char *s;
    Object *obj;
} PropValue;

typedef bool PropGetter(Object *obj, ObjectProperty *prop, PropValue *out,
                        Error **errp);
typedef bool PropSetter(Object *obj, ObjectProperty *prop, const PropValue *in,
                        Error **errp);
typedef void PropRelease(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *description;
    PropType type;
    PropGetter *get; /* NULL: write-only */
    PropSetter *set; /* NULL: read-only */
    PropRelease *release;
    void *opaque;
    ObjectProperty *next;
    /* LINK: type the target must be (or derive from); NULL accepts any.
     * Set it on the property returned by the *_property_add call. */
    const char *link_type;
};

typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size; /* 0: same as parent */
    size_t class_size;    /* 0: same as parent */
    bool abstract;
    void (*class_init)(ObjectClass *klass, const void *class_data);
    const void *class_data;
    void (*instance_init)(Object *obj);
    /* After instance_init of every type in the chain has run. */
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
} TypeInfo;

struct ObjectClass {
    TypeImpl *type;
    ObjectProperty *properties; /* class properties, apply to every instance */
};

struct Object {
    ObjectClass *klass;
    uint32_t refcount;
    Object *parent;             /* in the composition tree, NULL if detached */
    char *name;                 /* child name under parent, NULL if detached */
    Object *children;           /* first child */
    Object *sibling;            /* next child of parent */
    ObjectProperty *properties; /* instance properties */
    /* object_new allocated it: freed on the last unref. */
    bool owns_memory;
};

/* Register a type; info must stay valid for the program's lifetime.  Types
 * may be registered in any order; parents are resolved on first use. */
void type_register_static(const TypeInfo *info);
/* Register every entry of an array. */
void type_register_static_array(const TypeInfo *infos, int n);

ObjectClass *object_class_by_name(const char *typename);
const char *object_class_get_name(const ObjectClass *klass);
ObjectClass *object_class_get_parent(const ObjectClass *klass);
bool object_class_is_abstract(const ObjectClass *klass);
/* klass if it is typename or derives from it, else NULL. */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
/* Call fn for every type that is or derives from implements_type (every
 * type when NULL), abstract ones only when include_abstract (QEMU's
 * signature). */
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque);

/* Create an instance with refcount 1.  Fails for unknown/abstract types. */
Object *object_new(const char *typename, Error **errp);
/* Initialise an instance embedded in caller storage of at least size bytes
 * (refcount 1; finalize runs on the last unref but the memory is not freed). */
bool object_initialize(void *storage, size_t size, const char *typename,
                       Error **errp);

Object *object_ref(Object *obj);
/* Drop a reference; at zero, finalizers run (most derived first), children
 * are unparented and the memory is freed. */
void object_unref(Object *obj);

const char *object_get_typename(const Object *obj);
ObjectClass *object_get_class(const Object *obj);
/* The bytes the object's type takes: everything it embeds lies in
 * [obj, obj + size). */
size_t object_instance_size(const Object *obj);
/* obj if it is typename or derives from it, else NULL. */
Object *object_dynamic_cast(Object *obj, const char *typename);
/* Like object_dynamic_cast but aborts with a message on mismatch (a bug). */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))
/* Checked downcasts for C callers. */
#define OBJECT_CHECK(type, obj, name)                                          \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), __FILE__,         \
                                        __LINE__))
#define OBJECT_GET_CLASS(class, obj, name)                                     \
    ((class *)object_class_dynamic_cast(object_get_class(OBJECT(obj)), (name)))

/* Composition tree.  Adding a child takes a reference (drop yours after
 * adding a fresh object); names must be made of [A-Za-z0-9_.-] and unique
 * among the parent's children and properties (QEMU's children are
 * properties, so a QOM path or qom-get names one thing).  object_unparent()
 * detaches obj and drops the parent's reference. */
bool object_property_add_child(Object *parent, const char *name, Object *child,
                               Error **errp);
void object_unparent(Object *obj);
Object *object_get_root(void);
/* Canonical path such as "/machine/uart0" ("/" for the root); caller
 * frees.  NULL when obj is not in the tree below the root. */
char *object_get_canonical_path(const Object *obj);
/* Absolute path lookup from the root; NULL if absent. */
Object *object_resolve_path(const char *path);
Object *object_child(Object *parent, const char *name);
/* The object at path below root (NULL: the object root), creating missing
 * components as containers: container_get(NULL, "/chardevs").  The tree
 * keeps the reference; the result is borrowed. */
Object *container_get(Object *root, const char *path);

/* Properties.  Class properties are looked up after instance ones.  A name
 * already used by a property of the object or its class chain, or by a
 * child of the object, is refused: object_property_try_add fails with
 * "attempt to add duplicate property 'NAME' to object (type 'TYPE')", as
 * QEMU's; object_property_add and object_class_property_add take it for a
 * bug in a type definition (reported on stderr, then abort).
 *
 * Getters receive *out zeroed with out->type set; strings they return must
 * be heap copies.  Setters receive a value already converted to the
 * property's own type and range-checked (a LINK already type-checked
 * against link_type); they copy any string they keep. */
ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          PropType type, PropGetter *get,
                                          PropSetter *set, void *opaque,
                                          const char *description);
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    PropType type, PropGetter *get,
                                    PropSetter *set, PropRelease *release,
                                    void *opaque, const char *description);
ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        PropType type, PropGetter *get,
                                        PropSetter *set, PropRelease *release,
                                        void *opaque, const char *description,
                                        Error **errp);
/* Whether name is neither a property nor a child of obj; if it is, fails
 * with the duplicate-property error above. */
bool object_name_is_free(Object *obj, const char *name, Error **errp);
ObjectProperty *object_property_find(Object *obj, const char *name);
/* Like object_property_find, failing with "Property 'TYPE.NAME' not
 * found". */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp);
/* Visit every property (instance first, then class chain, most derived
 * first); stops early when fn returns false. */
void object_property_foreach(Object *obj,
                             bool (*fn)(Object *obj, ObjectProperty *prop,
                                        void *opaque),
                             void *opaque);

bool object_property_get(Object *obj, const char *name, PropValue *out,
                         Error **errp);
bool object_property_set(Object *obj, const char *name, const PropValue *in,
                         Error **errp);
/* Typed conveniences; range-checked against the property type. */
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp);
int64_t object_property_get_int(Object *obj, const char *name, Error **errp);
/* Caller frees; NULL with no error when the string is unset. */
char *object_property_get_str(Object *obj, const char *name, Error **errp);
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp);
bool object_property_set_str(Object *obj, const char *name, const char *value,
                             Error **errp);
bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp);
/* Parse text according to the property type and set it: bool on/off,
 * true/false, yes/no; integers decimal or 0x hex (a '-' for int64 only);
 * strings as is; links as an absolute path ("" clears the link). */
bool object_property_parse(Object *obj, const char *name, const char *text,
                           Error **errp);
/* Value rendered as text that object_property_parse accepts (bool
 * "on"/"off", decimal integers, a link's canonical path); caller frees. */
char *object_property_print(Object *obj, const char *name, Error **errp);

const char *prop_type_name(PropType type);
/* UINT8, UINT16, UINT32 or UINT64. */
bool prop_type_is_unsigned(PropType type);
/* Largest value an unsigned property of this type holds (UINT64_MAX for
 * the other types). */
uint64_t prop_type_umax(PropType type);
void prop_value_clear(PropValue *v);

#endif /* RIVET_QOM_OBJECT_H */

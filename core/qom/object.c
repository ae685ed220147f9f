/*
 * The object model core: the type registry, lazy class creation, instance
 * life cycle (init, post-init, finalize, reference counts) and the
 * composition tree with its paths.  Properties live in object-property.c.
 */
#include "qom/object.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qom-internal.h"

struct TypeImpl {
    const TypeInfo *info;
    TypeImpl *parent_type; /* resolved on first use */
    ObjectClass *klass;    /* NULL until first use */
    size_t class_size;
    size_t instance_size;
    bool class_initializing; /* catches parent cycles */
    TypeImpl *hash_next;
    TypeImpl *registered_next; /* registration order, for foreach */
};

#define TYPE_HASH_BUCKETS 128

static TypeImpl *type_buckets[TYPE_HASH_BUCKETS];
static TypeImpl *registered_first;
static TypeImpl **registered_tail = &registered_first;
static Object *root_object;

/* A bug in a type definition or in how C code uses the model (not bad
 * user or guest input): stop loudly where it happened. */
static void qom_bug(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void qom_bug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rivet: bug: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void *qom_zalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        qom_bug("out of memory allocating %zu bytes", size);
    }
    return p;
}

static unsigned type_hash(const char *name)
{
    unsigned h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        h = h * 33 + *c;
    }
    return h % TYPE_HASH_BUCKETS;
}

static TypeImpl *type_lookup(const char *name);

static void type_register_internal(const TypeInfo *info)
{
    if (!info->name) {
        qom_bug("type registered without a name");
    }
    if (type_lookup(info->name)) {
        qom_bug("type '%s' registered twice", info->name);
    }
    TypeImpl *ti = qom_zalloc(sizeof(*ti));
    ti->info = info;
    unsigned h = type_hash(info->name);
    ti->hash_next = type_buckets[h];
    type_buckets[h] = ti;
    *registered_tail = ti;
    registered_tail = &ti->registered_next;
}

static const TypeInfo object_type_info = {
    .name = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .class_size = sizeof(ObjectClass),
    .abstract = true,
};

static const TypeInfo container_type_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
};

/* The built-in types exist before anything else is looked up, whatever
 * order the static libraries' users register theirs in. */
static void register_builtin_types(void)
{
    static bool registered;
    if (registered) {
        return;
    }
    registered = true;
    type_register_internal(&object_type_info);
    type_register_internal(&container_type_info);
}

static TypeImpl *type_lookup(const char *name)
{
    register_builtin_types();
    if (!name) {
        return NULL;
    }
    for (TypeImpl *ti = type_buckets[type_hash(name)]; ti; ti = ti->hash_next) {
        if (strcmp(ti->info->name, name) == 0) {
            return ti;
        }
    }
    return NULL;
}

void type_register_static(const TypeInfo *info)
{
    register_builtin_types();
    type_register_internal(info);
}

void type_register_static_array(const TypeInfo *infos, int n)
{
    for (int i = 0; i < n; i++) {
        type_register_static(&infos[i]);
    }
}

/* Create the class on first use: the parent's class is built first and
 * copied, so inherited method pointers carry over, then this type's
 * class_init overrides what it wants. */
static void type_initialize(TypeImpl *ti)
{
    if (ti->klass) {
        return;
    }
    if (ti->class_initializing) {
        qom_bug("type '%s' is its own ancestor", ti->info->name);
    }
    ti->class_initializing = true;

    TypeImpl *parent = NULL;
    if (ti->info->parent) {
        parent = type_lookup(ti->info->parent);
        if (!parent) {
            qom_bug("type '%s' has unknown parent type '%s'", ti->info->name,
                    ti->info->parent);
        }
        type_initialize(parent);
    } else if (strcmp(ti->info->name, TYPE_OBJECT) != 0) {
        qom_bug("type '%s' has no parent (only '" TYPE_OBJECT "' may)",
                ti->info->name);
    }
    ti->parent_type = parent;

    ti->class_size = ti->info->class_size
                         ? ti->info->class_size
                         : (parent ? parent->class_size : sizeof(ObjectClass));
    ti->instance_size = ti->info->instance_size
                            ? ti->info->instance_size
                            : (parent ? parent->instance_size : sizeof(Object));
    if (parent && (ti->class_size < parent->class_size ||
                   ti->instance_size < parent->instance_size)) {
        qom_bug("type '%s' is smaller than its parent '%s'", ti->info->name,
                parent->info->name);
    }

    ObjectClass *klass = qom_zalloc(ti->class_size);
    if (parent) {
        memcpy(klass, parent->klass, parent->class_size);
    }
    klass->type = ti;
    /* Class properties are looked up along the chain, never copied. */
    klass->properties = NULL;
    ti->klass = klass;
    if (ti->info->class_init) {
        ti->info->class_init(klass, ti->info->class_data);
    }
    ti->class_initializing = false;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);
    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->klass;
}

const char *object_class_get_name(const ObjectClass *klass)
{
    return klass->type->info->name;
}

ObjectClass *object_class_get_parent(const ObjectClass *klass)
{
    TypeImpl *parent = klass->type->parent_type;
    return parent ? parent->klass : NULL;
}

bool object_class_is_abstract(const ObjectClass *klass)
{
    return klass->type->info->abstract;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    if (!klass || !typename) {
        return NULL;
    }
    for (TypeImpl *ti = klass->type; ti; ti = ti->parent_type) {
        if (ti->info->name == typename ||
            strcmp(ti->info->name, typename) == 0) {
            return klass;
        }
    }
    return NULL;
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque)
{
    register_builtin_types();
    for (TypeImpl *ti = registered_first; ti; ti = ti->registered_next) {
        type_initialize(ti);
        if (ti->info->abstract && !include_abstract) {
            continue;
        }
        if (implements_type &&
            !object_class_dynamic_cast(ti->klass, implements_type)) {
            continue;
        }
        fn(ti->klass, opaque);
    }
}

/* Root first, so a type's init sees its parent's fields initialised. */
static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->parent_type) {
        object_init_with_type(obj, ti->parent_type);
    }
    if (ti->info->instance_init) {
        ti->info->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->parent_type) {
        object_post_init_with_type(obj, ti->parent_type);
    }
    if (ti->info->instance_post_init) {
        ti->info->instance_post_init(obj);
    }
}

static TypeImpl *instantiable_type(const char *typename, Error **errp)
{
    TypeImpl *ti = type_lookup(typename);
    if (!ti) {
        error_setg(errp, "Type '%s' not found", typename ? typename : "");
        return NULL;
    }
    if (ti->info->abstract) {
        error_setg(errp, "Type '%s' is abstract and cannot be instantiated",
                   typename);
        return NULL;
    }
    type_initialize(ti);
    return ti;
}

static void object_init_storage(Object *obj, TypeImpl *ti, bool owns_memory)
{
    memset(obj, 0, ti->instance_size);
    obj->klass = ti->klass;
    obj->refcount = 1;
    obj->owns_memory = owns_memory;
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

Object *object_new(const char *typename, Error **errp)
{
    TypeImpl *ti = instantiable_type(typename, errp);
    if (!ti) {
        return NULL;
    }
    Object *obj = qom_zalloc(ti->instance_size);
    object_init_storage(obj, ti, true);
    return obj;
}

bool object_initialize(void *storage, size_t size, const char *typename,
                       Error **errp)
{
    TypeImpl *ti = instantiable_type(typename, errp);
    if (!ti) {
        return false;
    }
    if (size < ti->instance_size) {
        error_setg(errp,
                   "Type '%s' needs %zu bytes but its storage has only %zu",
                   typename, ti->instance_size, size);
        return false;
    }
    object_init_storage(storage, ti, false);
    return true;
}

Object *object_ref(Object *obj)
{
    if (obj) {
        obj->refcount++;
    }
    return obj;
}

/* Most derived first: a subclass tears down its own state before the
 * parent's fields it might still use go away. */
static void object_finalize(Object *obj)
{
    for (TypeImpl *ti = obj->klass->type; ti; ti = ti->parent_type) {
        if (ti->info->instance_finalize) {
            ti->info->instance_finalize(obj);
        }
    }
    while (obj->children) {
        object_unparent(obj->children);
    }
    object_property_release_all(obj);
    if (obj->owns_memory) {
        free(obj);
    }
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    if (obj->refcount == 0) {
        qom_bug("object of type '%s' unreferenced after it was finalized",
                object_get_typename(obj));
    }
    if (--obj->refcount == 0) {
        object_finalize(obj);
    }
}

const char *object_get_typename(const Object *obj)
{
    return obj->klass->type->info->name;
}

size_t object_instance_size(const Object *obj)
{
    return obj->klass->type->instance_size;
}

ObjectClass *object_get_class(const Object *obj)
{
    return obj->klass;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->klass, typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line)
{
    if (!obj) {
        return NULL;
    }
    if (!object_dynamic_cast(obj, typename)) {
        qom_bug("%s:%d: object of type '%s' is not a '%s'", file, line,
                object_get_typename(obj), typename);
    }
    return obj;
}

/* --- Composition tree --- */

static bool child_name_valid(const char *name)
{
    if (!name || !*name) {
        return false;
    }
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' ||
                  *c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static char *path_for_message(const Object *obj)
{
    char *path = object_get_canonical_path(obj);
    if (path) {
        return path;
    }
    char *detached;
    if (asprintf(&detached, "<detached %s>", object_get_typename(obj)) < 0) {
        qom_bug("out of memory");
    }
    return detached;
}

bool object_property_add_child(Object *parent, const char *name, Object *child,
                               Error **errp)
{
    if (!child_name_valid(name)) {
        char *where = path_for_message(parent);
        error_setg(errp,
                   "Invalid child name '%s' under '%s' (use letters, digits, "
                   "'_', '.' and '-')",
                   name ? name : "", where);
        free(where);
        return false;
    }
    if (child->parent) {
        char *where = path_for_message(child);
        error_setg(errp,
                   "Cannot add '%s' as child '%s': it already has a "
                   "parent",
                   where, name);
        free(where);
        return false;
    }
    for (Object *up = parent; up; up = up->parent) {
        if (up == child) {
            error_setg(errp,
                       "Cannot add child '%s': an object cannot be its "
                       "own descendant",
                       name);
            return false;
        }
    }
    if (object_child(parent, name)) {
        char *where = path_for_message(parent);
        error_setg(errp, "Object '%s' already has a child named '%s'", where,
                   name);
        free(where);
        return false;
    }
    if (!object_name_is_free(parent, name, errp)) {
        return false;
    }

    child->name = strdup(name);
    if (!child->name) {
        qom_bug("out of memory");
    }
    child->parent = parent;
    child->sibling = NULL;
    /* Appended, so tree walks (reset, listing) follow creation order. */
    Object **link = &parent->children;
    while (*link) {
        link = &(*link)->sibling;
    }
    *link = child;
    object_ref(child);
    return true;
}

void object_unparent(Object *obj)
{
    Object *parent = obj ? obj->parent : NULL;
    if (!parent) {
        return;
    }
    for (Object **link = &parent->children; *link; link = &(*link)->sibling) {
        if (*link == obj) {
            *link = obj->sibling;
            break;
        }
    }
    obj->sibling = NULL;
    obj->parent = NULL;
    free(obj->name);
    obj->name = NULL;
    object_unref(obj);
}

Object *object_get_root(void)
{
    if (!root_object) {
        root_object = object_new(TYPE_CONTAINER, NULL);
    }
    return root_object;
}

Object *object_child(Object *parent, const char *name)
{
    if (!parent || !name) {
        return NULL;
    }
    for (Object *c = parent->children; c; c = c->sibling) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

char *object_get_canonical_path(const Object *obj)
{
    Object *root = object_get_root();
    size_t len = 0;
    const Object *o;
    for (o = obj; o && o != root; o = o->parent) {
        if (!o->parent) {
            return NULL; /* detached subtree */
        }
        len += 1 + strlen(o->name);
    }
    if (!o) {
        return NULL;
    }
    if (obj == root) {
        return strdup("/");
    }
    char *path = qom_zalloc(len + 1);
    size_t end = len;
    for (o = obj; o != root; o = o->parent) {
        size_t n = strlen(o->name);
        end -= n;
        memcpy(path + end, o->name, n);
        path[--end] = '/';
    }
    return path;
}

/* Walk slash-separated components below start; empty components (a
 * leading, doubled or trailing slash) are skipped. */
static Object *resolve_below(Object *start, const char *path,
                             bool create_containers)
{
    Object *cur = start;
    const char *p = path;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (len > 0) {
            char *component = strndup(p, len);
            if (!component) {
                qom_bug("out of memory");
            }
            Object *next = object_child(cur, component);
            if (!next && create_containers) {
                next = object_new(TYPE_CONTAINER, NULL);
                if (!object_property_add_child(cur, component, next, NULL)) {
                    object_unref(next);
                    next = NULL;
                } else {
                    object_unref(next); /* the tree holds it now */
                }
            }
            free(component);
            if (!next) {
                return NULL;
            }
            cur = next;
        }
        p += len;
        if (*p == '/') {
            p++;
        }
    }
    return cur;
}

Object *object_resolve_path(const char *path)
{
    if (!path || path[0] != '/') {
        return NULL;
    }
    return resolve_below(object_get_root(), path, false);
}

Object *container_get(Object *root, const char *path)
{
    return resolve_below(root ? root : object_get_root(), path, true);
}

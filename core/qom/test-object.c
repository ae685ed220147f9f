/*
 * Unit tests for the object model: type hierarchy and casts, class
 * inheritance, init/finalize order, reference counting, the composition
 * tree and its paths, and properties (typed access, parse, print, errors).
 */
#include <stdlib.h>
#include <string.h>

#include "qom/object.h"
#include "unit-test.h"

/* --- A small hierarchy: animal (abstract) <- dog <- puppy, animal <- cat */

#define TYPE_ANIMAL "test-animal"
#define TYPE_DOG "test-dog"
#define TYPE_PUPPY "test-puppy"
#define TYPE_CAT "test-cat"

typedef struct Animal {
    Object parent_obj;
    int age;
} Animal;

typedef struct Dog {
    Animal parent_obj;
    int tricks;
} Dog;

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *(*speak)(Animal *animal);
    int legs;
    const char *habitat; /* from class_data */
} AnimalClass;

/* Records hook calls in order, e.g. "init:animal init:dog post:dog". */
static char hook_log[512];

static void log_hook(const char *what)
{
    if (hook_log[0]) {
        strncat(hook_log, " ", sizeof(hook_log) - strlen(hook_log) - 1);
    }
    strncat(hook_log, what, sizeof(hook_log) - strlen(hook_log) - 1);
}

static const char *animal_speak(Animal *animal)
{
    (void)animal;
    return "...";
}

static const char *dog_speak(Animal *animal)
{
    (void)animal;
    return "woof";
}

static void animal_class_init(ObjectClass *klass, const void *data)
{
    AnimalClass *ac = (AnimalClass *)klass;
    ac->speak = animal_speak;
    ac->legs = 4;
    ac->habitat = data;
}

static void dog_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ((AnimalClass *)klass)->speak = dog_speak;
}

static void animal_init(Object *obj)
{
    ((Animal *)obj)->age = 1;
    log_hook("init:animal");
}

static void dog_init(Object *obj)
{
    /* The parent's init already ran. */
    ((Dog *)obj)->tricks = ((Animal *)obj)->age * 10;
    log_hook("init:dog");
}

static void puppy_init(Object *obj)
{
    (void)obj;
    log_hook("init:puppy");
}

static void dog_post_init(Object *obj)
{
    (void)obj;
    log_hook("post:dog");
}

static void animal_finalize(Object *obj)
{
    (void)obj;
    log_hook("fin:animal");
}

static void dog_finalize(Object *obj)
{
    (void)obj;
    log_hook("fin:dog");
}

static void puppy_finalize(Object *obj)
{
    (void)obj;
    log_hook("fin:puppy");
}

/* Registered child before parent: parents resolve on first use. */
static const TypeInfo animal_types[] = {
    {
        .name = TYPE_PUPPY,
        .parent = TYPE_DOG,
        .instance_init = puppy_init,
        .instance_finalize = puppy_finalize,
    },
    {
        .name = TYPE_ANIMAL,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(Animal),
        .class_size = sizeof(AnimalClass),
        .class_init = animal_class_init,
        .class_data = "land",
        .instance_init = animal_init,
        .instance_finalize = animal_finalize,
    },
    {
        .name = TYPE_DOG,
        .parent = TYPE_ANIMAL,
        .instance_size = sizeof(Dog),
        .class_init = dog_class_init,
        .instance_init = dog_init,
        .instance_post_init = dog_post_init,
        .instance_finalize = dog_finalize,
    },
    {
        .name = TYPE_CAT,
        .parent = TYPE_ANIMAL,
    },
};

/* --- A device-like type with one property of each kind --- */

#define TYPE_GADGET "test-gadget"
#define TYPE_SUPER_GADGET "test-super-gadget"

typedef struct Gadget {
    Object parent_obj;
    bool enabled;
    uint8_t small;
    uint16_t medium;
    uint32_t baudrate;
    uint64_t big;
    int64_t offset;
    char *label;
    Object *pet;
    uint32_t status; /* read-only */
    int released;    /* instance property release count */
} Gadget;

typedef struct SuperGadget {
    Gadget parent_obj;
    uint32_t turbo;
} SuperGadget;

/* Field-backed accessors: opaque is the field offset. */
static void *field(Object *obj, ObjectProperty *prop)
{
    return (char *)obj + (size_t)prop->opaque;
}

static bool field_get(Object *obj, ObjectProperty *prop, PropValue *out,
                      Error **errp)
{
    (void)errp;
    void *f = field(obj, prop);
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        out->b = *(bool *)f;
        break;
    case PROP_TYPE_UINT8:
        out->u = *(uint8_t *)f;
        break;
    case PROP_TYPE_UINT16:
        out->u = *(uint16_t *)f;
        break;
    case PROP_TYPE_UINT32:
        out->u = *(uint32_t *)f;
        break;
    case PROP_TYPE_UINT64:
        out->u = *(uint64_t *)f;
        break;
    case PROP_TYPE_INT64:
        out->i = *(int64_t *)f;
        break;
    case PROP_TYPE_STRING:
        out->s = *(char **)f ? strdup(*(char **)f) : NULL;
        break;
    case PROP_TYPE_LINK:
        out->obj = *(Object **)f;
        break;
    }
    return true;
}

static bool field_set(Object *obj, ObjectProperty *prop, const PropValue *in,
                      Error **errp)
{
    (void)errp;
    void *f = field(obj, prop);
    /* The model promises in->type == prop->type, already range-checked. */
    if (in->type != prop->type) {
        return false;
    }
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        *(bool *)f = in->b;
        break;
    case PROP_TYPE_UINT8:
        *(uint8_t *)f = (uint8_t)in->u;
        break;
    case PROP_TYPE_UINT16:
        *(uint16_t *)f = (uint16_t)in->u;
        break;
    case PROP_TYPE_UINT32:
        *(uint32_t *)f = (uint32_t)in->u;
        break;
    case PROP_TYPE_UINT64:
        *(uint64_t *)f = in->u;
        break;
    case PROP_TYPE_INT64:
        *(int64_t *)f = in->i;
        break;
    case PROP_TYPE_STRING:
        free(*(char **)f);
        *(char **)f = in->s ? strdup(in->s) : NULL;
        break;
    case PROP_TYPE_LINK:
        *(Object **)f = in->obj;
        break;
    }
    return true;
}

#define GADGET_PROP(klass, name, type, member)                                 \
    object_class_property_add((klass), (name), (type), field_get, field_set,   \
                              (void *)offsetof(Gadget, member), NULL)

static void gadget_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    GADGET_PROP(klass, "enabled", PROP_TYPE_BOOL, enabled);
    GADGET_PROP(klass, "small", PROP_TYPE_UINT8, small);
    GADGET_PROP(klass, "medium", PROP_TYPE_UINT16, medium);
    GADGET_PROP(klass, "baudrate", PROP_TYPE_UINT32, baudrate);
    GADGET_PROP(klass, "big", PROP_TYPE_UINT64, big);
    GADGET_PROP(klass, "offset", PROP_TYPE_INT64, offset);
    GADGET_PROP(klass, "label", PROP_TYPE_STRING, label);
    ObjectProperty *pet = GADGET_PROP(klass, "pet", PROP_TYPE_LINK, pet);
    pet->link_type = TYPE_ANIMAL;
    object_class_property_add(klass, "status", PROP_TYPE_UINT32, field_get,
                              NULL, (void *)offsetof(Gadget, status),
                              "read-only status");
}

static void count_release(Object *obj, ObjectProperty *prop)
{
    (void)prop;
    ((Gadget *)obj)->released++;
    log_hook("release:serial");
}

static void gadget_init(Object *obj)
{
    Gadget *g = (Gadget *)obj;
    g->baudrate = 115200;
    g->status = 7;
    g->label = strdup("default");
    object_property_add(obj, "serial", PROP_TYPE_UINT64, field_get, field_set,
                        count_release, (void *)offsetof(Gadget, big),
                        "instance property");
}

static void gadget_finalize(Object *obj)
{
    free(((Gadget *)obj)->label);
}

static void super_gadget_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    object_class_property_add(klass, "turbo", PROP_TYPE_UINT32, field_get,
                              field_set, (void *)offsetof(SuperGadget, turbo),
                              NULL);
}

static const TypeInfo gadget_types[] = {
    {
        .name = TYPE_GADGET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Gadget),
        .class_init = gadget_class_init,
        .instance_init = gadget_init,
        .instance_finalize = gadget_finalize,
    },
    {
        .name = TYPE_SUPER_GADGET,
        .parent = TYPE_GADGET,
        .instance_size = sizeof(SuperGadget),
        .class_init = super_gadget_class_init,
    },
};

__attribute__((constructor)) static void register_test_types(void)
{
    type_register_static_array(animal_types, 4);
    type_register_static_array(gadget_types, 2);
}

static void expect_error(Error *err, const char *message)
{
    CHECK(err != NULL);
    CHECK_STREQ(error_get_message(err), message);
    error_free(err);
}

/* --- Types and classes --- */

UNIT_TEST(hierarchy_and_casts)
{
    Object *dog = object_new(TYPE_DOG, NULL);
    CHECK(dog != NULL);
    CHECK_STREQ(object_get_typename(dog), TYPE_DOG);
    CHECK(object_dynamic_cast(dog, TYPE_DOG) == dog);
    CHECK(object_dynamic_cast(dog, TYPE_ANIMAL) == dog);
    CHECK(object_dynamic_cast(dog, TYPE_OBJECT) == dog);
    CHECK(object_dynamic_cast(dog, TYPE_CAT) == NULL);
    CHECK(object_dynamic_cast(dog, TYPE_PUPPY) == NULL);
    CHECK(object_dynamic_cast(NULL, TYPE_DOG) == NULL);
    Animal *animal = OBJECT_CHECK(Animal, dog, TYPE_ANIMAL);
    CHECK(animal == (Animal *)dog);

    ObjectClass *puppy_class = object_class_by_name(TYPE_PUPPY);
    CHECK(puppy_class != NULL);
    CHECK_STREQ(object_class_get_name(puppy_class), TYPE_PUPPY);
    ObjectClass *parent = object_class_get_parent(puppy_class);
    CHECK_STREQ(object_class_get_name(parent), TYPE_DOG);
    CHECK_STREQ(object_class_get_name(object_class_get_parent(parent)),
                TYPE_ANIMAL);
    CHECK(object_class_dynamic_cast(puppy_class, TYPE_ANIMAL) == puppy_class);
    CHECK(object_class_dynamic_cast(puppy_class, TYPE_CAT) == NULL);
    CHECK(object_class_is_abstract(object_class_by_name(TYPE_ANIMAL)));
    CHECK(!object_class_is_abstract(puppy_class));
    CHECK(object_class_by_name("no-such-type") == NULL);
    CHECK(object_class_get_parent(object_class_by_name(TYPE_OBJECT)) == NULL);
    object_unref(dog);
}

UNIT_TEST(instance_size_is_the_type_s_or_inherited)
{
    Object *dog = object_new(TYPE_DOG, NULL);
    Object *puppy = object_new(TYPE_PUPPY, NULL);
    Object *cat = object_new(TYPE_CAT, NULL);
    CHECK_EQ_U64(object_instance_size(dog), sizeof(Dog));
    CHECK_EQ_U64(object_instance_size(puppy), sizeof(Dog));
    CHECK_EQ_U64(object_instance_size(cat), sizeof(Animal));
    object_unref(dog);
    object_unref(puppy);
    object_unref(cat);
}

UNIT_TEST(class_methods_inherit_and_override)
{
    Object *dog = object_new(TYPE_DOG, NULL);
    Object *puppy = object_new(TYPE_PUPPY, NULL);
    Object *cat = object_new(TYPE_CAT, NULL);
    AnimalClass *dc = OBJECT_GET_CLASS(AnimalClass, dog, TYPE_ANIMAL);
    AnimalClass *pc = OBJECT_GET_CLASS(AnimalClass, puppy, TYPE_ANIMAL);
    AnimalClass *cc = OBJECT_GET_CLASS(AnimalClass, cat, TYPE_ANIMAL);
    CHECK(dc && pc && cc);
    CHECK(dc != pc); /* every type has its own class */
    CHECK_STREQ(dc->speak((Animal *)dog), "woof");   /* overridden */
    CHECK_STREQ(pc->speak((Animal *)puppy), "woof"); /* inherited from dog */
    CHECK_STREQ(cc->speak((Animal *)cat), "...");    /* inherited from root */
    CHECK_EQ_I64(pc->legs, 4);
    CHECK_STREQ(pc->habitat, "land"); /* class_data reached the class */
    /* Instance sizes inherit too: a puppy is a whole Dog. */
    CHECK_EQ_I64(((Dog *)puppy)->tricks, 10);
    object_unref(dog);
    object_unref(puppy);
    object_unref(cat);
}

UNIT_TEST(unknown_and_abstract_types_fail)
{
    Error *err = NULL;
    CHECK(object_new("no-such-type", &err) == NULL);
    expect_error(err, "Type 'no-such-type' not found");
    err = NULL;
    CHECK(object_new(TYPE_ANIMAL, &err) == NULL);
    expect_error(err,
                 "Type 'test-animal' is abstract and cannot be instantiated");
    err = NULL;
    CHECK(object_new(TYPE_OBJECT, &err) == NULL);
    CHECK(err != NULL);
    error_free(err);
}

static void count_animals(ObjectClass *klass, void *opaque)
{
    CHECK(!object_class_is_abstract(klass));
    CHECK(object_class_dynamic_cast(klass, TYPE_ANIMAL) != NULL);
    (*(int *)opaque)++;
}

UNIT_TEST(class_foreach_visits_concrete_subtypes)
{
    int count = 0;
    object_class_foreach(count_animals, TYPE_ANIMAL, false, &count);
    CHECK_EQ_I64(count, 3); /* dog, puppy, cat */
}

static void count_types(ObjectClass *klass, void *opaque)
{
    (void)klass;
    (*(int *)opaque)++;
}

UNIT_TEST(class_foreach_with_abstract_types)
{
    int count = 0;
    object_class_foreach(count_types, TYPE_ANIMAL, true, &count);
    CHECK_EQ_I64(count, 4); /* and the abstract animal */
}

/* --- Life cycle --- */

UNIT_TEST(init_and_finalize_order)
{
    hook_log[0] = '\0';
    Object *puppy = object_new(TYPE_PUPPY, NULL);
    CHECK_STREQ(hook_log, "init:animal init:dog init:puppy post:dog");
    CHECK_EQ_I64(puppy->refcount, 1);
    hook_log[0] = '\0';
    object_unref(puppy);
    CHECK_STREQ(hook_log, "fin:puppy fin:dog fin:animal");
}

UNIT_TEST(finalize_runs_on_last_unref_only)
{
    hook_log[0] = '\0';
    Object *dog = object_new(TYPE_DOG, NULL);
    hook_log[0] = '\0';
    CHECK(object_ref(dog) == dog);
    CHECK_EQ_I64(dog->refcount, 2);
    object_unref(dog);
    CHECK_STREQ(hook_log, "");
    CHECK_EQ_I64(dog->refcount, 1);
    object_unref(dog);
    CHECK_STREQ(hook_log, "fin:dog fin:animal");
    CHECK(object_ref(NULL) == NULL);
    object_unref(NULL);
}

UNIT_TEST(embedded_object_is_not_freed)
{
    struct {
        Dog dog;
        int canary;
    } holder;
    holder.canary = 0x5a5a;
    hook_log[0] = '\0';
    CHECK(object_initialize(&holder.dog, sizeof(holder.dog), TYPE_DOG, NULL));
    CHECK_EQ_I64(holder.dog.tricks, 10);
    CHECK_EQ_I64(OBJECT(&holder.dog)->refcount, 1);
    CHECK(!OBJECT(&holder.dog)->owns_memory);
    object_unref(OBJECT(&holder.dog));
    /* Finalized; freeing stack memory would have crashed or been caught
     * by valgrind. */
    CHECK_STREQ(hook_log, "init:animal init:dog post:dog fin:dog fin:animal");
    CHECK_EQ_I64(holder.canary, 0x5a5a);

    Error *err = NULL;
    Animal too_small;
    CHECK(!object_initialize(&too_small, sizeof(too_small), TYPE_DOG, &err));
    CHECK(err != NULL);
    CHECK(strstr(error_get_message(err), "test-dog") != NULL);
    error_free(err);
}

/* --- Composition tree --- */

UNIT_TEST(children_paths_and_resolve)
{
    Object *root = object_get_root();
    CHECK(object_get_root() == root);
    char *path = object_get_canonical_path(root);
    CHECK_STREQ(path, "/");
    free(path);
    CHECK(object_resolve_path("/") == root);

    Object *machine = container_get(NULL, "/machine");
    CHECK(machine != NULL);
    CHECK(container_get(NULL, "/machine") == machine); /* not re-created */
    CHECK_STREQ(object_get_typename(machine), TYPE_CONTAINER);

    Object *dog = object_new(TYPE_DOG, NULL);
    CHECK(object_property_add_child(machine, "uart0", dog, NULL));
    CHECK_EQ_I64(dog->refcount, 2);
    object_unref(dog); /* the tree keeps it alive */
    CHECK(dog->parent == machine);
    CHECK(object_child(machine, "uart0") == dog);

    path = object_get_canonical_path(dog);
    CHECK_STREQ(path, "/machine/uart0");
    free(path);
    CHECK(object_resolve_path("/machine/uart0") == dog);
    CHECK(object_resolve_path("/machine/uart0/") == dog);
    CHECK(object_resolve_path("/machine") == machine);
    CHECK(object_resolve_path("/machine/uart1") == NULL);
    CHECK(object_resolve_path("/nothing/uart0") == NULL);
    CHECK(object_resolve_path("machine/uart0") == NULL); /* not absolute */

    Object *deep = container_get(NULL, "/machine/peripheral/bus");
    path = object_get_canonical_path(deep);
    CHECK_STREQ(path, "/machine/peripheral/bus");
    free(path);

    /* Children keep creation order. */
    CHECK(machine->children == dog);
    CHECK(dog->sibling == object_child(machine, "peripheral"));

    hook_log[0] = '\0';
    object_unparent(dog);
    CHECK_STREQ(hook_log, "fin:dog fin:animal");
    CHECK(object_resolve_path("/machine/uart0") == NULL);
    object_unparent(object_child(machine, "peripheral"));
    CHECK(machine->children == NULL);
    object_unparent(machine);
    CHECK(object_resolve_path("/machine") == NULL);
}

UNIT_TEST(child_errors)
{
    Object *root = object_get_root();
    Object *box = container_get(NULL, "/box");
    Object *a = object_new(TYPE_CAT, NULL);
    Object *b = object_new(TYPE_CAT, NULL);
    Error *err = NULL;

    CHECK(object_property_add_child(box, "cat", a, NULL));
    CHECK(!object_property_add_child(box, "cat", b, &err));
    expect_error(err, "Object '/box' already has a child named 'cat'");

    err = NULL;
    CHECK(!object_property_add_child(box, "bad name", b, &err));
    CHECK(err != NULL);
    CHECK(strstr(error_get_message(err), "'bad name'") != NULL);
    error_free(err);

    err = NULL;
    CHECK(!object_property_add_child(box, "", b, &err));
    CHECK(err != NULL);
    error_free(err);

    err = NULL;
    CHECK(!object_property_add_child(root, "again", a, &err));
    CHECK(err != NULL); /* a already has a parent */
    error_free(err);

    err = NULL;
    CHECK(!object_property_add_child(a, "loop", box, &err));
    CHECK(err != NULL); /* box already has a parent (the root) */
    error_free(err);

    /* A detached object has no canonical path. */
    CHECK(object_get_canonical_path(b) == NULL);
    CHECK(object_property_add_child(b, "kitten", object_new(TYPE_CAT, NULL),
                                    NULL));
    Object *kitten = object_child(b, "kitten");
    object_unref(kitten); /* b holds the only reference now */
    CHECK(object_get_canonical_path(kitten) == NULL);
    /* Cycle: b cannot become a child of its own child. */
    err = NULL;
    CHECK(!object_property_add_child(kitten, "parent", b, &err));
    CHECK(err != NULL);
    error_free(err);

    CHECK_EQ_I64(a->refcount, 2); /* ours and /box's */
    CHECK_EQ_I64(b->refcount, 1);
    object_unref(a); /* still held by /box */
    CHECK(object_resolve_path("/box/cat") == a);
    object_unref(b); /* frees b and kitten */
    object_unparent(box);
}

/* Children and properties share one namespace, as in QEMU (where a child
 * is a child<> property): neither may take a name the other has. */
UNIT_TEST(child_and_property_names_clash)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Object *cat = object_new(TYPE_CAT, NULL);
    Error *err = NULL;

    /* A class property's name, an instance property's name. */
    CHECK(!object_property_add_child(g, "baudrate", cat, &err));
    expect_error(err, "attempt to add duplicate property 'baudrate' to "
                      "object (type 'test-gadget')");
    err = NULL;
    CHECK(!object_property_add_child(g, "serial", cat, &err));
    expect_error(err, "attempt to add duplicate property 'serial' to "
                      "object (type 'test-gadget')");
    CHECK(cat->parent == NULL && g->children == NULL);
    CHECK_EQ_I64(cat->refcount, 1);

    /* A child's name, and a property's, refused to a new property. */
    CHECK(object_property_add_child(g, "tail", cat, NULL));
    err = NULL;
    CHECK(object_property_try_add(g, "tail", PROP_TYPE_BOOL, NULL, NULL, NULL,
                                  NULL, NULL, &err) == NULL);
    expect_error(err, "attempt to add duplicate property 'tail' to object "
                      "(type 'test-gadget')");
    err = NULL;
    CHECK(object_property_try_add(g, "status", PROP_TYPE_BOOL, NULL, NULL, NULL,
                                  NULL, NULL, &err) == NULL);
    expect_error(err, "attempt to add duplicate property 'status' to object "
                      "(type 'test-gadget')");
    CHECK(object_property_find(g, "tail") == NULL);
    CHECK(object_property_try_add(g, "colour", PROP_TYPE_STRING, NULL, NULL,
                                  NULL, NULL, NULL, NULL) != NULL);
    CHECK(object_property_find(g, "colour") != NULL);

    object_unref(cat); /* g holds it */
    object_unref(g);
}

UNIT_TEST(finalize_unparents_children)
{
    Object *parent = object_new(TYPE_DOG, NULL);
    Object *child = object_new(TYPE_PUPPY, NULL);
    Object *kept = object_new(TYPE_CAT, NULL);
    CHECK(object_property_add_child(parent, "pup", child, NULL));
    CHECK(object_property_add_child(parent, "cat", kept, NULL));
    object_unref(child);
    hook_log[0] = '\0';
    object_unref(parent);
    /* The parent's finalizers, then the child it held alone. */
    CHECK_STREQ(hook_log, "fin:dog fin:animal fin:puppy fin:dog fin:animal");
    /* kept had a second reference: detached, alive. */
    CHECK(kept->parent == NULL);
    CHECK(kept->name == NULL);
    CHECK_EQ_I64(kept->refcount, 1);
    object_unref(kept);
}

/* --- Properties --- */

UNIT_TEST(property_get_set)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Error *err = NULL;
    CHECK_EQ_U64(object_property_get_uint(g, "baudrate", NULL), 115200);
    CHECK(object_property_set_uint(g, "baudrate", 9600, NULL));
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 9600);
    CHECK_EQ_U64(object_property_get_uint(g, "baudrate", NULL), 9600);

    CHECK(object_property_set_bool(g, "enabled", true, NULL));
    CHECK(object_property_get_bool(g, "enabled", NULL));
    CHECK(object_property_set_int(g, "offset", -42, NULL));
    CHECK_EQ_I64(object_property_get_int(g, "offset", NULL), -42);
    /* int and uint convert when the value fits. */
    CHECK(object_property_set_int(g, "small", 200, NULL));
    CHECK_EQ_U64(((Gadget *)g)->small, 200);
    CHECK_EQ_I64(object_property_get_int(g, "small", NULL), 200);
    CHECK(object_property_set_uint(g, "big", UINT64_MAX, NULL));
    CHECK_EQ_U64(object_property_get_uint(g, "big", NULL), UINT64_MAX);
    CHECK(object_property_get_int(g, "big", &err) == 0);
    CHECK(err != NULL);
    error_free(err);

    char *label = object_property_get_str(g, "label", NULL);
    CHECK_STREQ(label, "default");
    free(label);
    CHECK(object_property_set_str(g, "label", "console", NULL));
    label = object_property_get_str(g, "label", NULL);
    CHECK_STREQ(label, "console");
    free(label);

    PropValue v;
    CHECK(object_property_get(g, "status", &v, NULL));
    CHECK_EQ_I64(v.type, PROP_TYPE_UINT32);
    CHECK_EQ_U64(v.u, 7);
    prop_value_clear(&v);
    object_unref(g);
}

UNIT_TEST(property_range_checks)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Error *err = NULL;
    CHECK(!object_property_set_uint(g, "small", 300, &err));
    expect_error(err, "Property 'test-gadget.small' doesn't take value 300 "
                      "(minimum: 0, maximum: 255)");
    CHECK_EQ_U64(((Gadget *)g)->small, 0);
    CHECK(object_property_set_uint(g, "small", 255, NULL));

    err = NULL;
    CHECK(!object_property_set_uint(g, "medium", 65536, &err));
    expect_error(err, "Property 'test-gadget.medium' doesn't take value "
                      "65536 (minimum: 0, maximum: 65535)");
    err = NULL;
    CHECK(!object_property_set_uint(g, "baudrate", 0x100000000ull, &err));
    CHECK(err != NULL);
    error_free(err);
    err = NULL;
    CHECK(!object_property_set_int(g, "baudrate", -1, &err));
    expect_error(err, "Property 'test-gadget.baudrate' doesn't take value -1 "
                      "(minimum: 0, maximum: 4294967295)");
    err = NULL;
    CHECK(!object_property_set_uint(g, "offset", UINT64_MAX, &err));
    CHECK(err != NULL);
    error_free(err);
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 115200);
    object_unref(g);
}

UNIT_TEST(property_errors)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Error *err = NULL;
    CHECK(object_property_find(g, "foo") == NULL);
    CHECK(!object_property_set_uint(g, "foo", 1, &err));
    expect_error(err, "Property 'test-gadget.foo' not found");
    err = NULL;
    CHECK(object_property_print(g, "foo", &err) == NULL);
    expect_error(err, "Property 'test-gadget.foo' not found");

    err = NULL;
    CHECK(!object_property_set_uint(g, "status", 1, &err));
    expect_error(err, "Property 'test-gadget.status' is read-only");

    err = NULL;
    CHECK(!object_property_set_str(g, "baudrate", "fast", &err));
    expect_error(err, "Property 'test-gadget.baudrate' has type uint32, not "
                      "string");
    err = NULL;
    CHECK(!object_property_get_bool(g, "label", &err));
    expect_error(err, "Property 'test-gadget.label' has type string, not "
                      "bool");
    err = NULL;
    CHECK(object_property_get_str(g, "enabled", &err) == NULL);
    CHECK(err != NULL);
    error_free(err);
    object_unref(g);
}

typedef struct Listing {
    char names[512];
    int stop_after; /* 0: visit all */
    int seen;
} Listing;

static bool list_property(Object *obj, ObjectProperty *prop, void *opaque)
{
    (void)obj;
    Listing *l = opaque;
    strncat(l->names, prop->name, sizeof(l->names) - strlen(l->names) - 1);
    strncat(l->names, " ", sizeof(l->names) - strlen(l->names) - 1);
    l->seen++;
    return l->stop_after == 0 || l->seen < l->stop_after;
}

UNIT_TEST(property_listing_and_class_chain)
{
    Object *sg = object_new(TYPE_SUPER_GADGET, NULL);
    Listing l = {.stop_after = 0};
    object_property_foreach(sg, list_property, &l);
    /* Instance first, then the class chain, most derived class first. */
    CHECK_STREQ(l.names, "serial turbo enabled small medium baudrate big "
                         "offset label pet status ");

    Listing first_two = {.stop_after = 2};
    object_property_foreach(sg, list_property, &first_two);
    CHECK_STREQ(first_two.names, "serial turbo ");

    /* Inherited class properties work on the subclass. */
    CHECK(object_property_set_uint(sg, "baudrate", 300, NULL));
    CHECK(object_property_set_uint(sg, "turbo", 3, NULL));
    CHECK_EQ_U64(((SuperGadget *)sg)->turbo, 3);
    ObjectProperty *serial = object_property_find(sg, "serial");
    CHECK(serial != NULL);
    CHECK_STREQ(serial->description, "instance property");

    /* A plain gadget does not see the subclass property. */
    Object *g = object_new(TYPE_GADGET, NULL);
    CHECK(object_property_find(g, "turbo") == NULL);
    object_unref(g);

    hook_log[0] = '\0';
    object_unref(sg);
    CHECK_STREQ(hook_log, "release:serial");
}

UNIT_TEST(property_parse)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Error *err = NULL;
    CHECK(object_property_parse(g, "enabled", "on", NULL));
    CHECK(((Gadget *)g)->enabled);
    CHECK(object_property_parse(g, "enabled", "off", NULL));
    CHECK(!((Gadget *)g)->enabled);
    /* Only what the message says is accepted. */
    const char *refused[] = {"maybe", "yes", "no", "true", "false", "ON", ""};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        CHECK(!object_property_parse(g, "enabled", refused[i], &err));
        char expected[80];
        snprintf(expected, sizeof(expected),
                 "Parameter 'enabled' expects 'on' or 'off', got '%s'",
                 refused[i]);
        expect_error(err, expected);
        err = NULL;
    }

    CHECK(object_property_parse(g, "baudrate", "9600", NULL));
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 9600);
    CHECK(object_property_parse(g, "baudrate", "0x1C200", NULL));
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 115200);
    CHECK(object_property_parse(g, "baudrate", "010", NULL)); /* not octal */
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 10);
    CHECK(object_property_parse(g, "big", "0xffffffffffffffff", NULL));
    CHECK_EQ_U64(((Gadget *)g)->big, UINT64_MAX);
    CHECK(object_property_parse(g, "offset", "-0x10", NULL));
    CHECK_EQ_I64(((Gadget *)g)->offset, -16);
    CHECK(object_property_parse(g, "offset", "-9223372036854775808", NULL));
    CHECK_EQ_I64(((Gadget *)g)->offset, INT64_MIN);

    const char *not_numbers[] = {"fast", "",   " 5",  "5 ", "0x",
                                 "12k",  "-1", "1.5", "0xg"};
    for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
        err = NULL;
        CHECK(!object_property_parse(g, "baudrate", not_numbers[i], &err));
        char expected[128];
        snprintf(expected, sizeof(expected),
                 "Parameter 'baudrate' expects a number, got '%s'",
                 not_numbers[i]);
        expect_error(err, expected);
    }
    CHECK_EQ_U64(((Gadget *)g)->baudrate, 10);

    err = NULL;
    CHECK(!object_property_parse(g, "small", "300", &err));
    expect_error(err, "Property 'test-gadget.small' doesn't take value 300 "
                      "(minimum: 0, maximum: 255)");
    err = NULL;
    CHECK(!object_property_parse(g, "big", "18446744073709551616", &err));
    CHECK(err != NULL);
    error_free(err);
    err = NULL;
    CHECK(!object_property_parse(g, "offset", "9223372036854775808", &err));
    CHECK(err != NULL);
    error_free(err);

    CHECK(object_property_parse(g, "label", "hello, world", NULL));
    CHECK_STREQ(((Gadget *)g)->label, "hello, world");

    err = NULL;
    CHECK(!object_property_parse(g, "nope", "1", &err));
    expect_error(err, "Property 'test-gadget.nope' not found");
    object_unref(g);
}

UNIT_TEST(property_links)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Object *pets = container_get(NULL, "/pets");
    Object *dog = object_new(TYPE_DOG, NULL);
    CHECK(object_property_add_child(pets, "rex", dog, NULL));
    object_unref(dog);
    Error *err = NULL;

    CHECK(object_property_parse(g, "pet", "/pets/rex", NULL));
    CHECK(((Gadget *)g)->pet == dog);
    char *text = object_property_print(g, "pet", NULL);
    CHECK_STREQ(text, "/pets/rex");
    free(text);

    CHECK(!object_property_parse(g, "pet", "/pets", &err));
    expect_error(err, "Property 'test-gadget.pet' expects a 'test-animal' "
                      "object, got a 'container'");
    err = NULL;
    CHECK(!object_property_parse(g, "pet", "/pets/fido", &err));
    expect_error(err, "Parameter 'pet' expects the path of an object, but "
                      "nothing is at '/pets/fido'");
    CHECK(((Gadget *)g)->pet == dog);

    err = NULL;
    CHECK(!object_property_set_link(g, "pet", pets, &err));
    CHECK(err != NULL);
    error_free(err);

    CHECK(object_property_parse(g, "pet", "", NULL));
    CHECK(((Gadget *)g)->pet == NULL);
    text = object_property_print(g, "pet", NULL);
    CHECK_STREQ(text, "");
    free(text);

    object_unparent(pets);
    object_unref(g);
}

UNIT_TEST(property_print_round_trips)
{
    Object *g = object_new(TYPE_GADGET, NULL);
    Object *copy = object_new(TYPE_GADGET, NULL);
    CHECK(object_property_parse(g, "enabled", "on", NULL));
    CHECK(object_property_parse(g, "small", "0xff", NULL));
    CHECK(object_property_parse(g, "offset", "-5", NULL));
    CHECK(object_property_parse(g, "label", "uart", NULL));
    CHECK(object_property_parse(g, "big", "0x8000000000000000", NULL));

    const char *names[] = {"enabled", "small",  "medium", "baudrate",
                           "big",     "offset", "label"};
    const char *expected[] = {"on", "255", "0", "115200", "9223372036854775808",
                              "-5", "uart"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *text = object_property_print(g, names[i], NULL);
        CHECK_STREQ(text, expected[i]);
        CHECK(object_property_parse(copy, names[i], text, NULL));
        free(text);
        text = object_property_print(copy, names[i], NULL);
        CHECK_STREQ(text, expected[i]);
        free(text);
    }
    char *status = object_property_print(g, "status", NULL);
    CHECK_STREQ(status, "7");
    free(status);
    object_unref(g);
    object_unref(copy);
}

UNIT_TEST(prop_type_names)
{
    CHECK_STREQ(prop_type_name(PROP_TYPE_BOOL), "bool");
    CHECK_STREQ(prop_type_name(PROP_TYPE_UINT8), "uint8");
    CHECK_STREQ(prop_type_name(PROP_TYPE_INT64), "int64");
    CHECK_STREQ(prop_type_name(PROP_TYPE_STRING), "string");
    CHECK_STREQ(prop_type_name(PROP_TYPE_LINK), "link");
    PropValue v = {.type = PROP_TYPE_STRING, .s = strdup("x")};
    prop_value_clear(&v);
    CHECK(v.s == NULL);
    CHECK_EQ_I64(v.type, PROP_TYPE_STRING);
}

int main(void)
{
    return unit_run_all();
}

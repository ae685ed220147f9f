/*
 * Unit tests for the device core: static properties of every kind (defaults,
 * setting before and after realize, range and link-type errors), realize
 * failure and reset, GPIO wiring, and sysbus MMIO mapping and IRQs.
 */
#include <stdlib.h>

#include "hwcore/qdev.h"
#include "hwcore/sysbus.h"
#include "unit-test.h"

#define TYPE_TEST_DEV "test-dev"
#define TYPE_TEST_TARGET "test-target"
#define TYPE_TEST_SBD "test-sbd"

typedef struct TestDev {
    DeviceState parent_obj;
    bool flag;
    bool fail_realize;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    char *name;
    char *nodefault;
    Object *target;
    int resets;
    int realizes;
    int unrealizes;
    int gpio_level[2];
    int gpio_calls;
    IRQ out[2];
} TestDev;

static bool test_dev_realize(DeviceState *dev, Error **errp)
{
    TestDev *t = (TestDev *)dev;
    if (t->fail_realize) {
        error_setg(errp, "test-dev: told to fail");
        return false;
    }
    t->realizes++;
    return true;
}

static void test_dev_unrealize(DeviceState *dev)
{
    ((TestDev *)dev)->unrealizes++;
}

static void test_dev_reset(DeviceState *dev)
{
    ((TestDev *)dev)->resets++;
}

static void test_dev_gpio(void *opaque, int n, int level)
{
    TestDev *t = opaque;
    t->gpio_level[n] = level;
    t->gpio_calls++;
}

static void test_dev_init(Object *obj)
{
    TestDev *t = (TestDev *)obj;
    /* As a Rust device's in-place initialiser does: it writes every field,
     * property fields included, and the defaults must still win. */
    t->u32 = 0;
    qdev_init_gpio_in(DEVICE(t), test_dev_gpio, 2);
    qdev_init_gpio_out(DEVICE(t), t->out, 2);
}

static const Property test_dev_props[] = {
    DEFINE_PROP_BOOL("flag", TestDev, flag, true),
    DEFINE_PROP_BOOL("fail-realize", TestDev, fail_realize, false),
    DEFINE_PROP_UINT8("u8", TestDev, u8, 8),
    DEFINE_PROP_UINT16("u16", TestDev, u16, 1600),
    DEFINE_PROP_UINT32("u32", TestDev, u32, 320000),
    DEFINE_PROP_UINT64("u64", TestDev, u64, 0x100000000ull),
    {.name = "i64",
     .type = PROP_TYPE_INT64,
     .offset = offsetof(TestDev, i64),
     .defval = (uint64_t)-5},
    {.name = "name",
     .type = PROP_TYPE_STRING,
     .offset = offsetof(TestDev, name),
     .defstr = "default-name"},
    DEFINE_PROP_STRING("nodefault", TestDev, nodefault),
    DEFINE_PROP_LINK("target", TestDev, target, TYPE_TEST_TARGET),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_dev_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->realize = test_dev_realize;
    dc->unrealize = test_dev_unrealize;
    dc->reset = test_dev_reset;
    device_class_set_props(dc, test_dev_props);
}

/* A sysbus device with one 16-byte register bank and one IRQ output. */
typedef struct TestSbd {
    SysBusDevice parent_obj;
    MemoryRegion mmio;
    uint32_t reg;
    IRQ irq;
} TestSbd;

static uint64_t sbd_read(void *opaque, hwaddr addr, unsigned size)
{
    (void)size;
    TestSbd *s = opaque;
    return addr == 4 ? s->reg : 0x5b5b0000u | (uint32_t)addr;
}

static void sbd_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    (void)size;
    TestSbd *s = opaque;
    if (addr == 4) {
        s->reg = (uint32_t)value;
        irq_set(s->irq, s->reg != 0);
    }
}

static const MemoryRegionOps sbd_ops = {
    .read = sbd_read,
    .write = sbd_write,
    .valid = {.min_access_size = 4, .max_access_size = 4},
};

static void sbd_init(Object *obj)
{
    TestSbd *s = (TestSbd *)obj;
    memory_region_init_io(&s->mmio, obj, &sbd_ops, s, "test-sbd", 0x10);
    sysbus_init_mmio(SYS_BUS_DEVICE(s), &s->mmio);
    sysbus_init_irq(SYS_BUS_DEVICE(s), &s->irq);
}

static void sbd_finalize(Object *obj)
{
    memory_region_destroy(&((TestSbd *)obj)->mmio);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .instance_init = test_dev_init,
        .class_init = test_dev_class_init,
    },
    {
        .name = TYPE_TEST_TARGET,
        .parent = TYPE_CONTAINER,
    },
    {
        .name = TYPE_TEST_SBD,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(TestSbd),
        .instance_init = sbd_init,
        .instance_finalize = sbd_finalize,
    },
};

__attribute__((constructor)) static void register_test_types(void)
{
    type_register_static_array(test_types, 3);
}

static TestDev *new_test_dev(void)
{
    Error *err = NULL;
    DeviceState *dev = qdev_new(TYPE_TEST_DEV, &err);
    if (!dev) {
        UNIT_FAIL("qdev_new: %s", error_get_message(err));
    }
    return (TestDev *)dev;
}

/* The message of the error a call produced; the error is freed. */
static const char *take_error(Error *err)
{
    static char msg[256];
    if (!err) {
        UNIT_FAIL("expected an error");
    }
    snprintf(msg, sizeof(msg), "%s", error_get_message(err));
    error_free(err);
    return msg;
}

UNIT_TEST(defaults_applied_after_instance_init)
{
    TestDev *t = new_test_dev();
    CHECK(t->flag);
    CHECK(!t->fail_realize);
    CHECK_EQ_U64(t->u8, 8);
    CHECK_EQ_U64(t->u16, 1600);
    CHECK_EQ_U64(t->u32, 320000);
    CHECK_EQ_U64(t->u64, 0x100000000ull);
    CHECK_EQ_I64(t->i64, -5);
    CHECK_STREQ(t->name, "default-name");
    CHECK(t->nodefault == NULL);
    CHECK(t->target == NULL);
    /* The field default is what the property reads back. */
    Object *obj = OBJECT(t);
    CHECK_EQ_U64(object_property_get_uint(obj, "u16", NULL), 1600);
    char *name = object_property_get_str(obj, "name", NULL);
    CHECK_STREQ(name, "default-name");
    free(name);
    CHECK(!t->parent_obj.realized);
    object_unref(obj);
}

UNIT_TEST(properties_set_before_realize)
{
    TestDev *t = new_test_dev();
    Object *obj = OBJECT(t);
    CHECK(object_property_set_bool(obj, "flag", false, NULL));
    CHECK(object_property_set_uint(obj, "u8", 255, NULL));
    CHECK(object_property_set_uint(obj, "u16", 65535, NULL));
    CHECK(object_property_set_uint(obj, "u32", 0xffffffffu, NULL));
    CHECK(object_property_set_uint(obj, "u64", UINT64_MAX, NULL));
    CHECK(object_property_set_int(obj, "i64", INT64_MIN, NULL));
    CHECK(object_property_set_str(obj, "name", "renamed", NULL));
    CHECK(object_property_set_str(obj, "nodefault", "set", NULL));
    CHECK(object_property_parse(obj, "u32", "0x10", NULL));
    CHECK(!t->flag);
    CHECK_EQ_U64(t->u8, 255);
    CHECK_EQ_U64(t->u16, 65535);
    CHECK_EQ_U64(t->u32, 0x10);
    CHECK_EQ_U64(t->u64, UINT64_MAX);
    CHECK_EQ_I64(t->i64, INT64_MIN);
    CHECK_STREQ(t->name, "renamed");
    CHECK_STREQ(t->nodefault, "set");
    char *text = object_property_print(obj, "u8", NULL);
    CHECK_STREQ(text, "255");
    free(text);
    object_unref(obj); /* valgrind checks the strings are freed */
}

UNIT_TEST(range_errors_leave_value)
{
    TestDev *t = new_test_dev();
    Object *obj = OBJECT(t);
    Error *err = NULL;
    CHECK(!object_property_set_uint(obj, "u8", 256, &err));
    CHECK(strstr(take_error(err), "u8") != NULL);
    err = NULL;
    CHECK(!object_property_set_uint(obj, "u16", 65536, &err));
    take_error(err);
    err = NULL;
    CHECK(!object_property_set_uint(obj, "u32", 0x100000000ull, &err));
    take_error(err);
    CHECK_EQ_U64(t->u8, 8);
    CHECK_EQ_U64(t->u16, 1600);
    CHECK_EQ_U64(t->u32, 320000);

    /* The setter also guards the field width when called directly. */
    ObjectProperty *op = object_property_find(obj, "u8");
    CHECK(op != NULL);
    PropValue v = {.type = PROP_TYPE_UINT8, .u = 300};
    err = NULL;
    CHECK(!op->set(obj, op, &v, &err));
    CHECK(strstr(take_error(err), "test-dev.u8") != NULL);
    CHECK_EQ_U64(t->u8, 8);
    object_unref(obj);
}

UNIT_TEST(link_checks_target_type)
{
    TestDev *t = new_test_dev();
    Object *obj = OBJECT(t);
    Object *good = object_new(TYPE_TEST_TARGET, NULL);
    Object *bad = object_new(TYPE_CONTAINER, NULL);
    Error *err = NULL;
    CHECK(!object_property_set_link(obj, "target", bad, &err));
    CHECK(strstr(take_error(err), TYPE_TEST_TARGET) != NULL);
    CHECK(t->target == NULL);

    CHECK(object_property_set_link(obj, "target", good, NULL));
    CHECK(t->target == good);
    CHECK_EQ_U64(good->refcount, 2); /* the link holds a reference */
    CHECK(object_property_set_link(obj, "target", NULL, NULL));
    CHECK_EQ_U64(good->refcount, 1);
    CHECK(object_property_set_link(obj, "target", good, NULL));

    object_unref(obj); /* drops the link's reference */
    CHECK_EQ_U64(good->refcount, 1);
    object_unref(good);
    object_unref(bad);
}

UNIT_TEST(set_after_realize_refused)
{
    TestDev *t = new_test_dev();
    Object *obj = OBJECT(t);
    CHECK(device_realize(DEVICE(t), NULL));
    CHECK(t->parent_obj.realized);
    Error *err = NULL;
    CHECK(!object_property_set_uint(obj, "u8", 1, &err));
    CHECK_STREQ(take_error(err),
                "Property 'test-dev.u8' cannot be set after realize");
    err = NULL;
    CHECK(!object_property_set_str(obj, "name", "late", &err));
    take_error(err);
    CHECK_EQ_U64(t->u8, 8);
    CHECK_STREQ(t->name, "default-name");
    /* Reading still works. */
    CHECK_EQ_U64(object_property_get_uint(obj, "u8", NULL), 8);

    device_unrealize(DEVICE(t));
    CHECK_EQ_I64(t->unrealizes, 1);
    CHECK(object_property_set_uint(obj, "u8", 1, NULL));
    object_unref(obj);
}

UNIT_TEST(realize_failure_leaves_unrealized)
{
    TestDev *t = new_test_dev();
    CHECK(object_property_set_bool(OBJECT(t), "fail-realize", true, NULL));
    Error *err = NULL;
    CHECK(!device_realize(DEVICE(t), &err));
    CHECK_STREQ(take_error(err), "test-dev: told to fail");
    CHECK(!t->parent_obj.realized);
    CHECK_EQ_I64(t->resets, 0);
    /* Still configurable, and a second attempt can succeed. */
    CHECK(object_property_set_bool(OBJECT(t), "fail-realize", false, NULL));
    CHECK(device_realize(DEVICE(t), NULL));
    CHECK_EQ_I64(t->realizes, 1);
    device_unrealize(DEVICE(t));
    object_unref(OBJECT(t));
}

UNIT_TEST(reset_on_realize_and_by_tree)
{
    Object *parent = container_get(NULL, "/machine-test");
    TestDev *a = new_test_dev();
    TestDev *b = new_test_dev();
    TestDev *unrealized = new_test_dev();
    CHECK(object_property_add_child(parent, "a", OBJECT(a), NULL));
    CHECK(object_property_add_child(OBJECT(a), "b", OBJECT(b), NULL));
    CHECK(object_property_add_child(parent, "c", OBJECT(unrealized), NULL));

    CHECK(device_realize(DEVICE(a), NULL));
    CHECK(device_realize(DEVICE(b), NULL));
    CHECK_EQ_I64(a->resets, 1);
    CHECK_EQ_I64(b->resets, 1);
    /* Realizing twice is harmless and does not reset again. */
    CHECK(device_realize(DEVICE(a), NULL));
    CHECK_EQ_I64(a->resets, 1);

    device_reset_tree(parent);
    CHECK_EQ_I64(a->resets, 2);
    CHECK_EQ_I64(b->resets, 2); /* grandchild reached */
    CHECK_EQ_I64(unrealized->resets, 0);

    device_unrealize(DEVICE(a));
    device_unrealize(DEVICE(b));
    object_unref(OBJECT(a));
    object_unref(OBJECT(b));
    object_unref(OBJECT(unrealized));
    object_unparent(parent);
}

UNIT_TEST(gpio_wiring)
{
    TestDev *src = new_test_dev();
    TestDev *dst = new_test_dev();
    CHECK_EQ_I64(DEVICE(dst)->num_gpio_in, 2);
    CHECK_EQ_I64(DEVICE(src)->num_gpio_out, 2);

    /* Unconnected outputs are no-ops. */
    irq_raise(src->out[1]);
    CHECK_EQ_I64(dst->gpio_calls, 0);

    qdev_connect_gpio_out(DEVICE(src), 1, qdev_get_gpio_in(DEVICE(dst), 0));
    irq_raise(src->out[1]);
    CHECK_EQ_I64(dst->gpio_level[0], 1);
    CHECK_EQ_I64(dst->gpio_level[1], 0);
    irq_lower(src->out[1]);
    CHECK_EQ_I64(dst->gpio_level[0], 0);
    irq_pulse(qdev_get_gpio_in(DEVICE(dst), 1));
    CHECK_EQ_I64(dst->gpio_calls, 4);
    CHECK_EQ_I64(dst->gpio_level[1], 0);

    object_unref(OBJECT(src));
    object_unref(OBJECT(dst));
}

UNIT_TEST(qdev_new_rejects_non_devices)
{
    Error *err = NULL;
    CHECK(qdev_new(TYPE_TEST_TARGET, &err) == NULL);
    CHECK(strstr(take_error(err), "not a device") != NULL);
    err = NULL;
    CHECK(qdev_new(TYPE_DEVICE, &err) == NULL); /* abstract */
    take_error(err);
    err = NULL;
    CHECK(qdev_new("no-such-type", &err) == NULL);
    take_error(err);
}

static int irq_seen_level = -1;
static int irq_seen_n = -1;

static void record_irq(void *opaque, int n, int level)
{
    (void)opaque;
    irq_seen_n = n;
    irq_seen_level = level;
}

UNIT_TEST(sysbus_mmio_map_and_irq)
{
    DeviceState *dev = qdev_new(TYPE_TEST_SBD, NULL);
    CHECK(dev != NULL);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    TestSbd *s = (TestSbd *)dev;
    CHECK(device_realize(dev, NULL));
    CHECK_EQ_I64(sbd->num_mmio, 1);
    CHECK(sysbus_mmio_get_region(sbd, 0) == &s->mmio);

    AddressSpace *as = get_address_space_memory();
    uint64_t v;
    CHECK_EQ_I64(address_space_ld(as, 0x10000000, 4, &v), MEMTX_DECODE_ERROR);
    sysbus_mmio_map(sbd, 0, 0x10000000);
    CHECK_EQ_U64(sbd->mmio_addr[0], 0x10000000);
    CHECK_EQ_I64(address_space_ld(as, 0x10000008, 4, &v), MEMTX_OK);
    CHECK_EQ_U64(v, 0x5b5b0008);

    IRQ line = irq_new(record_irq, NULL, 7);
    sysbus_connect_irq(sbd, 0, line);
    CHECK_EQ_I64(address_space_st(as, 0x10000004, 4, 1), MEMTX_OK);
    CHECK_EQ_I64(irq_seen_n, 7);
    CHECK_EQ_I64(irq_seen_level, 1);
    CHECK_EQ_I64(address_space_ld(as, 0x10000004, 4, &v), MEMTX_OK);
    CHECK_EQ_U64(v, 1);
    CHECK_EQ_I64(address_space_st(as, 0x10000004, 4, 0), MEMTX_OK);
    CHECK_EQ_I64(irq_seen_level, 0);

    /* Mapping again moves the device. */
    sysbus_mmio_map(sbd, 0, 0x20000000);
    CHECK_EQ_I64(address_space_ld(as, 0x10000008, 4, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ_I64(address_space_ld(as, 0x20000008, 4, &v), MEMTX_OK);

    device_unrealize(dev);
    object_unref(OBJECT(dev));
    CHECK_EQ_I64(address_space_ld(as, 0x20000008, 4, &v), MEMTX_DECODE_ERROR);
    irq_free(line);
}

int main(void)
{
    return unit_run_all();
}

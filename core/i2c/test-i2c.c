/*
 * I2C core unit tests: the bus state machine (start with direction, send
 * with ACK/NACK, receive, repeated start, stop, no target), the target
 * type's address checks and its place on the bus, and the transfer's
 * migration checks.
 */
#include <stdio.h>
#include <string.h>

#include "i2c/i2c.h"
#include "unit-test.h"

#define TYPE_TEST_TARGET "test-i2c-target"
#define TYPE_TEST_MUTE "test-i2c-mute" /* a target without hooks */

/* Records what the bus told it; ACKs bytes until nack_after are taken. */
typedef struct TestTarget {
    I2CTarget parent_obj;
    char log[256];
    int bytes_taken;
    int nack_after;    /* -1: ACK every byte */
    bool refuse_start; /* NACK the address phase */
    uint8_t next_read;
} TestTarget;

static void log_append(TestTarget *t, const char *fmt, unsigned v)
{
    size_t len = strlen(t->log);
    snprintf(t->log + len, sizeof(t->log) - len, fmt, v);
}

static bool test_event(I2CTarget *target, I2CEvent event)
{
    TestTarget *t = (TestTarget *)target;
    static const char *const names[] = {"W", "R", "P"};
    size_t len = strlen(t->log);
    snprintf(t->log + len, sizeof(t->log) - len, "%s ", names[event]);
    return event == I2C_EVENT_STOP || !t->refuse_start;
}

static bool test_send(I2CTarget *target, uint8_t byte)
{
    TestTarget *t = (TestTarget *)target;
    log_append(t, "s%02x ", byte);
    if (t->nack_after >= 0 && t->bytes_taken >= t->nack_after) {
        return false;
    }
    t->bytes_taken++;
    return true;
}

static uint8_t test_recv(I2CTarget *target)
{
    TestTarget *t = (TestTarget *)target;
    log_append(t, "r%02x ", t->next_read);
    return t->next_read++;
}

static bool test_realized_hook_fails;

static bool test_target_realize(DeviceState *dev, Error **errp)
{
    (void)dev;
    if (test_realized_hook_fails) {
        error_setg(errp, "test target: refused");
        return false;
    }
    return true;
}

static void test_target_init(Object *obj)
{
    ((TestTarget *)obj)->nack_after = -1;
}

static void test_target_class_init(ObjectClass *klass, const void *data)
{
    I2CTargetClass *tc = I2C_TARGET_CLASS(klass);
    (void)data;
    tc->default_address = 0x42;
    tc->event = test_event;
    tc->send = test_send;
    tc->recv = test_recv;
    tc->realize = test_target_realize;
}

static void test_mute_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    I2C_TARGET_CLASS(klass)->default_address = 0x10;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_TARGET,
        .parent = TYPE_I2C_TARGET,
        .instance_size = sizeof(TestTarget),
        .instance_init = test_target_init,
        .class_init = test_target_class_init,
    },
    {
        .name = TYPE_TEST_MUTE,
        .parent = TYPE_I2C_TARGET,
        .class_init = test_mute_class_init,
    },
};

__attribute__((constructor)) static void register_test_types(void)
{
    type_register_static_array(test_types, 2);
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

static I2CBus *new_bus(void)
{
    Error *err = NULL;
    I2CBus *bus = i2c_bus_new(&err);
    if (!bus) {
        UNIT_FAIL("i2c_bus_new: %s", error_get_message(err));
    }
    return bus;
}

/* An unrealized target of type on bus (address: -1 keeps the default). */
static I2CTarget *new_target(const char *type, I2CBus *bus, int address)
{
    Error *err = NULL;
    DeviceState *dev = qdev_new(type, &err);
    if (!dev) {
        UNIT_FAIL("qdev_new: %s", error_get_message(err));
    }
    if (bus) {
        CHECK(object_property_set_link(OBJECT(dev), "bus", OBJECT(bus), NULL));
    }
    if (address >= 0) {
        CHECK(object_property_set_uint(OBJECT(dev), "address",
                                       (uint64_t)address, NULL));
    }
    return I2C_TARGET(dev);
}

static TestTarget *plug(I2CBus *bus, int address)
{
    I2CTarget *t = new_target(TYPE_TEST_TARGET, bus, address);
    Error *err = NULL;
    if (!device_realize(DEVICE(t), &err)) {
        UNIT_FAIL("realize: %s", error_get_message(err));
    }
    return (TestTarget *)t;
}

static void unplug(void *t)
{
    device_unrealize(DEVICE(t));
    object_unref(OBJECT(t));
}

UNIT_TEST(default_address_is_the_subtypes)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, -1);
    CHECK_EQ_U64(object_property_get_uint(OBJECT(t), "address", NULL), 0x42);
    CHECK(i2c_bus_find(bus, 0x42) == &t->parent_obj);
    unplug(t);
    CHECK(i2c_bus_find(bus, 0x42) == NULL);
    object_unref(OBJECT(bus));
}

UNIT_TEST(write_transfer_acked)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    CHECK(!i2c_bus_busy(bus));
    CHECK(i2c_bus_start(bus, 0x50, false));
    CHECK(i2c_bus_busy(bus));
    CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_WRITE);
    CHECK(i2c_bus_send(bus, 0x12));
    CHECK(i2c_bus_send(bus, 0x34));
    i2c_bus_stop(bus);
    CHECK(!i2c_bus_busy(bus));
    CHECK_STREQ(t->log, "W s12 s34 P ");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(target_nacks_a_byte)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    t->nack_after = 1;
    CHECK(i2c_bus_start(bus, 0x50, false));
    CHECK(i2c_bus_send(bus, 0x01));
    CHECK(!i2c_bus_send(bus, 0x02));
    i2c_bus_stop(bus);
    CHECK_STREQ(t->log, "W s01 s02 P ");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(read_transfer)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    t->next_read = 0xa0;
    CHECK(i2c_bus_start(bus, 0x50, true));
    CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_READ);
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xa0);
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xa1);
    /* Sending in a read transfer: nobody acknowledges. */
    CHECK(!i2c_bus_send(bus, 0x55));
    i2c_bus_stop(bus);
    CHECK_STREQ(t->log, "R ra0 ra1 P ");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(no_target_is_a_nack)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    CHECK(!i2c_bus_start(bus, 0x51, false));
    /* The bus is held (started) until the stop, but nothing answers. */
    CHECK(i2c_bus_busy(bus));
    CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_NO_TARGET);
    CHECK(!i2c_bus_send(bus, 0x00));
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xff);
    i2c_bus_stop(bus);
    CHECK(!i2c_bus_busy(bus));
    CHECK(!i2c_bus_start(bus, 0x51, true));
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xff);
    i2c_bus_stop(bus);
    /* The target at 0x50 heard none of it. */
    CHECK_STREQ(t->log, "");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(target_refusing_its_address_is_a_nack)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    t->refuse_start = true;
    CHECK(!i2c_bus_start(bus, 0x50, false));
    CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_NO_TARGET);
    CHECK(!i2c_bus_send(bus, 0x01));
    i2c_bus_stop(bus);
    /* It was asked, sent no bytes, and is not part of the stop. */
    CHECK_STREQ(t->log, "W ");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(idle_bus_sends_nothing)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    CHECK(!i2c_bus_send(bus, 0x01));
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xff);
    i2c_bus_stop(bus); /* a stop on an idle bus: nothing */
    CHECK(!i2c_bus_busy(bus));
    CHECK_STREQ(t->log, "");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(repeated_start_same_target_turns_around)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    t->next_read = 7;
    CHECK(i2c_bus_start(bus, 0x50, false));
    CHECK(i2c_bus_send(bus, 0x10));
    CHECK(i2c_bus_start(bus, 0x50, true));
    CHECK_EQ_U64(i2c_bus_recv(bus), 7);
    i2c_bus_stop(bus);
    CHECK_STREQ(t->log, "W s10 R r07 P ");
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(repeated_start_other_target)
{
    I2CBus *bus = new_bus();
    TestTarget *a = plug(bus, 0x50);
    TestTarget *b = plug(bus, 0x20);
    CHECK(i2c_bus_start(bus, 0x50, false));
    CHECK(i2c_bus_send(bus, 0x10));
    CHECK(i2c_bus_start(bus, 0x20, false));
    CHECK(i2c_bus_send(bus, 0x33));
    i2c_bus_stop(bus);
    /* The first saw no stop: only the target the stop ends gets it. */
    CHECK_STREQ(a->log, "W s10 ");
    CHECK_STREQ(b->log, "W s33 P ");
    /* A repeated start to an empty address NACKs and drops the target. */
    CHECK(i2c_bus_start(bus, 0x20, false));
    CHECK(!i2c_bus_start(bus, 0x21, false));
    CHECK(!i2c_bus_send(bus, 0x44));
    i2c_bus_stop(bus);
    CHECK_STREQ(b->log, "W s33 P W ");
    unplug(a);
    unplug(b);
    object_unref(OBJECT(bus));
}

UNIT_TEST(target_without_hooks)
{
    I2CBus *bus = new_bus();
    I2CTarget *t = new_target(TYPE_TEST_MUTE, bus, -1);
    CHECK(device_realize(DEVICE(t), NULL));
    CHECK_EQ_U64(t->address, 0x10);
    CHECK(i2c_bus_start(bus, 0x10, false));
    CHECK(!i2c_bus_send(bus, 0x01));
    CHECK(i2c_bus_start(bus, 0x10, true));
    CHECK_EQ_U64(i2c_bus_recv(bus), 0xff);
    i2c_bus_stop(bus);
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(bad_addresses_refused)
{
    static const struct {
        int address;
        const char *message;
    } cases[] = {
        {0x80, "test-i2c-target: address 0x80 is not a 7-bit I2C address"},
        {0xff, "test-i2c-target: address 0xff is not a 7-bit I2C address"},
        {0x00, "test-i2c-target: address 0x00 is reserved by the I2C "
               "specification (targets use 0x08..0x77)"},
        {0x07, "test-i2c-target: address 0x07 is reserved by the I2C "
               "specification (targets use 0x08..0x77)"},
        {0x78, "test-i2c-target: address 0x78 is reserved by the I2C "
               "specification (targets use 0x08..0x77)"},
    };
    I2CBus *bus = new_bus();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        I2CTarget *t = new_target(TYPE_TEST_TARGET, bus, cases[i].address);
        Error *err = NULL;
        CHECK(!device_realize(DEVICE(t), &err));
        CHECK_STREQ(take_error(err), cases[i].message);
        CHECK(!DEVICE(t)->realized);
        object_unref(OBJECT(t));
    }
    /* The edges of the usable range are fine. */
    TestTarget *lo = plug(bus, 0x08);
    TestTarget *hi = plug(bus, 0x77);
    unplug(lo);
    unplug(hi);
    /* The property itself is a byte: 0x100 does not fit. */
    I2CTarget *t = new_target(TYPE_TEST_TARGET, bus, -1);
    CHECK(!object_property_set_uint(OBJECT(t), "address", 0x100, NULL));
    object_unref(OBJECT(t));
    for (int a = 0; a < I2C_NUM_ADDRS; a++) {
        CHECK(i2c_bus_find(bus, (uint8_t)a) == NULL);
    }
    object_unref(OBJECT(bus));
}

UNIT_TEST(two_targets_at_one_address)
{
    I2CBus *bus = new_bus();
    Object *parent = container_get(NULL, "/i2c-test");
    TestTarget *first = plug(bus, 0x50);
    CHECK(object_property_add_child(parent, "first", OBJECT(first), NULL));
    I2CTarget *second = new_target(TYPE_TEST_TARGET, bus, 0x50);
    Error *err = NULL;
    CHECK(!device_realize(DEVICE(second), &err));
    CHECK_STREQ(take_error(err), "test-i2c-target: address 0x50 is taken by "
                                 "/i2c-test/first (test-i2c-target)");
    CHECK(i2c_bus_find(bus, 0x50) == &first->parent_obj);
    object_unref(OBJECT(second));
    object_unparent(OBJECT(first));
    unplug(first);
    object_unparent(parent);
    object_unref(OBJECT(bus));
}

UNIT_TEST(no_bus_refused)
{
    I2CTarget *t = new_target(TYPE_TEST_TARGET, NULL, -1);
    Error *err = NULL;
    CHECK(!device_realize(DEVICE(t), &err));
    CHECK_STREQ(take_error(err),
                "test-i2c-target: no I2C bus (set its 'bus' link)");
    object_unref(OBJECT(t));
}

UNIT_TEST(subtype_realize_failure_leaves_the_bus_alone)
{
    I2CBus *bus = new_bus();
    I2CTarget *t = new_target(TYPE_TEST_TARGET, bus, 0x30);
    Error *err = NULL;
    test_realized_hook_fails = true;
    CHECK(!device_realize(DEVICE(t), &err));
    test_realized_hook_fails = false;
    CHECK_STREQ(take_error(err), "test target: refused");
    CHECK(i2c_bus_find(bus, 0x30) == NULL);
    object_unref(OBJECT(t));
    object_unref(OBJECT(bus));
}

/* A target freed without unrealize (the board's teardown) leaves the bus;
 * a transfer addressed to it ends. */
UNIT_TEST(finalize_detaches)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    CHECK(i2c_bus_start(bus, 0x50, false));
    object_unref(OBJECT(t));
    CHECK(i2c_bus_find(bus, 0x50) == NULL);
    CHECK(!i2c_bus_busy(bus));
    CHECK(!i2c_bus_start(bus, 0x50, false));
    i2c_bus_stop(bus);
    object_unref(OBJECT(bus));
}

UNIT_TEST(transfer_state_round_trip)
{
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    I2CTransfer xfer;
    CHECK(i2c_bus_start(bus, 0x50, true));
    i2c_bus_get_transfer(bus, &xfer);
    CHECK_EQ_U64(xfer.phase, I2C_PHASE_READ);
    CHECK_EQ_U64(xfer.address, 0x50);
    i2c_bus_reset(bus);
    CHECK(!i2c_bus_busy(bus));
    CHECK(i2c_bus_set_transfer(bus, &xfer, NULL));
    CHECK_EQ_U64(i2c_bus_recv(bus), 0x00);
    i2c_bus_stop(bus);
    CHECK_STREQ(t->log, "R r00 P ");
    /* A NACKed transfer needs no target. */
    xfer = (I2CTransfer){.phase = I2C_PHASE_NO_TARGET, .address = 0x33};
    CHECK(i2c_bus_set_transfer(bus, &xfer, NULL));
    CHECK(i2c_bus_busy(bus));
    unplug(t);
    object_unref(OBJECT(bus));
}

UNIT_TEST(impossible_transfer_state_refused)
{
    static const struct {
        I2CTransfer xfer;
        const char *message;
    } cases[] = {
        {{I2C_PHASE_WRITE, 0x51},
         "the I2C transfer is addressed to 0x51, where this machine has no "
         "target"},
        {{I2C_PHASE_READ, 0x51},
         "the I2C transfer is addressed to 0x51, where this machine has no "
         "target"},
        {{I2C_PHASE_WRITE, 0x80},
         "I2C transfer address 0x80 is not a 7-bit address"},
        {{I2C_PHASE_IDLE, 0x50},
         "an idle I2C bus has no transfer address (0x50)"},
        {{4, 0x50}, "I2C transfer phase 4 does not exist"},
    };
    I2CBus *bus = new_bus();
    TestTarget *t = plug(bus, 0x50);
    CHECK(i2c_bus_start(bus, 0x50, false));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Error *err = NULL;
        CHECK(!i2c_bus_set_transfer(bus, &cases[i].xfer, &err));
        CHECK_STREQ(take_error(err), cases[i].message);
        /* Unchanged. */
        CHECK_EQ_U64(bus->xfer.phase, I2C_PHASE_WRITE);
        CHECK_EQ_U64(bus->xfer.address, 0x50);
    }
    i2c_bus_stop(bus);
    unplug(t);
    object_unref(OBJECT(bus));
}

int main(void)
{
    return unit_run_all();
}

/*
 * Power/test device unit tests: pass, fail with a code, reset through the
 * board's hook, and values that do nothing.
 */
#include "hw/hw-test.h"
#include "hw/misc/power/power.h"
#include "machine/virt-map.h"
#include "util/main-loop.h"

static int reset_calls;
static void *reset_seen_opaque;

static void count_reset(void *opaque)
{
    reset_calls++;
    reset_seen_opaque = opaque;
}

static DeviceState *power_setup(void)
{
    main_loop_reset();
    reset_calls = 0;
    reset_seen_opaque = NULL;
    return hw_test_create(TYPE_POWER_TEST);
}

UNIT_TEST(pass_exits_with_zero)
{
    DeviceState *dev = power_setup();
    CHECK(!main_loop_exit_requested());
    wr32(dev, POWER_TEST_CTRL, VIRT_POWER_PASS);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_I64(main_loop_exit_status(), 0);
    hw_test_destroy(dev);
}

UNIT_TEST(fail_exits_with_code)
{
    DeviceState *dev = power_setup();
    wr32(dev, POWER_TEST_CTRL, (42u << 16) | VIRT_POWER_FAIL);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_I64(main_loop_exit_status(), 42);
    hw_test_destroy(dev);

    dev = power_setup();
    wr32(dev, POWER_TEST_CTRL, (0xffffu << 16) | VIRT_POWER_FAIL);
    CHECK_EQ_U64(main_loop_exit_code(), 0xffff);
    CHECK_EQ_I64(main_loop_exit_status(), 255);
    hw_test_destroy(dev);
}

/* 256 as a process exit status would read as 0, success. */
UNIT_TEST(fail_code_multiple_of_256_is_still_a_failure)
{
    DeviceState *dev = power_setup();
    wr32(dev, POWER_TEST_CTRL, (256u << 16) | VIRT_POWER_FAIL);
    CHECK_EQ_U64(main_loop_exit_code(), 256);
    CHECK_EQ_I64(main_loop_exit_status(), 255);
    hw_test_destroy(dev);
}

UNIT_TEST(fail_with_code_zero_is_still_a_failure)
{
    DeviceState *dev = power_setup();
    wr32(dev, POWER_TEST_CTRL, VIRT_POWER_FAIL);
    CHECK(main_loop_exit_requested());
    CHECK_EQ_I64(main_loop_exit_status(), 1);
    hw_test_destroy(dev);
}

UNIT_TEST(reset_calls_the_board_hook)
{
    int board;
    DeviceState *dev = power_setup();
    /* Without a hook the request is logged and nothing happens. */
    wr32(dev, POWER_TEST_CTRL, VIRT_POWER_RESET);
    CHECK(!main_loop_exit_requested());
    power_test_set_reset_handler(dev, count_reset, &board);
    wr32(dev, POWER_TEST_CTRL, VIRT_POWER_RESET);
    CHECK_EQ_I64(reset_calls, 1);
    CHECK(reset_seen_opaque == &board);
    CHECK(!main_loop_exit_requested());
    hw_test_destroy(dev);
}

UNIT_TEST(other_values_do_nothing)
{
    DeviceState *dev = power_setup();
    power_test_set_reset_handler(dev, count_reset, NULL);
    wr32(dev, POWER_TEST_CTRL, 0);
    wr32(dev, POWER_TEST_CTRL, 0x1234);
    wr32(dev, 0x4, VIRT_POWER_PASS);           /* wrong offset */
    mmio_write(dev, POWER_TEST_CTRL, 0x55, 1); /* wrong size */
    mmio_write(dev, POWER_TEST_CTRL, VIRT_POWER_PASS, 2);
    CHECK(!main_loop_exit_requested());
    CHECK_EQ_I64(reset_calls, 0);
    CHECK_EQ_U64(rd32(dev, POWER_TEST_CTRL), 0);
    hw_test_destroy(dev);
}

UNIT_TEST(access_through_address_space)
{
    AddressSpace *as = get_address_space_memory();
    DeviceState *dev = power_setup();
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, VIRT_POWER_BASE);
    CHECK_EQ_I64(
        address_space_st(as, VIRT_POWER_BASE, 4, (7u << 16) | VIRT_POWER_FAIL),
        MEMTX_OK);
    CHECK_EQ_I64(main_loop_exit_status(), 7);
    hw_test_destroy(dev);
    main_loop_reset();
}

int main(void)
{
    return unit_run_all();
}

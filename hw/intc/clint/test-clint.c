/*
 * CLINT unit tests: mtime on the virtual clock, writing mtime, MTIP rising
 * at exactly the instant mtime reaches mtimecmp, and msip.
 */
#include "hw/hw-test.h"
#include "hw/intc/clint/clint.h"
#include "machine/virt-map.h"

typedef struct Clint {
    DeviceState *dev;
    IrqProbe msip;
    IrqProbe mtip;
} Clint;

static void clint_setup(Clint *c)
{
    c->dev = hw_test_create(TYPE_CLINT);
    irq_probe_attach(&c->msip, c->dev, CLINT_IRQ_MSIP);
    irq_probe_attach(&c->mtip, c->dev, CLINT_IRQ_MTIP);
}

UNIT_TEST(reset_values)
{
    Clint c;
    clint_setup(&c);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MSIP), 0);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIMECMP), UINT64_MAX);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MTIMECMP), UINT32_MAX);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MTIMECMP + 4), UINT32_MAX);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 0);
    CHECK_EQ_I64(c.mtip.level, 0);
    CHECK_EQ_I64(c.msip.level, 0);
    hw_test_destroy(c.dev);
}

UNIT_TEST(mtime_rate)
{
    Clint c;
    clint_setup(&c);
    /* 10 MHz: one tick per 100 ns of virtual time. */
    CHECK_EQ_U64(CLINT_NS_PER_TICK, 1000000000 / VIRT_CLINT_TIMEBASE_HZ);
    advance_to(99);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 0);
    advance_to(100);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 1);
    advance_to(123456789);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 1234567);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MTIME), 1234567);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MTIME + 4), 0);
    hw_test_destroy(c.dev);
}

UNIT_TEST(mtime_is_writable)
{
    Clint c;
    clint_setup(&c);
    advance_to(5050);
    wr64(c.dev, CLINT_MTIME, 1000);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 1000);
    advance_to(5100); /* the next tick boundary */
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 1001);
    /* Halves: set the high word, then the low word. */
    wr32(c.dev, CLINT_MTIME + 4, 0x2);
    wr32(c.dev, CLINT_MTIME, 0x10);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 0x200000010ULL);
    advance_to(5100 + 300);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 0x200000013ULL);
    /* Device reset restarts mtime from 0. */
    device_reset(c.dev);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIME), 0);
    hw_test_destroy(c.dev);
}

UNIT_TEST(mtip_rises_exactly_at_mtimecmp)
{
    Clint c;
    clint_setup(&c);
    advance_to(1000);
    wr64(c.dev, CLINT_MTIMECMP, 50);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(4999);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(5000);
    CHECK_EQ_I64(c.mtip.level, 1);
    CHECK_EQ_I64(c.mtip.last_rise_ns, 5000);
    /* A level: it stays high while mtime >= mtimecmp. */
    advance_to(90000);
    CHECK_EQ_I64(c.mtip.level, 1);
    CHECK_EQ_I64(c.mtip.rises, 1);
    /* Moving mtimecmp ahead clears it and re-arms. */
    wr64(c.dev, CLINT_MTIMECMP, 1000);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(99999);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(100000);
    CHECK_EQ_I64(c.mtip.level, 1);
    CHECK_EQ_I64(c.mtip.last_rise_ns, 100000);
    /* A comparator already passed raises it at once. */
    wr64(c.dev, CLINT_MTIMECMP, UINT64_MAX);
    CHECK_EQ_I64(c.mtip.level, 0);
    wr64(c.dev, CLINT_MTIMECMP, 3);
    CHECK_EQ_I64(c.mtip.level, 1);
    hw_test_destroy(c.dev);
}

UNIT_TEST(mtimecmp_written_in_halves)
{
    Clint c;
    clint_setup(&c);
    /* RV32 style: high word to all-ones first, then low, then high. */
    wr32(c.dev, CLINT_MTIMECMP + 4, UINT32_MAX);
    wr32(c.dev, CLINT_MTIMECMP, 20);
    CHECK_EQ_I64(c.mtip.level, 0);
    wr32(c.dev, CLINT_MTIMECMP + 4, 0);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIMECMP), 20);
    advance_to(1999);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(2000);
    CHECK_EQ_I64(c.mtip.level, 1);
    hw_test_destroy(c.dev);
}

UNIT_TEST(writing_mtime_moves_the_deadline)
{
    Clint c;
    clint_setup(&c);
    wr64(c.dev, CLINT_MTIMECMP, 100);
    advance_to(1000); /* mtime 10 */
    wr64(c.dev, CLINT_MTIME, 95);
    advance_to(1499);
    CHECK_EQ_I64(c.mtip.level, 0);
    advance_to(1500);
    CHECK_EQ_I64(c.mtip.level, 1);
    wr64(c.dev, CLINT_MTIME, 0);
    CHECK_EQ_I64(c.mtip.level, 0);
    wr64(c.dev, CLINT_MTIME, 200);
    CHECK_EQ_I64(c.mtip.level, 1);
    hw_test_destroy(c.dev);
}

UNIT_TEST(msip)
{
    Clint c;
    clint_setup(&c);
    wr32(c.dev, CLINT_MSIP, 0xffffffff);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MSIP), 1);
    CHECK_EQ_I64(c.msip.level, 1);
    CHECK_EQ_I64(c.mtip.level, 0);
    wr32(c.dev, CLINT_MSIP, 2);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MSIP), 0);
    CHECK_EQ_I64(c.msip.level, 0);
    wr32(c.dev, CLINT_MSIP, 1);
    device_reset(c.dev);
    CHECK_EQ_I64(c.msip.level, 0);
    hw_test_destroy(c.dev);
}

UNIT_TEST(bad_accesses_are_ignored)
{
    Clint c;
    clint_setup(&c);
    CHECK_EQ_U64(rd32(c.dev, 0x0004), 0); /* no second hart */
    CHECK_EQ_U64(mmio_read(c.dev, CLINT_MTIMECMP, 2), 0);
    mmio_write(c.dev, CLINT_MTIMECMP, 0, 1);
    mmio_write(c.dev, CLINT_MSIP, 1, 8);
    wr32(c.dev, 0x8000, 1);
    CHECK_EQ_U64(rd64(c.dev, CLINT_MTIMECMP), UINT64_MAX);
    CHECK_EQ_U64(rd32(c.dev, CLINT_MSIP), 0);
    hw_test_destroy(c.dev);
}

UNIT_TEST(access_through_address_space)
{
    Clint c;
    uint64_t value = 0;
    AddressSpace *as = get_address_space_memory();
    clint_setup(&c);
    sysbus_mmio_map(SYS_BUS_DEVICE(c.dev), 0, VIRT_CLINT_BASE);
    advance_to(700);
    CHECK_EQ_I64(address_space_ld(as, VIRT_CLINT_BASE + CLINT_MTIME, 8, &value),
                 MEMTX_OK);
    CHECK_EQ_U64(value, 7);
    CHECK_EQ_I64(address_space_st(as, VIRT_CLINT_BASE + CLINT_MSIP, 4, 1),
                 MEMTX_OK);
    CHECK_EQ_I64(c.msip.level, 1);
    hw_test_destroy(c.dev);
}

int main(void)
{
    return unit_run_all();
}

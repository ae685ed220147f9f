/*
 * HPET unit tests: capability and reset values, the main counter rate on
 * the virtual clock, one-shot and periodic comparators, 32-bit mode, level
 * and edge interrupts, status clearing, legacy routing and the "timers"
 * property.
 */
#include <string.h>

#include "hw/hw-test.h"
#include "hw/timer/hpet/hpet.h"
#include "machine/virt-map.h"

/* Routes the default INT_ROUTE_CAP allows (VIRT_HPET_INTCAP). */
enum { ROUTE_A = 16, ROUTE_B = 17 };

typedef struct Hpet {
    DeviceState *dev;
    HPETState *s;
    IrqProbe line[HPET_NUM_IRQ_ROUTES];
} Hpet;

static void hpet_attach_probes(Hpet *h)
{
    for (int r = 0; r < HPET_NUM_IRQ_ROUTES; r++) {
        irq_probe_attach(&h->line[r], h->dev, r);
    }
}

static void hpet_setup(Hpet *h)
{
    h->dev = hw_test_create(TYPE_HPET);
    h->s = HPET(h->dev);
    hpet_attach_probes(h);
}

static hwaddr tn(unsigned n, hwaddr reg)
{
    return HPET_TIMER_BASE + HPET_TIMER_STRIDE * n + reg;
}

static uint64_t route(unsigned r)
{
    return (uint64_t)r << HPET_TN_INT_ROUTE_SHIFT;
}

static void hpet_enable(Hpet *h)
{
    wr64(h->dev, HPET_GEN_CONF, HPET_CFG_ENABLE);
}

static int total_rises(const Hpet *h)
{
    int n = 0;
    for (int r = 0; r < HPET_NUM_IRQ_ROUTES; r++) {
        n += h->line[r].rises;
    }
    return n;
}

UNIT_TEST(capabilities_and_reset_values)
{
    Hpet h;
    hpet_setup(&h);
    /* REV_ID 1, NUM_TIM_CAP 2, COUNT_SIZE_CAP, LEG_RT_CAP, vendor 8086h,
     * period 10 ns = 10^7 fs. */
    CHECK_EQ_U64(rd64(h.dev, HPET_GCAP_ID), 0x009896808086a201ULL);
    CHECK_EQ_U64(rd32(h.dev, HPET_GCAP_ID), 0x8086a201);
    CHECK_EQ_U64(rd32(h.dev, HPET_GCAP_ID + 4), VIRT_HPET_PERIOD_FS);
    CHECK_EQ_U64(rd64(h.dev, HPET_GEN_CONF), 0);
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 0);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 0);
    for (unsigned n = 0; n < 3; n++) {
        /* PER_INT_CAP and SIZE_CAP, routes from "intcap". */
        CHECK_EQ_U64(rd64(h.dev, tn(n, HPET_TN_CONF_CAP)),
                     ((uint64_t)VIRT_HPET_INTCAP << 32) | 0x30);
        CHECK_EQ_U64(rd64(h.dev, tn(n, HPET_TN_COMPARATOR)), UINT64_MAX);
        CHECK_EQ_U64(rd64(h.dev, tn(n, HPET_TN_FSB_ROUTE)), 0);
    }
    /* Timer 3 does not exist. */
    CHECK_EQ_U64(rd64(h.dev, tn(3, HPET_TN_CONF_CAP)), 0);
    /* Read-only and reserved registers ignore writes. */
    wr64(h.dev, HPET_GCAP_ID, 0);
    CHECK_EQ_U64(rd32(h.dev, HPET_GCAP_ID), 0x8086a201);
    wr64(h.dev, 0x30, 1);
    CHECK_EQ_U64(rd64(h.dev, 0x30), 0);
    CHECK_EQ_I64(total_rises(&h), 0);
    hw_test_destroy(h.dev);
}

UNIT_TEST(timers_property)
{
    Error *err = NULL;
    vclock_reset();

    DeviceState *dev = hw_test_new(TYPE_HPET);
    CHECK_EQ_U64(object_property_get_uint(OBJECT(dev), "timers", NULL), 3);
    CHECK_EQ_U64(object_property_get_uint(OBJECT(dev), "intcap", NULL),
                 VIRT_HPET_INTCAP);
    CHECK(object_property_set_uint(OBJECT(dev), "timers", 2, NULL));
    CHECK(!device_realize(dev, &err));
    CHECK(err != NULL);
    CHECK(strstr(error_get_message(err), "'timers' is 2") != NULL);
    CHECK(strstr(error_get_message(err), "between 3 and 32") != NULL);
    error_free(err);
    err = NULL;
    CHECK(object_property_set_uint(OBJECT(dev), "timers", 33, NULL));
    CHECK(!device_realize(dev, &err));
    error_free(err);
    err = NULL;
    CHECK(!dev->realized);
    object_unref(OBJECT(dev));

    dev = hw_test_new(TYPE_HPET);
    CHECK(object_property_set_uint(OBJECT(dev), "timers", 32, NULL));
    CHECK(object_property_set_uint(OBJECT(dev), "intcap", 0x10, NULL));
    hw_test_realize(dev);
    CHECK_EQ_U64(rd32(dev, HPET_GCAP_ID) & 0x1f00, 31 << 8);
    /* Timer 31 sits past the 1 KiB window, which grows to cover it. */
    CHECK_EQ_U64(rd64(dev, tn(31, HPET_TN_CONF_CAP)), (0x10ULL << 32) | 0x30);
    CHECK_EQ_U64(sysbus_mmio_get_region(SYS_BUS_DEVICE(dev), 0)->size,
                 tn(32, 0));
    hw_test_destroy(dev);
}

UNIT_TEST(main_counter_rate)
{
    Hpet h;
    hpet_setup(&h);
    advance_to(500);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 0); /* halted */
    hpet_enable(&h);
    advance_to(500 + 1000);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 100);
    advance_to(500 + 1009);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 100);
    advance_to(500 + 1010);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 101);
    /* Writes are ignored while it runs. */
    wr64(h.dev, HPET_MAIN_CNT, 5);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 101);
    /* Halting freezes it. */
    advance_to(500 + 2005);
    wr64(h.dev, HPET_GEN_CONF, 0);
    advance_to(100000);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 200);
    /* Writable while halted, in halves too. */
    wr32(h.dev, HPET_MAIN_CNT + 4, 0x1);
    wr32(h.dev, HPET_MAIN_CNT, 0xfffffff0);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 0x1fffffff0ULL);
    hpet_enable(&h);
    advance_to(100000 + 200);
    CHECK_EQ_U64(rd64(h.dev, HPET_MAIN_CNT), 0x200000004ULL);
    CHECK_EQ_U64(rd32(h.dev, HPET_MAIN_CNT), 0x4);
    CHECK_EQ_U64(rd32(h.dev, HPET_MAIN_CNT + 4), 0x2);
    hw_test_destroy(h.dev);
}

UNIT_TEST(one_shot_edge_interrupt)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), HPET_TN_INT_ENB | route(ROUTE_A));
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 500);
    hpet_enable(&h);
    advance_to(4999);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 0);
    advance_to(5000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 5000);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0); /* a pulse */
    /* Edge interrupts leave no status bit. */
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 0);
    /* One-shot: the comparator stays, nothing fires again. */
    advance_to(10000000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 500);
    CHECK_EQ_I64(total_rises(&h), 1);
    hw_test_destroy(h.dev);
}

UNIT_TEST(one_shot_level_interrupt_and_status)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(1, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | route(ROUTE_B));
    wr64(h.dev, tn(1, HPET_TN_COMPARATOR), 300);
    hpet_enable(&h);
    advance_to(2999);
    CHECK_EQ_I64(h.line[ROUTE_B].level, 0);
    advance_to(3000);
    CHECK_EQ_I64(h.line[ROUTE_B].level, 1);
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 1u << 1);
    /* Held until cleared; writing 0 does nothing. */
    advance_to(50000);
    wr64(h.dev, HPET_GINTR_STA, 0);
    CHECK_EQ_I64(h.line[ROUTE_B].level, 1);
    wr32(h.dev, HPET_GINTR_STA, 1u << 1);
    CHECK_EQ_I64(h.line[ROUTE_B].level, 0);
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 0);
    CHECK_EQ_I64(h.line[ROUTE_B].rises, 1);
    hw_test_destroy(h.dev);
}

UNIT_TEST(level_status_without_int_enb)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_TYPE_LEVEL | route(ROUTE_A));
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 10);
    hpet_enable(&h);
    advance_to(100);
    /* The status bit is set, the line stays quiet. */
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 1);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    /* Enabling the interrupt delivers the pending status. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | route(ROUTE_A));
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    /* Halting stops new events but keeps an asserted level interrupt. */
    wr64(h.dev, HPET_GEN_CONF, 0);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    /* Clearing INT_ENB withdraws it, setting it again re-asserts. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_TYPE_LEVEL | route(ROUTE_A));
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | route(ROUTE_A));
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    hpet_enable(&h);
    /* Switching to edge mode drops the status bit. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), HPET_TN_INT_ENB | route(ROUTE_A));
    CHECK_EQ_U64(rd64(h.dev, HPET_GINTR_STA), 0);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    hw_test_destroy(h.dev);
}

UNIT_TEST(periodic_mode)
{
    Hpet h;
    hpet_setup(&h);
    /* The usual sequence: VAL_SET, write the first deadline (accumulator),
     * then the period. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | route(ROUTE_A));
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 100);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_CONF_CAP)) & HPET_TN_VAL_SET, 0);
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 250);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 100);
    hpet_enable(&h);
    advance_to(999);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 0);
    advance_to(1000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 350);
    advance_to(3499);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    advance_to(3500);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 2);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 3500);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 600);
    /* Ten more periods, each exactly 2500 ns apart. */
    advance_to(3500 + 10 * 2500);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 12);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 3500 + 10 * 2500);
    /* A write without VAL_SET changes only the period. */
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 1000);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 100 + 12 * 250);
    advance_to(3500 + 11 * 2500);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 13);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 100 + 12 * 250 + 1000);
    advance_to(3500 + 11 * 2500 + 10000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 14);
    hw_test_destroy(h.dev);
}

UNIT_TEST(periodic_level_holds_until_cleared)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(2, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | HPET_TN_PERIODIC |
             HPET_TN_VAL_SET | route(ROUTE_A));
    wr64(h.dev, tn(2, HPET_TN_COMPARATOR), 100);
    hpet_enable(&h);
    advance_to(1000);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    advance_to(2500); /* the next period fires while still high */
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    wr64(h.dev, HPET_GINTR_STA, 1u << 2);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    advance_to(3000);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 2);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 3000);
    hw_test_destroy(h.dev);
}

UNIT_TEST(thirty_two_bit_one_shot_wraps)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, HPET_MAIN_CNT, 0xffffff00ULL);
    /* Timer 0: 32-bit, comparator 0x80: fires on the wrap of the low 32
     * bits and again at the match.  Timer 1: 64-bit, comparator
     * 0x1_0000_0080: fires only at the full match. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_32BIT | route(ROUTE_A));
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 0xffffffffULL);
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 0xaaaaaaaa00000080ULL);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 0x80);
    wr64(h.dev, tn(1, HPET_TN_CONF_CAP), HPET_TN_INT_ENB | route(ROUTE_B));
    wr64(h.dev, tn(1, HPET_TN_COMPARATOR), 0x100000080ULL);
    hpet_enable(&h);
    advance_to(0x100 * 10 - 1);
    CHECK_EQ_I64(total_rises(&h), 0);
    advance_to(0x100 * 10);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_I64(h.line[ROUTE_B].rises, 0);
    advance_to(0x180 * 10);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 2);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 0x180 * 10);
    CHECK_EQ_I64(h.line[ROUTE_B].rises, 1);
    CHECK_EQ_I64(h.line[ROUTE_B].last_rise_ns, 0x180 * 10);
    hw_test_destroy(h.dev);
}

UNIT_TEST(thirty_two_bit_periodic_accumulator_wraps)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, HPET_MAIN_CNT, 0x7ffffff00ULL);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP),
         HPET_TN_INT_ENB | HPET_TN_32BIT | HPET_TN_PERIODIC | HPET_TN_VAL_SET |
             route(ROUTE_A));
    wr32(h.dev, tn(0, HPET_TN_COMPARATOR), 0xffffff80);
    wr32(h.dev, tn(0, HPET_TN_COMPARATOR), 0x100);
    hpet_enable(&h);
    advance_to(0x80 * 10);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 0x80);
    /* Periodic 32-bit timers do not add a wrap interrupt. */
    advance_to(0x180 * 10 - 1);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    advance_to(0x180 * 10);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 2);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 0x180);
    hw_test_destroy(h.dev);
}

UNIT_TEST(legacy_replacement_routing)
{
    Hpet h;
    hpet_setup(&h);
    for (unsigned n = 0; n < 3; n++) {
        wr64(h.dev, tn(n, HPET_TN_CONF_CAP),
             HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | route(ROUTE_A));
        wr64(h.dev, tn(n, HPET_TN_COMPARATOR), 100 * (n + 1));
    }
    wr64(h.dev, HPET_GEN_CONF, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    advance_to(1000);
    CHECK_EQ_I64(h.line[VIRT_HPET_LEGACY_IRQ0].level, 1);
    CHECK_EQ_I64(h.line[VIRT_HPET_LEGACY_IRQ1].level, 0);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    advance_to(2000);
    CHECK_EQ_I64(h.line[VIRT_HPET_LEGACY_IRQ1].level, 1);
    advance_to(3000);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1); /* timer 2 keeps its route */
    /* Leaving legacy mode moves timers 0 and 1 back to their route. */
    wr64(h.dev, HPET_GEN_CONF, HPET_CFG_ENABLE);
    CHECK_EQ_I64(h.line[VIRT_HPET_LEGACY_IRQ0].level, 0);
    CHECK_EQ_I64(h.line[VIRT_HPET_LEGACY_IRQ1].level, 0);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 1);
    wr64(h.dev, HPET_GINTR_STA, 0x7);
    CHECK_EQ_I64(h.line[ROUTE_A].level, 0);
    hw_test_destroy(h.dev);
}

UNIT_TEST(unsupported_route_does_not_stick)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), route(8));
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_CONF_CAP)) & HPET_TN_INT_ROUTE_MASK,
                 route(8));
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), route(3) | HPET_TN_INT_ENB);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_CONF_CAP)) & 0xffff,
                 route(8) | HPET_TN_INT_ENB | 0x30);
    /* Capability bits are read-only. */
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), 0);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_CONF_CAP)),
                 ((uint64_t)VIRT_HPET_INTCAP << 32) | 0x30 | route(8));
    hw_test_destroy(h.dev);
}

UNIT_TEST(halting_stops_events)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), HPET_TN_INT_ENB | route(ROUTE_A));
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 100);
    hpet_enable(&h);
    advance_to(600); /* counter 60 */
    wr64(h.dev, HPET_GEN_CONF, 0);
    advance_to(100000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 0);
    /* Resuming counts on from 60: the match is 40 ticks later. */
    hpet_enable(&h);
    advance_to(100000 + 399);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 0);
    advance_to(100000 + 400);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    hw_test_destroy(h.dev);
}

UNIT_TEST(comparator_halves_and_match_now)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_CONF_CAP), HPET_TN_INT_ENB | route(ROUTE_A));
    wr32(h.dev, tn(0, HPET_TN_COMPARATOR) + 4, 0);
    wr32(h.dev, tn(0, HPET_TN_COMPARATOR), 1000);
    CHECK_EQ_U64(rd64(h.dev, tn(0, HPET_TN_COMPARATOR)), 1000);
    CHECK_EQ_U64(rd32(h.dev, tn(0, HPET_TN_COMPARATOR) + 4), 0);
    hpet_enable(&h);
    advance_to(5000);
    /* Setting the comparator to the current count fires at once. */
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), rd64(h.dev, HPET_MAIN_CNT));
    advance_to(5000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    CHECK_EQ_I64(h.line[ROUTE_A].last_rise_ns, 5000);
    advance_to(20000);
    CHECK_EQ_I64(h.line[ROUTE_A].rises, 1);
    /* Bad sizes and offsets read as 0 and change nothing. */
    CHECK_EQ_U64(mmio_read(h.dev, HPET_GEN_CONF, 2), 0);
    CHECK_EQ_U64(mmio_read(h.dev, HPET_GEN_CONF + 4, 8), 0);
    mmio_write(h.dev, HPET_GEN_CONF, 0, 1);
    CHECK_EQ_U64(rd64(h.dev, HPET_GEN_CONF), HPET_CFG_ENABLE);
    hw_test_destroy(h.dev);
}

/* A 32-bit write replaces one half of a 64-bit register and keeps the
 * other, whatever both hold: the main counter (halted) and a 64-bit
 * one-shot comparator.  The Rust twin once lost the high half on armhf. */
UNIT_TEST(half_writes_keep_the_other_half)
{
    static const uint64_t old_values[] = {0x1000000c8, 0x123456789abcdef0,
                                          UINT64_MAX};
    static const uint64_t new_values[] = {0, 0xfffffff0, 0xdeadbeef};
    const hwaddr regs[] = {HPET_MAIN_CNT, tn(0, HPET_TN_COMPARATOR)};
    for (size_t r = 0; r < 2; r++) {
        for (size_t o = 0; o < 3; o++) {
            for (size_t n = 0; n < 3; n++) {
                uint64_t old = old_values[o], new = new_values[n];
                Hpet h;
                hpet_setup(&h);
                wr64(h.dev, regs[r], old);
                wr32(h.dev, regs[r], new);
                CHECK_EQ_U64(rd64(h.dev, regs[r]),
                             (old & 0xffffffff00000000) | new);
                wr64(h.dev, regs[r], old);
                wr32(h.dev, regs[r] + 4, new);
                CHECK_EQ_U64(rd64(h.dev, regs[r]),
                             (new << 32) | (old & 0xffffffff));
                hw_test_destroy(h.dev);
            }
        }
    }
}

UNIT_TEST(access_through_address_space)
{
    Hpet h;
    uint64_t value = 0;
    AddressSpace *as = get_address_space_memory();
    hpet_setup(&h);
    sysbus_mmio_map(SYS_BUS_DEVICE(h.dev), 0, VIRT_HPET_BASE);
    CHECK_EQ_I64(address_space_ld(as, VIRT_HPET_BASE + HPET_GCAP_ID, 8, &value),
                 MEMTX_OK);
    CHECK_EQ_U64(value, 0x009896808086a201ULL);
    CHECK_EQ_I64(address_space_st(as, VIRT_HPET_BASE + HPET_GEN_CONF, 4, 1),
                 MEMTX_OK);
    advance_to(100);
    CHECK_EQ_I64(
        address_space_ld(as, VIRT_HPET_BASE + HPET_MAIN_CNT + 4, 4, &value),
        MEMTX_OK);
    CHECK_EQ_U64(value, 0);
    CHECK_EQ_I64(
        address_space_ld(as, VIRT_HPET_BASE + HPET_MAIN_CNT, 4, &value),
        MEMTX_OK);
    CHECK_EQ_U64(value, 10);
    hw_test_destroy(h.dev);
}

/* The "registers" property (-d dev_regs, the twin tests); hw/timer/hpet/rust's
 * registers_text test expects the same text. */
UNIT_TEST(registers_property)
{
    Hpet h;
    hpet_setup(&h);
    wr64(h.dev, tn(0, HPET_TN_COMPARATOR), 0x1234);
    hpet_enable(&h);
    advance_to(500);
    char *text =
        object_property_get_str(OBJECT(h.dev), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text, "cap=0x9896808086a201 config=0x1 isr=0x0 counter=0x32 "
                      "irq_level=0x0 timer0.config=0xff010400000030 "
                      "timer0.comparator=0x1234 timer0.period=0x0 "
                      "timer1.config=0xff010400000030 "
                      "timer1.comparator=0xffffffffffffffff timer1.period=0x0 "
                      "timer2.config=0xff010400000030 "
                      "timer2.comparator=0xffffffffffffffff timer2.period=0x0");
    free(text);
    hw_test_destroy(h.dev);
}

int main(void)
{
    return unit_run_all();
}

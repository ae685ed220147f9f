/*
 * PLIC unit tests: priorities, enables, threshold, claim/complete with
 * priority ties, level-sensitive gateways that re-pend on completion, and
 * the MEIP output.
 */
#include "hw/hw-test.h"
#include "hw/intc/plic/plic.h"
#include "machine/virt-map.h"

typedef struct Plic {
    DeviceState *dev;
    PLICState *s;
    IrqProbe meip;
} Plic;

static void plic_setup(Plic *p)
{
    p->dev = hw_test_create(TYPE_PLIC);
    p->s = PLIC(p->dev);
    irq_probe_attach(&p->meip, p->dev, 0);
}

static void set_line(Plic *p, int src, int level)
{
    irq_set(qdev_get_gpio_in(p->dev, src), level);
}

static void set_priority(Plic *p, unsigned src, uint32_t prio)
{
    wr32(p->dev, PLIC_PRIORITY_BASE + 4 * src, prio);
}

static uint32_t claim(Plic *p)
{
    return rd32(p->dev, PLIC_CLAIM_COMPLETE);
}

static void complete(Plic *p, uint32_t src)
{
    wr32(p->dev, PLIC_CLAIM_COMPLETE, src);
}

UNIT_TEST(reset_values)
{
    Plic p;
    plic_setup(&p);
    for (unsigned src = 0; src < PLIC_NUM_SOURCES; src++) {
        CHECK_EQ_U64(rd32(p.dev, PLIC_PRIORITY_BASE + 4 * src), 0);
    }
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    CHECK_EQ_U64(rd32(p.dev, PLIC_ENABLE_BASE), 0);
    CHECK_EQ_U64(rd32(p.dev, PLIC_THRESHOLD), 0);
    CHECK_EQ_U64(claim(&p), 0);
    CHECK_EQ_I64(p.meip.level, 0);
    hw_test_destroy(p.dev);
}

UNIT_TEST(register_fields)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, 5, 0xff);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PRIORITY_BASE + 4 * 5), 7);
    set_priority(&p, 0, 3); /* source 0 does not exist */
    CHECK_EQ_U64(rd32(p.dev, PLIC_PRIORITY_BASE), 0);
    wr32(p.dev, PLIC_THRESHOLD, 0x1f);
    CHECK_EQ_U64(rd32(p.dev, PLIC_THRESHOLD), 7);
    wr32(p.dev, PLIC_ENABLE_BASE, 0xffffffff);
    CHECK_EQ_U64(rd32(p.dev, PLIC_ENABLE_BASE), 0xfffffffe);
    /* Pending is read-only, source 0's input is ignored. */
    wr32(p.dev, PLIC_PENDING_BASE, 0xffffffff);
    set_line(&p, 0, 1);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    /* Unimplemented offsets and sizes read 0. */
    CHECK_EQ_U64(rd32(p.dev, 0x1004), 0);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PRIORITY_BASE + 4 * PLIC_NUM_SOURCES), 0);
    CHECK_EQ_U64(mmio_read(p.dev, PLIC_PRIORITY_BASE + 4 * 5, 1), 0);
    mmio_write(p.dev, PLIC_THRESHOLD, 0, 8);
    CHECK_EQ_U64(rd32(p.dev, PLIC_THRESHOLD), 7);
    hw_test_destroy(p.dev);
}

UNIT_TEST(pending_needs_enable_and_priority)
{
    Plic p;
    plic_setup(&p);
    set_line(&p, VIRT_UART0_IRQ, 1);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 1u << VIRT_UART0_IRQ);
    CHECK_EQ_I64(p.meip.level, 0); /* not enabled, priority 0 */
    wr32(p.dev, PLIC_ENABLE_BASE, 1u << VIRT_UART0_IRQ);
    CHECK_EQ_I64(p.meip.level, 0); /* priority 0 never interrupts */
    CHECK_EQ_U64(claim(&p), 0);
    set_priority(&p, VIRT_UART0_IRQ, 1);
    CHECK_EQ_I64(p.meip.level, 1);
    wr32(p.dev, PLIC_ENABLE_BASE, 0);
    CHECK_EQ_I64(p.meip.level, 0);
    hw_test_destroy(p.dev);
}

UNIT_TEST(claim_order_priority_then_lowest_id)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, 3, 2);
    set_priority(&p, 5, 5);
    set_priority(&p, 7, 5);
    set_priority(&p, 9, 1);
    wr32(p.dev, PLIC_ENABLE_BASE,
         (1u << 3) | (1u << 5) | (1u << 7) | (1u << 9));
    set_line(&p, 9, 1);
    set_line(&p, 7, 1);
    set_line(&p, 5, 1);
    set_line(&p, 3, 1);
    CHECK_EQ_I64(p.meip.level, 1);
    CHECK_EQ_U64(claim(&p), 5);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE),
                 (1u << 3) | (1u << 7) | (1u << 9));
    CHECK_EQ_U64(claim(&p), 7);
    CHECK_EQ_U64(claim(&p), 3);
    CHECK_EQ_U64(claim(&p), 9);
    CHECK_EQ_I64(p.meip.level, 0);
    CHECK_EQ_U64(claim(&p), 0);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    hw_test_destroy(p.dev);
}

UNIT_TEST(threshold_masks_lower_priorities)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, 4, 3);
    wr32(p.dev, PLIC_ENABLE_BASE, 1u << 4);
    wr32(p.dev, PLIC_THRESHOLD, 3);
    set_line(&p, 4, 1);
    /* Delivery needs priority strictly above the threshold. */
    CHECK_EQ_I64(p.meip.level, 0);
    CHECK_EQ_U64(claim(&p), 0);
    wr32(p.dev, PLIC_THRESHOLD, 2);
    CHECK_EQ_I64(p.meip.level, 1);
    CHECK_EQ_U64(claim(&p), 4);
    hw_test_destroy(p.dev);
}

/* The sources a rising line could still deliver: what the board asks
 * when the hart sleeps in WFI. */
UNIT_TEST(open_sources_follow_enable_threshold_and_service)
{
    Plic p;
    plic_setup(&p);
    CHECK_EQ_U64(plic_open_sources(p.s), 0);
    set_priority(&p, 2, 1);
    set_priority(&p, VIRT_UART0_IRQ, 2);
    CHECK_EQ_U64(plic_open_sources(p.s), 0); /* none enabled */
    wr32(p.dev, PLIC_ENABLE_BASE, (1u << 2) | (1u << VIRT_UART0_IRQ) | 8);
    /* Source 3 is enabled but has priority 0: never delivered. */
    CHECK_EQ_U64(plic_open_sources(p.s), (1u << 2) | (1u << VIRT_UART0_IRQ));
    wr32(p.dev, PLIC_THRESHOLD, 1);
    CHECK_EQ_U64(plic_open_sources(p.s), 1u << VIRT_UART0_IRQ);
    set_line(&p, VIRT_UART0_IRQ, 1);
    CHECK_EQ_U64(claim(&p), VIRT_UART0_IRQ);
    CHECK_EQ_U64(plic_open_sources(p.s), 0); /* in service */
    complete(&p, VIRT_UART0_IRQ);
    CHECK_EQ_U64(plic_open_sources(p.s), 1u << VIRT_UART0_IRQ);
    hw_test_destroy(p.dev);
}

UNIT_TEST(level_gateway_repends_after_complete)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, VIRT_UART0_IRQ, 1);
    wr32(p.dev, PLIC_ENABLE_BASE, 1u << VIRT_UART0_IRQ);
    set_line(&p, VIRT_UART0_IRQ, 1);
    CHECK_EQ_U64(claim(&p), VIRT_UART0_IRQ);
    /* In service: the high line does not pend again yet. */
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    CHECK_EQ_I64(p.meip.level, 0);
    set_line(&p, VIRT_UART0_IRQ, 1);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    /* Completing with the line still high pends it again. */
    complete(&p, VIRT_UART0_IRQ);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 1u << VIRT_UART0_IRQ);
    CHECK_EQ_I64(p.meip.level, 1);
    CHECK_EQ_U64(claim(&p), VIRT_UART0_IRQ);
    /* Serviced: the device dropped its line before completion. */
    set_line(&p, VIRT_UART0_IRQ, 0);
    complete(&p, VIRT_UART0_IRQ);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    CHECK_EQ_I64(p.meip.level, 0);
    CHECK_EQ_U64(claim(&p), 0);
    hw_test_destroy(p.dev);
}

UNIT_TEST(request_survives_line_drop_before_claim)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, 2, 1);
    wr32(p.dev, PLIC_ENABLE_BASE, 1u << 2);
    set_line(&p, 2, 1);
    set_line(&p, 2, 0);
    CHECK_EQ_I64(p.meip.level, 1);
    CHECK_EQ_U64(claim(&p), 2);
    complete(&p, 2);
    CHECK_EQ_I64(p.meip.level, 0);
    hw_test_destroy(p.dev);
}

UNIT_TEST(bad_completions_are_ignored)
{
    Plic p;
    plic_setup(&p);
    set_priority(&p, 6, 1);
    set_priority(&p, 8, 1);
    wr32(p.dev, PLIC_ENABLE_BASE, (1u << 6) | (1u << 8));
    set_line(&p, 6, 1);
    CHECK_EQ_U64(claim(&p), 6);
    complete(&p, 8);   /* not in service */
    complete(&p, 0);   /* does not exist */
    complete(&p, 100); /* out of range */
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    /* Not enabled any more: the completion is ignored (spec). */
    wr32(p.dev, PLIC_ENABLE_BASE, 1u << 8);
    complete(&p, 6);
    wr32(p.dev, PLIC_ENABLE_BASE, (1u << 6) | (1u << 8));
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 0);
    complete(&p, 6);
    CHECK_EQ_U64(rd32(p.dev, PLIC_PENDING_BASE), 1u << 6);
    hw_test_destroy(p.dev);
}

UNIT_TEST(access_through_address_space)
{
    Plic p;
    uint64_t value = 0;
    AddressSpace *as = get_address_space_memory();
    plic_setup(&p);
    sysbus_mmio_map(SYS_BUS_DEVICE(p.dev), 0, VIRT_PLIC_BASE);
    CHECK_EQ_I64(address_space_st(as, VIRT_PLIC_BASE + 4 * 3, 4, 4), MEMTX_OK);
    CHECK_EQ_I64(
        address_space_st(as, VIRT_PLIC_BASE + PLIC_ENABLE_BASE, 4, 1u << 3),
        MEMTX_OK);
    set_line(&p, 3, 1);
    CHECK_EQ_I64(
        address_space_ld(as, VIRT_PLIC_BASE + PLIC_CLAIM_COMPLETE, 4, &value),
        MEMTX_OK);
    CHECK_EQ_U64(value, 3);
    hw_test_destroy(p.dev);
}

int main(void)
{
    return unit_run_all();
}

/*
 * PLIC self-test with HPET timers as interrupt sources (timer 0 -> source
 * 2, timer 1 -> source 8, level-triggered): register read-back, enable and
 * threshold masking seen in mip.MEIP, claim/complete including the level
 * gateway re-raising a source that is still asserted, priority order, and a
 * real external interrupt trap.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "csr.h"
#include "hpet.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"
#include "wait.h"

#define SRC_A 2 /* HPET timer 0 */
#define SRC_B 8 /* HPET timer 1 */
#define POLL_LIMIT 100000

static bool meip(void)
{
    return (csr_read(mip) & MIP_MEIP) != 0;
}

/* Fire a level-triggered one-shot on HPET timer n (route = src) and leave
 * its status bit, and so its interrupt line, set. */
static void assert_source(unsigned timer, unsigned src)
{
    hpet_write(HPET_GEN_CONF, 0);
    hpet_write(HPET_TIMER_CONF(timer),
               HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | HPET_TN_ROUTE(src));
    hpet_write(HPET_TIMER_CMP(timer), hpet_counter() + 10);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    for (unsigned i = 0;
         i < POLL_LIMIT && !((hpet_read(HPET_GINTR_STA) >> timer) & 1); i++) {
    }
    hpet_write(HPET_GEN_CONF, 0);
}

static void deassert_source(unsigned timer)
{
    hpet_write(HPET_GINTR_STA, 1u << timer);
}

static void check_registers(void)
{
    uint32_t enable, bad_priority = 0, bad_threshold = 0;

    for (uint32_t p = 0; p <= 7; p++) {
        plic_set_priority(SRC_A, p);
        if (plic_priority(SRC_A) != p) {
            bad_priority++;
        }
        plic_set_threshold(p);
        if (mmio_read32(VIRT_PLIC_BASE + PLIC_THRESHOLD) != p) {
            bad_threshold++;
        }
    }
    check_count("priorities 0..7 read back", bad_priority, 0);
    check_count("thresholds 0..7 read back", bad_threshold, 0);
    plic_set_priority(SRC_A, 0);
    plic_set_threshold(0);

    mmio_write32(VIRT_PLIC_BASE + PLIC_ENABLE, 0xffffffff);
    enable = mmio_read32(VIRT_PLIC_BASE + PLIC_ENABLE);
    mmio_write32(VIRT_PLIC_BASE + PLIC_ENABLE, 0);
    check_eq("enable bits 1..31 writable, source 0 hardwired to 0", enable,
             0xfffffffe);
    check_eq("nothing pending at start",
             mmio_read32(VIRT_PLIC_BASE + PLIC_PENDING), 0);
    check_true("mip.MEIP clear at start", !meip());
}

static void check_masking(void)
{
    assert_source(0, SRC_A);
    check_true("hpet raises source 2: pending bit set", plic_is_pending(SRC_A));
    plic_set_priority(SRC_A, 1);
    check_true("disabled source does not raise MEIP", !meip());
    plic_enable(SRC_A);
    check_true("enabled source with priority 1 > threshold 0 raises MEIP",
               meip());
    plic_set_threshold(1);
    check_true("threshold 1 masks priority 1", !meip());
    plic_set_priority(SRC_A, 2);
    check_true("priority 2 > threshold 1 raises MEIP", meip());
    plic_set_threshold(0);
    plic_set_priority(SRC_A, 0);
    check_true("priority 0 never interrupts", !meip());
    plic_set_priority(SRC_A, 1);
}

static void check_claim_complete(void)
{
    uint32_t claimed;

    /* Source 2 is still asserted by check_masking(). */
    claimed = plic_claim();
    check_count("claim returns source 2", claimed, SRC_A);
    check_true("claim clears the pending bit", !plic_is_pending(SRC_A));
    check_true("no MEIP while the only source is claimed", !meip());
    check_count("second claim returns 0", plic_claim(), 0);
    plic_complete(claimed);
    check_true("complete re-pends a source that is still asserted",
               plic_is_pending(SRC_A));
    check_true("and MEIP is raised again", meip());
    claimed = plic_claim();
    deassert_source(0);
    plic_complete(claimed);
    check_true("complete after deasserting leaves nothing pending",
               !plic_is_pending(SRC_A));
    check_true("MEIP clear after the last complete", !meip());
}

static void check_priority_order(void)
{
    uint32_t first, second;

    plic_set_priority(SRC_A, 3);
    plic_set_priority(SRC_B, 5);
    plic_enable(SRC_B);
    assert_source(0, SRC_A);
    assert_source(1, SRC_B);
    first = plic_claim();
    second = plic_claim();
    check_count("higher priority first: claim returns 8", first, SRC_B);
    check_count("then source 2", second, SRC_A);
    plic_complete(first);
    plic_complete(second);

    /* Still asserted, so both are pending again after completion. */
    plic_set_priority(SRC_B, 3);
    first = plic_claim();
    second = plic_claim();
    check_count("equal priority: lower id first, claim returns 2", first,
                SRC_A);
    check_count("then source 8", second, SRC_B);
    deassert_source(0);
    deassert_source(1);
    plic_complete(first);
    plic_complete(second);
    check_eq("nothing pending after both complete",
             mmio_read32(VIRT_PLIC_BASE + PLIC_PENDING), 0);
    plic_disable(SRC_B);
}

static volatile uint32_t irq_count;
static volatile uint32_t irq_source;
static volatile uint64_t irq_mcause;

static void source_a_irq(unsigned src)
{
    irq_source = src;
    irq_mcause = csr_read(mcause);
    deassert_source(0);
    irq_count++;
}

static void check_trap(void)
{
    bool arrived;

    plic_set_handler(SRC_A, source_a_irq);
    plic_set_priority(SRC_A, 1);
    plic_enable(SRC_A);
    csr_set(mie, MIP_MEIP);
    hpet_write(HPET_TIMER_CONF(0),
               HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL | HPET_TN_ROUTE(SRC_A));
    hpet_write(HPET_TIMER_CMP(0), hpet_counter() + 1000);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    arrived = wait_for_count(&irq_count, 1, 1000);
    hpet_write(HPET_GEN_CONF, 0);
    csr_clear(mie, MIP_MEIP);
    check_true("external interrupt trap taken", arrived);
    check_eq("mcause is machine external interrupt", irq_mcause,
             MCAUSE_INTERRUPT | IRQ_M_EXT);
    check_count("handler ran for source 2", irq_source, SRC_A);
    check_true("nothing pending after the handler", !plic_is_pending(SRC_A));
    plic_disable(SRC_A);
}

int main(void)
{
    uart_init(true);
    print("plic test\n");
    hpet_quiesce();
    check_registers();
    check_masking();
    check_claim_complete();
    check_priority_order();
    check_trap();
    hpet_quiesce();
    return check_summary("plic");
}

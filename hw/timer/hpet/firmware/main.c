/*
 * HPET self-test: capabilities and reset values, the main counter (runs
 * while enabled at 10x the CLINT rate, holds while halted), a one-shot and a
 * periodic timer interrupt through the PLIC, 32-bit mode, the level status
 * bit and edge mode, and routing of each timer to its PLIC source.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "clint.h"
#include "csr.h"
#include "hpet.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"
#include "wait.h"

#define TIMER0_IRQ 2 /* HPET_TN_ROUTE value == PLIC source */
#define TIMER1_IRQ 8
#define TIMER2_IRQ 17
#define ONESHOT_TICKS 1000 /* 10 us */
#define PERIOD_TICKS 10000 /* 100 us */
#define PERIODIC_COUNT 5
#define IRQ_LATENCY_TICKS 500 /* 5 us: trap entry and handler prologue */
#define POLL_LIMIT 1000000

static volatile uint32_t irq_count;
static volatile uint64_t irq_counter_at[8];
static volatile uint64_t irq_status_at[8];

static void timer0_irq(unsigned src)
{
    (void)src;
    if (irq_count < 8) {
        irq_counter_at[irq_count] = hpet_counter();
        irq_status_at[irq_count] = hpet_read(HPET_GINTR_STA);
    }
    hpet_write(HPET_GINTR_STA, 1u << 0);
    irq_count++;
}

/* Run the counter until it reaches `until` and return the timer's status
 * bit; bounded so a stuck counter fails instead of hanging. */
static uint64_t status_when_counter_reaches(unsigned timer, uint64_t until)
{
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    for (unsigned i = 0; i < POLL_LIMIT && hpet_counter() < until; i++) {
    }
    hpet_write(HPET_GEN_CONF, 0);
    return (hpet_read(HPET_GINTR_STA) >> timer) & 1;
}

static void check_caps_and_reset(void)
{
    static const char *const route_what[] = {
        "timer 0 route capability is sources 2, 8, 16..23",
        "timer 1 route capability is sources 2, 8, 16..23",
        "timer 2 route capability is sources 2, 8, 16..23"};
    static const char *const size_what[] = {"timer 0 is 64-bit capable",
                                            "timer 1 is 64-bit capable",
                                            "timer 2 is 64-bit capable"};
    static const char *const conf_what[] = {"timer 0 reset config is 0",
                                            "timer 1 reset config is 0",
                                            "timer 2 reset config is 0"};
    uint64_t cap = hpet_read(HPET_GCAP_ID);

    check_eq("vendor id is 0x8086", HPET_CAP_VENDOR(cap), HPET_VENDOR_INTEL);
    check_count("3 timers", HPET_CAP_NUM_TIMERS(cap), HPET_NUM_TIMERS);
    check_count("period is 10000000 fs", HPET_CAP_PERIOD_FS(cap),
                VIRT_HPET_PERIOD_FS);
    check_true("main counter is 64-bit", cap & HPET_CAP_COUNT_SIZE);
    check_true("revision id is not 0", HPET_CAP_REV_ID(cap) != 0);
    check_eq("reset GEN_CONF is 0", hpet_read(HPET_GEN_CONF), 0);
    check_eq("reset GINTR_STA is 0", hpet_read(HPET_GINTR_STA), 0);
    check_eq("reset main counter is 0", hpet_counter(), 0);
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        uint64_t conf = hpet_read(HPET_TIMER_CONF(n));
        check_eq(route_what[n], HPET_TN_ROUTE_CAP(conf), VIRT_HPET_INTCAP);
        check_true(size_what[n], conf & HPET_TN_SIZE_CAP);
        check_eq(conf_what[n], conf & HPET_TN_WRITABLE, 0);
    }
    check_true("timer 0 supports periodic mode",
               hpet_read(HPET_TIMER_CONF(0)) & HPET_TN_PER_INT_CAP);
}

static void check_counter(void)
{
    uint64_t held, h1, h2, t1, t2, c1, c2;

    hpet_quiesce();
    hpet_write(HPET_MAIN_CNT, 0x123456789abcul);
    check_eq("main counter is writable while halted", hpet_counter(),
             0x123456789abcul);
    delay_ns(10000);
    held = hpet_counter();
    check_eq("main counter holds while halted", held, 0x123456789abcul);

    hpet_write(HPET_MAIN_CNT, 0);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    t1 = clint_mtime();
    h1 = hpet_counter();
    delay_ns(100000);
    h2 = hpet_counter();
    t2 = clint_mtime();
    hpet_write(HPET_GEN_CONF, 0);
    check_true("main counter advances while enabled", h2 > h1);
    /* HPET 100 MHz, mtime 10 MHz: both follow the same virtual clock. */
    check_range("counter runs at 10x mtime (per mille of expected)",
                t2 > t1 ? (h2 - h1) * 100 / (t2 - t1) : 0, 990, 1010);
    c1 = hpet_counter();
    delay_ns(10000);
    c2 = hpet_counter();
    check_eq("main counter stops when disabled", c2, c1);
}

static void check_oneshot(void)
{
    bool arrived;

    hpet_quiesce();
    irq_count = 0;
    plic_set_handler(TIMER0_IRQ, timer0_irq);
    plic_set_priority(TIMER0_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(TIMER0_IRQ);
    hpet_write(HPET_TIMER_CONF(0), HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                                       HPET_TN_ROUTE(TIMER0_IRQ));
    hpet_write(HPET_TIMER_CMP(0), ONESHOT_TICKS);
    csr_set(mie, MIP_MEIP);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    arrived = wait_for_count(&irq_count, 1, 1000);
    check_true("one-shot interrupt arrives through plic source 2", arrived);
    if (arrived) {
        check_range("one-shot interrupt comes at the comparator value",
                    irq_counter_at[0], ONESHOT_TICKS,
                    ONESHOT_TICKS + IRQ_LATENCY_TICKS);
        check_eq("status bit 0 set in the handler", irq_status_at[0] & 1, 1);
    }
    wait_for_count(&irq_count, 2, 200);
    check_count("one-shot timer fires once", irq_count, 1);
    hpet_write(HPET_GEN_CONF, 0);
    csr_clear(mie, MIP_MEIP);
}

static void check_periodic(void)
{
    static const char *const when_what[PERIODIC_COUNT] = {
        "periodic interrupt 1 at 1 period", "periodic interrupt 2 at 2 periods",
        "periodic interrupt 3 at 3 periods",
        "periodic interrupt 4 at 4 periods",
        "periodic interrupt 5 at 5 periods"};
    uint64_t cmp;
    uint32_t count;
    bool arrived;

    hpet_quiesce();
    irq_count = 0;
    hpet_setup_periodic(0, PERIOD_TICKS,
                        HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                            HPET_TN_ROUTE(TIMER0_IRQ));
    check_eq("VAL_SET clears itself after the comparator write",
             hpet_read(HPET_TIMER_CONF(0)) & HPET_TN_VAL_SET, 0);
    csr_set(mie, MIP_MEIP);
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
    arrived = wait_for_count(&irq_count, PERIODIC_COUNT, 2000);
    hpet_write(HPET_GEN_CONF, 0);
    csr_clear(mie, MIP_MEIP);
    count = irq_count;
    cmp = hpet_read(HPET_TIMER_CMP(0));

    check_true("5 periodic interrupts", arrived);
    for (unsigned k = 0; k < PERIODIC_COUNT && k < count; k++) {
        uint64_t due = (k + 1) * (uint64_t)PERIOD_TICKS;
        check_range(when_what[k], irq_counter_at[k], due,
                    due + IRQ_LATENCY_TICKS);
    }
    check_eq("comparator moved on to the next period", cmp,
             (count + 1) * (uint64_t)PERIOD_TICKS);
}

static void check_32bit_mode(void)
{
    uint64_t status;

    hpet_quiesce();
    plic_disable(TIMER0_IRQ); /* polled: status bits only */
    hpet_write(HPET_TIMER_CONF(0), HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                                       HPET_TN_32MODE |
                                       HPET_TN_ROUTE(TIMER0_IRQ));
    check_true("32-bit mode bit reads back",
               hpet_read(HPET_TIMER_CONF(0)) & HPET_TN_32MODE);
    hpet_write(HPET_TIMER_CMP(0), 0xffffffff00001000ul);
    check_eq("32-bit comparator keeps only the low half",
             hpet_read(HPET_TIMER_CMP(0)), 0x1000);
    /* Start 0x1000 ticks before the low half wraps: a 32-bit comparator of
     * 0x1000 matches 0x2000 ticks later, a 64-bit one never. */
    hpet_write(HPET_MAIN_CNT, 0x5fffff000ul);
    status = status_when_counter_reaches(0, 0x600003000ul);
    check_eq("32-bit comparator matches the low half of the counter", status,
             1);

    hpet_quiesce();
    hpet_write(HPET_TIMER_CONF(0), HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                                       HPET_TN_ROUTE(TIMER0_IRQ));
    hpet_write(HPET_TIMER_CMP(0), 0x1000);
    hpet_write(HPET_MAIN_CNT, 0x5fffff000ul);
    status = status_when_counter_reaches(0, 0x600003000ul);
    check_eq("64-bit comparator does not match the low half", status, 0);
}

static void check_level_and_edge(void)
{
    uint32_t claimed;

    hpet_quiesce();
    plic_set_priority(TIMER0_IRQ, 1);
    plic_enable(TIMER0_IRQ);
    hpet_write(HPET_TIMER_CONF(0), HPET_TN_INT_ENB | HPET_TN_INT_TYPE_LEVEL |
                                       HPET_TN_ROUTE(TIMER0_IRQ));
    hpet_write(HPET_TIMER_CMP(0), 100);
    check_eq("level: status bit set at the match",
             status_when_counter_reaches(0, 200), 1);
    check_true("level: plic source 2 pending", plic_is_pending(TIMER0_IRQ));
    hpet_write(HPET_GINTR_STA, 0);
    check_eq("level: writing 0 leaves the status bit set",
             hpet_read(HPET_GINTR_STA) & 1, 1);
    claimed = plic_claim();
    check_count("level: plic claim returns source 2", claimed, TIMER0_IRQ);
    hpet_write(HPET_GINTR_STA, 1);
    check_eq("level: writing 1 clears the status bit",
             hpet_read(HPET_GINTR_STA) & 1, 0);
    plic_complete(claimed);
    check_true("level: no new request once the status is cleared",
               !plic_is_pending(TIMER0_IRQ));

    hpet_quiesce();
    hpet_write(HPET_TIMER_CONF(0),
               HPET_TN_INT_ENB | HPET_TN_ROUTE(TIMER0_IRQ)); /* edge */
    hpet_write(HPET_TIMER_CMP(0), 100);
    status_when_counter_reaches(0, 200);
    check_true("edge: plic source 2 pending after the match",
               plic_is_pending(TIMER0_IRQ));
    claimed = plic_claim();
    check_count("edge: plic claim returns source 2", claimed, TIMER0_IRQ);
    plic_complete(claimed);
    check_true("edge: no new request after complete",
               !plic_is_pending(TIMER0_IRQ));
    plic_disable(TIMER0_IRQ);
}

static void check_routes(void)
{
    static const struct {
        unsigned timer, irq;
        const char *route_what, *pending_what;
    } routes[] = {
        {1, TIMER1_IRQ, "timer 1 route reads back 8",
         "timer 1 raises plic source 8"},
        {2, TIMER2_IRQ, "timer 2 route reads back 17",
         "timer 2 raises plic source 17"},
    };

    for (unsigned i = 0; i < 2; i++) {
        unsigned n = routes[i].timer, irq = routes[i].irq;
        uint32_t claimed;

        hpet_quiesce();
        plic_set_priority(irq, 1);
        plic_enable(irq);
        hpet_write(HPET_TIMER_CONF(n), HPET_TN_INT_ENB |
                                           HPET_TN_INT_TYPE_LEVEL |
                                           HPET_TN_ROUTE(irq));
        check_count(routes[i].route_what,
                    (hpet_read(HPET_TIMER_CONF(n)) & HPET_TN_ROUTE_MASK) >>
                        HPET_TN_ROUTE_SHIFT,
                    irq);
        hpet_write(HPET_TIMER_CMP(n), 100);
        status_when_counter_reaches(n, 200);
        check_true(routes[i].pending_what, plic_is_pending(irq));
        claimed = plic_claim();
        hpet_write(HPET_GINTR_STA, 1u << n);
        plic_complete(claimed);
        plic_disable(irq);
    }
}

int main(void)
{
    uart_init(true);
    print("hpet test\n");
    check_caps_and_reset(); /* first: nothing has touched the HPET yet */
    check_counter();
    check_oneshot();
    check_periodic();
    check_32bit_mode();
    check_level_and_edge();
    check_routes();
    hpet_quiesce();
    return check_summary("hpet");
}

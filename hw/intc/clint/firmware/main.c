/*
 * CLINT self-test: mtime advances with executed instructions (10 MHz, one
 * tick per 100 instructions at 1 ns each), mtimecmp drives mip.MTIP and the
 * timer interrupt, WFI sleeps until mtimecmp, and msip drives mip.MSIP and
 * the software interrupt.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "clint.h"
#include "csr.h"
#include "trap.h"
#include "uart.h"

#define SPIN_ITERATIONS 100000 /* 2 instructions each: 200 us of guest time */
#define TIMER_DELTA 1000       /* mtime ticks: 100 us */
#define WAKE_SLACK 20          /* mtime ticks: 2 us */

/* Exactly two instructions per iteration, whatever the compiler does. */
static void spin(uint64_t n)
{
    __asm__ volatile("1: addi %0, %0, -1\n"
                     "   bnez %0, 1b\n"
                     : "+r"(n)
                     :
                     : "memory");
}

static bool mip_has(uint64_t bit)
{
    return (csr_read(mip) & bit) != 0;
}

static void check_mtime(void)
{
    uint64_t t1 = clint_mtime();
    spin(SPIN_ITERATIONS);
    uint64_t t2 = clint_mtime();

    check_true("mtime advances", t2 > t1);
    check_range("mtime ticks once per 100 instructions", t2 - t1,
                2 * SPIN_ITERATIONS / 100, 2 * SPIN_ITERATIONS / 100 + 5);

    clint_set_mtimecmp(0x0123456789abcdeful);
    check_eq("mtimecmp reads back", clint_mtimecmp(), 0x0123456789abcdeful);

    /* The time CSR shadows mtime, also after software sets mtime. */
    uint64_t before = csr_read(time);
    check_range("time CSR agrees with mtime", clint_mtime() - before, 0, 1);
    clint_set_mtime(0x100000000000ul);
    uint64_t after = csr_read(time);
    check_range("time CSR follows a written mtime", after - 0x100000000000ul, 0,
                1);
    clint_set_mtime(before);
}

static void check_mtip(void)
{
    uint64_t cmp;

    clint_set_mtimecmp(UINT64_MAX);
    check_true("MTIP clear while mtimecmp is in the future",
               !mip_has(MIP_MTIP));
    cmp = clint_mtime() + 100;
    clint_set_mtimecmp(cmp);
    while (clint_mtime() <= cmp) {
    }
    check_true("MTIP set once mtime reaches mtimecmp", mip_has(MIP_MTIP));
    clint_set_mtimecmp(UINT64_MAX);
    check_true("moving mtimecmp ahead clears MTIP", !mip_has(MIP_MTIP));
}

static volatile uint32_t timer_count;
static volatile uint64_t timer_mtime;
static volatile uint64_t timer_mcause;

static void timer_irq(void)
{
    timer_mtime = clint_mtime();
    timer_mcause = csr_read(mcause);
    clint_set_mtimecmp(UINT64_MAX);
    timer_count++;
}

static void check_timer_interrupt(void)
{
    uint64_t start, cmp, woke;

    trap_set_timer_handler(timer_irq);
    start = clint_mtime();
    cmp = start + TIMER_DELTA;
    clint_set_mtimecmp(cmp);
    csr_set(mie, MIP_MTIP);
    irq_global_enable();
    while (timer_count == 0 && clint_mtime() < cmp + 10 * TIMER_DELTA) {
    }
    irq_global_disable();
    check_count("timer interrupt taken once", timer_count, 1);
    check_eq("mcause is machine timer interrupt", timer_mcause,
             MCAUSE_INTERRUPT | IRQ_M_TIMER);
    check_range("timer interrupt at mtimecmp", timer_mtime, cmp,
                cmp + WAKE_SLACK);

    /* WFI with mstatus.MIE clear still wakes for an enabled pending
     * interrupt (privileged spec 3.3.3); the trap is then not taken. */
    cmp = clint_mtime() + TIMER_DELTA;
    clint_set_mtimecmp(cmp);
    wfi();
    woke = clint_mtime();
    check_true("wfi wakes on MTIP with mstatus.MIE clear", mip_has(MIP_MTIP));
    check_range("wfi sleeps until mtimecmp", woke, cmp, cmp + WAKE_SLACK);
    check_count("no trap while mstatus.MIE is clear", timer_count, 1);
    irq_global_enable();
    irq_global_disable();
    check_count("trap taken once mstatus.MIE is set", timer_count, 2);
    csr_clear(mie, MIP_MTIP);
}

static volatile uint32_t soft_count;
static volatile uint64_t soft_mcause;

static void software_irq(void)
{
    soft_mcause = csr_read(mcause);
    clint_set_msip(0);
    soft_count++;
}

static void check_msip(void)
{
    uint32_t count_after_write;

    check_eq("msip is 0 at reset", clint_msip(), 0);
    clint_set_msip(1);
    check_eq("msip reads back 1", clint_msip(), 1);
    check_true("msip sets mip.MSIP", mip_has(MIP_MSIP));
    clint_set_msip(0);
    check_true("clearing msip clears mip.MSIP", !mip_has(MIP_MSIP));
    clint_set_msip(0xffffffff);
    check_eq("msip has only bit 0", clint_msip(), 1);
    clint_set_msip(0);

    trap_set_software_handler(software_irq);
    csr_set(mie, MIP_MSIP);
    irq_global_enable();
    clint_set_msip(1);
    count_after_write = soft_count;
    irq_global_disable();
    csr_clear(mie, MIP_MSIP);
    check_count("software interrupt taken right after the msip write",
                count_after_write, 1);
    check_eq("mcause is machine software interrupt", soft_mcause,
             MCAUSE_INTERRUPT | IRQ_M_SOFT);
    check_eq("handler cleared msip", clint_msip(), 0);
}

int main(void)
{
    uart_init(true);
    print("clint test\n");
    check_msip(); /* first: reset value */
    check_mtime();
    check_mtip();
    check_timer_interrupt();
    clint_set_mtimecmp(UINT64_MAX);
    return check_summary("clint");
}

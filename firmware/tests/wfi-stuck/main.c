/*
 * A hart that sleeps in WFI while HPET timer 0 keeps firing every
 * microsecond into PLIC source 2.  In every case but the last nothing can
 * ever wake it: the emulator must stop with a message naming why (exit
 * status 1) rather than skip from one timer event to the next forever.
 * The first byte of UART input picks the case:
 *   m  mie is 0
 *   s  mie.MEIE, but source 2 is in service (claimed, never completed)
 *   t  mie.MEIE, but source 2's priority is not above the threshold
 *   c  mie.MTIE only, with mtimecmp beyond the end of virtual time
 *   u  mie.MEIE with the UART's receive interrupt open through the PLIC
 *      (source 2 disabled): the next input byte wakes the hart, which
 *      prints it and passes; with no more input, nothing can
 *   a  mie.MTIE: WFI at every instant up to a CLINT deadline, the deadline
 *      itself included; the hart must wake every time, and passes
 */
#include <stdint.h>

#include "clint.h"
#include "csr.h"
#include "hpet.h"
#include "plic.h"
#include "uart.h"

#define HPET_SOURCE 2
#define PERIOD_TICKS 100 /* 1 us at 10 ns per HPET tick */
#define INPUT_POLLS 10000000

static int wait_for_input(void)
{
    for (uint32_t i = 0; i < INPUT_POLLS; i++) {
        int c = uart_getc();
        if (c >= 0) {
            return c;
        }
    }
    return -1;
}

static void start_hpet_ticks(void)
{
    hpet_quiesce();
    hpet_setup_periodic(0, PERIOD_TICKS,
                        HPET_TN_INT_ENB | HPET_TN_ROUTE(HPET_SOURCE));
    hpet_write(HPET_GEN_CONF, HPET_CONF_ENABLE);
}

__attribute__((noreturn)) static void sleep_forever(const char *why)
{
    print("wfi-stuck: %s; sleeping in wfi\n", why);
    uart_flush();
    for (;;) {
        wfi();
    }
}

/* Case u: the UART receive interrupt is the only way out. */
static int wait_for_uart(void)
{
    uart_write(PL011_IMSC, PL011_INT_RX);
    plic_set_priority(VIRT_UART0_IRQ, 1);
    plic_enable(VIRT_UART0_IRQ);
    csr_set(mie, MIP_MEIP);
    print("wfi-stuck: mie.MEIE, uart receive interrupt through the plic; "
          "sleeping in wfi\n");
    uart_flush();
    while (!(csr_read(mip) & MIP_MEIP)) {
        wfi();
    }
    uint32_t src = plic_claim();
    int c = uart_getc();
    plic_complete(src);
    print("wfi-stuck: woke on plic source %u, input '%c'\n", src, (char)c);
    return src == VIRT_UART0_IRQ && c >= 0 ? 0 : 1;
}

/* Exactly two instructions per iteration, whatever the compiler does; n
 * must not be 0. */
static void spin(uint64_t n)
{
    __asm__ volatile("1: addi %0, %0, -1\n"
                     "   bnez %0, 1b\n"
                     : "+r"(n)
                     :
                     : "memory");
}

/* Case a: a WFI retiring exactly at the deadline sleeps while the timer
 * fires right after; the hart must still wake (MTIP is enabled). */
static int wfi_at_every_alignment(void)
{
    csr_set(mie, MIP_MTIP);
    for (uint64_t delay = 2; delay <= 2 * 120 + 1; delay++) {
        clint_set_mtimecmp(clint_mtime() + 2);
        spin(delay / 2);
        if (delay & 1) {
            __asm__ volatile("nop");
        }
        wfi();
        clint_set_mtimecmp(UINT64_MAX);
    }
    print("wfi-stuck: woke at every alignment\n");
    return 0;
}

int main(void)
{
    uart_init(false); /* no FIFO: every received character interrupts */
    int choice = wait_for_input();

    start_hpet_ticks();
    plic_set_priority(HPET_SOURCE, 1);
    switch (choice) {
    case 'm':
        plic_enable(HPET_SOURCE);
        sleep_forever("mie is 0");
    case 's':
        plic_enable(HPET_SOURCE);
        while (!plic_is_pending(HPET_SOURCE)) {
        }
        plic_claim();
        csr_set(mie, MIP_MEIP);
        sleep_forever("mie.MEIE, plic source 2 in service");
    case 't':
        plic_enable(HPET_SOURCE);
        plic_set_threshold(1);
        csr_set(mie, MIP_MEIP);
        sleep_forever("mie.MEIE, plic source 2 at the threshold");
    case 'c':
        clint_set_mtimecmp(UINT64_MAX);
        csr_set(mie, MIP_MTIP);
        sleep_forever("mie.MTIE, mtimecmp never reached");
    case 'u':
        return wait_for_uart();
    case 'a':
        return wfi_at_every_alignment();
    default:
        print("wfi-stuck: unknown case %d (input m, s, t, c, u or a)\n",
              choice);
        return 2;
    }
}

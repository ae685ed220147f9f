/*
 * Ends the run the way one line of UART input says, so one program covers
 * every exit path and code of the failure-behaviour tests:
 *   "pass\n"        power device `pass`
 *   "fail N\n"      power device `fail` with the 16-bit code N as written
 *                   (no firmware-side mapping: the device's own is tested)
 *   "htif N\n"      tohost = (N << 1) | 1, a 64-bit store (N < 2^55)
 * It prints what it does first.  Input arrives through PL011 receive
 * interrupts; with no input at all the hart sleeps for ever, which rivet
 * reports instead of hanging.
 */
#include <stdbool.h>
#include <stdint.h>

#include "csr.h"
#include "machine/virt-map.h"
#include "mmio.h"
#include "plic.h"
#include "uart.h"

extern volatile uint64_t tohost;

static char line[64];
static volatile unsigned line_len;
static volatile bool line_done;

static void uart_rx(unsigned src)
{
    int c;

    (void)src;
    while (!line_done && (c = uart_getc()) >= 0) {
        if (c == '\n') {
            line_done = true;
        } else if (line_len < sizeof(line) - 1) {
            line[line_len++] = (char)c;
        }
    }
    uart_write(PL011_ICR, PL011_INT_RX | PL011_INT_RT);
}

static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return false;
        }
    }
    return true;
}

/* Decimal digits to the end of the line; false on anything else. */
static bool parse_decimal(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

int main(void)
{
    uart_init(false); /* no FIFO: every received character interrupts */
    plic_set_handler(VIRT_UART0_IRQ, uart_rx);
    plic_set_priority(VIRT_UART0_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_UART0_IRQ);
    uart_write(PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
    csr_set(mie, MIP_MEIP);

    irq_global_disable();
    while (!line_done) {
        wfi();
        irq_global_enable();
        irq_global_disable();
    }
    uart_write(PL011_IMSC, 0);
    line[line_len] = '\0';

    uint64_t code;
    if (starts_with(line, "pass") && line[4] == '\0') {
        print("exit-code: power pass\n");
        uart_flush();
        mmio_write32(VIRT_POWER_BASE, VIRT_POWER_PASS);
    } else if (starts_with(line, "fail ") && parse_decimal(line + 5, &code) &&
               code <= 0xffff) {
        print("exit-code: power fail %u\n", (unsigned)code);
        uart_flush();
        mmio_write32(VIRT_POWER_BASE, ((uint32_t)code << 16) | VIRT_POWER_FAIL);
    } else if (starts_with(line, "htif ") && parse_decimal(line + 5, &code) &&
               code < (1ull << 55)) {
        print("exit-code: htif %llu\n", (unsigned long long)code);
        uart_flush();
        tohost = (code << 1) | 1;
    } else {
        print("exit-code: cannot read '%s'\n", line);
    }
    /* Only reached if the write did not stop the machine. */
    print("exit-code: still running\n");
    return 99;
}

/*
 * Echoes host input through PL011 receive interrupts (PLIC source 10),
 * uppercased, until a '.' arrives; then powers off with status 0.
 * Feeding "hello." prints "uart-echo: ready\nHELLO.\nuart-echo: done\n".
 */
#include <stdbool.h>
#include <stdint.h>

#include "csr.h"
#include "machine/virt-map.h"
#include "plic.h"
#include "uart.h"

static volatile bool saw_stop;

static void uart_rx(unsigned src)
{
    int c;

    (void)src;
    while (!saw_stop && (c = uart_getc()) >= 0) {
        if (c >= 'a' && c <= 'z') {
            c -= 'a' - 'A';
        }
        uart_putc((char)c);
        if (c == '.') {
            saw_stop = true;
        }
    }
    uart_write(PL011_ICR, PL011_INT_RX | PL011_INT_RT);
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
    print("uart-echo: ready\n");

    irq_global_disable();
    while (!saw_stop) {
        wfi();
        irq_global_enable();
        irq_global_disable();
    }
    uart_write(PL011_IMSC, 0);
    print("\nuart-echo: done\n");
    return 0;
}

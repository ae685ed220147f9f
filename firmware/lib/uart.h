/*
 * Console output and input on the PL011 at VIRT_UART0_BASE, by polling.
 * print() understands %s %c %d %u %x %p %% with optional l/ll, a zero flag
 * and a width (e.g. "%08x"); that is all the firmware needs.
 */
#ifndef FW_UART_H
#define FW_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/virt-map.h"
#include "mmio.h"
#include "pl011.h"

static inline uint32_t uart_read(uint32_t reg)
{
    return mmio_read32(VIRT_UART0_BASE + reg);
}

static inline void uart_write(uint32_t reg, uint32_t value)
{
    mmio_write32(VIRT_UART0_BASE + reg, value);
}

/* 115200 8N1 from the 24 MHz UARTCLK, UART/TX/RX enabled, all interrupts
 * masked.  With fifo false the FIFOs are off, so every received character
 * raises the RX interrupt by itself (TRM 2.8.1). */
void uart_init(bool fifo);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_hex(uint64_t value);
void uart_put_dec(uint64_t value);
/* Wait until everything written so far has left the transmitter. */
void uart_flush(void);
/* The next received character, or -1 when the receive FIFO is empty. */
int uart_getc(void);

__attribute__((format(printf, 1, 2))) void print(const char *fmt, ...);

#endif /* FW_UART_H */

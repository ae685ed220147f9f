/* Polled PL011 console: initialisation, output, formatting and input. */
#include "uart.h"

#include <stdarg.h>

/* 24 MHz / (16 * 115200) = 13.02: IBRD 13, FBRD round(0.02 * 64) = 1. */
#define UART_IBRD_115200 13
#define UART_FBRD_115200 1

void uart_init(bool fifo)
{
    /* The TRM asks for the UART to be disabled while it is reprogrammed;
     * let what is already queued go out first. */
    uart_flush();
    uart_write(PL011_CR, 0);
    uart_write(PL011_IMSC, 0);
    uart_write(PL011_ICR, PL011_INT_ALL);
    uart_write(PL011_IBRD, UART_IBRD_115200);
    uart_write(PL011_FBRD, UART_FBRD_115200);
    uart_write(PL011_LCR_H, PL011_LCR_H_WLEN_8 | (fifo ? PL011_LCR_H_FEN : 0));
    uart_write(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
}

void uart_putc(char c)
{
    while (uart_read(PL011_FR) & PL011_FR_TXFF) {
    }
    uart_write(PL011_DR, (uint8_t)c);
}

void uart_puts(const char *s)
{
    while (*s) {
        uart_putc(*s++);
    }
}

void uart_flush(void)
{
    while ((uart_read(PL011_FR) & (PL011_FR_TXFE | PL011_FR_BUSY)) !=
           PL011_FR_TXFE) {
    }
}

int uart_getc(void)
{
    if (uart_read(PL011_FR) & PL011_FR_RXFE) {
        return -1;
    }
    return (int)(uart_read(PL011_DR) & 0xff);
}

static void put_number(uint64_t value, unsigned base, unsigned width, char pad)
{
    char digits[24];
    unsigned n = 0;

    do {
        unsigned d = (unsigned)(value % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        value /= base;
    } while (value);
    while (width > n) {
        uart_putc(pad);
        width--;
    }
    while (n) {
        uart_putc(digits[--n]);
    }
}

void uart_put_hex(uint64_t value)
{
    uart_puts("0x");
    put_number(value, 16, 0, '0');
}

void uart_put_dec(uint64_t value)
{
    put_number(value, 10, 0, '0');
}

void print(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        unsigned width = 0;
        int longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (unsigned)(*fmt++ - '0');
        }
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                uart_putc('-');
                v = -v;
            }
            put_number((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
            put_number(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
                       width, pad);
            break;
        case 'x':
            put_number(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
                       width, pad);
            break;
        case 'p':
            uart_put_hex((uintptr_t)va_arg(ap, void *));
            break;
        case 's':
            uart_puts(va_arg(ap, const char *));
            break;
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case '%':
            uart_putc('%');
            break;
        case '\0':
            va_end(ap);
            return;
        default:
            uart_putc('%');
            uart_putc(*fmt);
            break;
        }
    }
    va_end(ap);
}

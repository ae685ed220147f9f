/*
 * Floods the UART: FLOOD_LINES numbered 64-byte lines (1 MiB), polling
 * UARTFR.TXFF before every byte as a driver does.  A line nobody reads
 * stalls (the transmit FIFO stays full); after STALL_US of guest time
 * without room the program gives up and powers off with STALLED, so a
 * stalled line is seen by the guest and ends the run.  Everything sent:
 * a last line and status 0.
 */
#include <stdbool.h>
#include <stdint.h>

#include "clint.h"
#include "uart.h"

#define FLOOD_LINES 16384u
#define LINE_BYTES 64u
/* Long enough that a client that reads, however slowly scheduled, never
 * looks stalled (the emulator sends queued output every 0.1 ms of guest
 * time); short enough to end a stalled run in about a second. */
#define STALL_US 100000u
#define STALLED 3

/* Waits for room in the transmit FIFO; false once the line has been full
 * for STALL_US. */
static bool wait_for_room(void)
{
    uint64_t start = clint_mtime();
    while (uart_read(PL011_FR) & PL011_FR_TXFF) {
        if (clint_mtime() - start > (uint64_t)STALL_US * CLINT_TICKS_PER_US) {
            return false;
        }
    }
    return true;
}

/* "flood 000123 " then the alphabet, to 64 bytes with the newline. */
static void format_line(char *line, uint32_t n)
{
    static const char prefix[] = "flood ";
    uint32_t i = 0;
    for (; prefix[i]; i++) {
        line[i] = prefix[i];
    }
    for (uint32_t d = 6; d-- > 0; n /= 10) {
        line[i + d] = (char)('0' + n % 10);
    }
    i += 6;
    line[i++] = ' ';
    for (char c = 'a'; i < LINE_BYTES - 1; c = c == 'z' ? 'a' : c + 1) {
        line[i++] = c;
    }
    line[i] = '\n';
}

int main(void)
{
    char line[LINE_BYTES];

    uart_init(true);
    for (uint32_t n = 0; n < FLOOD_LINES; n++) {
        format_line(line, n);
        for (uint32_t i = 0; i < LINE_BYTES; i++) {
            if (!wait_for_room()) {
                return STALLED;
            }
            uart_write(PL011_DR, (uint8_t)line[i]);
        }
    }
    print("uart-flood: %u lines sent\n", FLOOD_LINES);
    return 0;
}

/*
 * MMIO benchmark load: a million PL011 FR reads and IMSC writes, the
 * pattern of a polling driver.  Used by `make bench`; prints what it did.
 */
#include <stdint.h>

#include "uart.h"

#define ITERATIONS 1000000u

int main(void)
{
    uint32_t tx_empty = 0;

    uart_init(true);
    print("mmio-loop: %u FR reads and IMSC writes\n", ITERATIONS);
    uart_flush();
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        tx_empty += (uart_read(PL011_FR) >> 7) & 1; /* FR.TXFE */
        /* Toggle the receive-timeout mask: no interrupt can follow without
         * host input, but the device must re-evaluate its line. */
        uart_write(PL011_IMSC, (i & 1) ? PL011_INT_RT : 0);
    }
    print("mmio-loop: done, TXFE seen %u times, IMSC 0x%x\n", tx_empty,
          uart_read(PL011_IMSC));
    return tx_empty == ITERATIONS ? 0 : 1;
}

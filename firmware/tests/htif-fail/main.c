/*
 * Reports failure code 3 through the HTIF convention of the riscv-tests
 * suites: tohost = (code << 1) | 1.
 */
#include <stdint.h>

#include "uart.h"

#define FAIL_CODE 3

extern volatile uint64_t tohost;

int main(void)
{
    uart_init(true);
    print("htif-fail: writing (3 << 1) | 1 to tohost\n");
    uart_flush();
    tohost = (FAIL_CODE << 1) | 1;
    for (;;) {
    }
}

/*
 * Touches 4 MiB of RAM with a known pattern and checks it back: the guest
 * of the snapshot benchmark (`make bench`), a 64 MiB machine whose
 * snapshot should cost about the 4 MiB it touched, not the 64.
 */
#include <stdint.h>

#include "check.h"
#include "uart.h"

#define TOUCH_BASE 0x80100000UL
#define TOUCH_BYTES (4UL << 20)

static uint64_t pattern(uint64_t i)
{
    return i * 0x9e3779b97f4a7c15ULL + 1;
}

int main(void)
{
    volatile uint64_t *mem = (volatile uint64_t *)TOUCH_BASE;
    uint64_t words = TOUCH_BYTES / 8;

    uart_init(true);
    for (uint64_t i = 0; i < words; i++) {
        mem[i] = pattern(i);
    }
    uint64_t bad = 0;
    for (uint64_t i = 0; i < words; i++) {
        bad += mem[i] != pattern(i);
    }
    check_count("4 MiB written and read back: bad words", bad, 0);
    return check_summary("touch-ram");
}

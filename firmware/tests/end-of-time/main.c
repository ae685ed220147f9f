/*
 * Drives virtual time to its end: mtimecmp at the last CLINT tick the clock
 * can reach (INT64_MAX ns rounded down to a tick), then WFI with MTIE
 * enabled, so the clock jumps to a few nanoseconds before INT64_MAX.  Only
 * a few instructions fit after that: the emulator must stop with "guest
 * virtual time reached its end" (exit status 1).  If it keeps running
 * instead, with time stuck or wrapped, this program says so and fails with
 * status 3.
 */
#include <stdint.h>

#include "clint.h"
#include "csr.h"
#include "uart.h"

#define NS_PER_TICK (1000000000ul / VIRT_CLINT_TIMEBASE_HZ)
#define LAST_TICK ((uint64_t)INT64_MAX / NS_PER_TICK)

int main(void)
{
    uart_init(true);
    print("end-of-time: sleeping until mtime 0x%lx, the last tick before "
          "the end of virtual time\n",
          LAST_TICK);
    uart_flush();
    clint_set_mtimecmp(LAST_TICK);
    csr_set(mie, MIP_MTIP);
    wfi();
    /* At most INT64_MAX % NS_PER_TICK instructions from here. */
    uint64_t woke = clint_mtime();
    for (volatile int i = 0; i < 1000; i++) {
    }
    print("not ok - still running after the end of virtual time (mtime 0x%lx, "
          "then 0x%lx)\n",
          woke, clint_mtime());
    return 3;
}

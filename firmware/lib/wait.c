/* WFI-based waiting with a CLINT watchdog, and mtime delays. */
#include "wait.h"

#include "clint.h"
#include "csr.h"
#include "trap.h"

static volatile bool watchdog_expired;

static void watchdog_fire(void)
{
    clint_set_mtimecmp(UINT64_MAX);
    watchdog_expired = true;
}

bool wait_for_count(volatile uint32_t *counter, uint32_t target,
                    uint64_t timeout_us)
{
    uint64_t saved_mstatus = csr_read(mstatus);
    trap_irq_fn *saved_handler = trap_set_timer_handler(watchdog_fire);

    irq_global_disable();
    watchdog_expired = false;
    clint_set_mtimecmp(clint_mtime() + timeout_us * CLINT_TICKS_PER_US);
    csr_set(mie, MIP_MTIP);
    /* Test and sleep with interrupts off: WFI still wakes on a pending
     * enabled interrupt, which is then taken when MIE opens. */
    while (*counter < target && !watchdog_expired) {
        wfi();
        irq_global_enable();
        irq_global_disable();
    }
    csr_clear(mie, MIP_MTIP);
    clint_set_mtimecmp(UINT64_MAX);
    trap_set_timer_handler(saved_handler);
    csr_set(mstatus, saved_mstatus & MSTATUS_MIE);
    return *counter >= target;
}

void delay_ns(uint64_t ns)
{
    uint64_t ticks = ns / (1000000000 / VIRT_CLINT_TIMEBASE_HZ);
    uint64_t start = clint_mtime();

    while (clint_mtime() - start < ticks) {
    }
}

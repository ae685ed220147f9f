/* Power-off through the power/test device at VIRT_POWER_BASE. */
#include "power.h"

#include "csr.h"
#include "machine/virt-map.h"
#include "mmio.h"

/* If the write did not stop the machine, sleep with interrupts off rather
 * than run off into whatever follows. */
__attribute__((noreturn)) static void halt(void)
{
    csr_write(mie, 0);
    irq_global_disable();
    for (;;) {
        wfi();
    }
}

void power_pass(void)
{
    mmio_write32(VIRT_POWER_BASE, VIRT_POWER_PASS);
    halt();
}

void power_fail(uint32_t code)
{
    if ((code & 0xffff) == 0) {
        code = 1;
    }
    mmio_write32(VIRT_POWER_BASE, ((code & 0xffff) << 16) | VIRT_POWER_FAIL);
    halt();
}

void power_reset(void)
{
    mmio_write32(VIRT_POWER_BASE, VIRT_POWER_RESET);
    halt();
}

void power_exit(int status)
{
    if (status == 0) {
        power_pass();
    }
    power_fail((uint32_t)status);
}

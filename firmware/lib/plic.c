/* PLIC access for context 0 and the per-source external interrupt table. */
#include "plic.h"

#include "machine/virt-map.h"
#include "mmio.h"
#include "uart.h"

static plic_handler_fn *plic_handlers[VIRT_PLIC_NUM_SOURCES];

void plic_set_priority(unsigned src, uint32_t priority)
{
    mmio_write32(VIRT_PLIC_BASE + PLIC_PRIORITY(src), priority);
}

uint32_t plic_priority(unsigned src)
{
    return mmio_read32(VIRT_PLIC_BASE + PLIC_PRIORITY(src));
}

void plic_enable(unsigned src)
{
    uintptr_t reg = VIRT_PLIC_BASE + PLIC_ENABLE;
    mmio_write32(reg, mmio_read32(reg) | (1u << src));
}

void plic_disable(unsigned src)
{
    uintptr_t reg = VIRT_PLIC_BASE + PLIC_ENABLE;
    mmio_write32(reg, mmio_read32(reg) & ~(1u << src));
}

void plic_set_threshold(uint32_t threshold)
{
    mmio_write32(VIRT_PLIC_BASE + PLIC_THRESHOLD, threshold);
}

bool plic_is_pending(unsigned src)
{
    return (mmio_read32(VIRT_PLIC_BASE + PLIC_PENDING) >> src) & 1;
}

uint32_t plic_claim(void)
{
    return mmio_read32(VIRT_PLIC_BASE + PLIC_CLAIM);
}

void plic_complete(uint32_t src)
{
    mmio_write32(VIRT_PLIC_BASE + PLIC_CLAIM, src);
}

void plic_set_handler(unsigned src, plic_handler_fn *fn)
{
    if (src < VIRT_PLIC_NUM_SOURCES) {
        plic_handlers[src] = fn;
    }
}

void plic_dispatch(void)
{
    uint32_t src = plic_claim();

    if (src == 0) {
        return; /* spurious: someone else claimed it first */
    }
    if (src < VIRT_PLIC_NUM_SOURCES && plic_handlers[src]) {
        plic_handlers[src](src);
    } else {
        print("unexpected external interrupt from plic source %u\n", src);
        plic_disable(src); /* an unhandled level source would trap forever */
    }
    plic_complete(src);
}

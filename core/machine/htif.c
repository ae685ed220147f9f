/*
 * HTIF: an MMIO window laid over the guest's `tohost` variable with a higher
 * priority than RAM, so the store that ends a test is seen by the emulator
 * without the CPU knowing anything about the convention.
 */
#include "machine/htif.h"

#include "machine/virt.h"
#include "util/log.h"
#include "util/main-loop.h"

#define HTIF_TOHOST_OFFSET 0
#define HTIF_FROMHOST_OFFSET 8

static uint64_t *htif_reg(VirtMachine *vms, hwaddr addr)
{
    return addr < HTIF_FROMHOST_OFFSET ? &vms->htif_tohost
                                       : &vms->htif_fromhost;
}

static uint64_t htif_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t reg = *htif_reg(opaque, addr);
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
    return (reg >> shift) & mask;
}

static void htif_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    VirtMachine *vms = opaque;
    uint64_t *reg = htif_reg(vms, addr);
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
    *reg = (*reg & ~(mask << shift)) | ((value & mask) << shift);

    /* Act when the low word of tohost is written: the test suites store the
     * result with sw or sd, and the command lives in the low bits. */
    if (reg != &vms->htif_tohost || shift != 0 || vms->htif_tohost == 0) {
        return;
    }
    uint64_t cmd = vms->htif_tohost;
    uint64_t device = cmd >> 56;
    if (device == 0 && (cmd & 1)) {
        /* The whole code, up to 55 bits: main decides how it maps to an
         * exit status (a narrowing here once turned 2^32 into success). */
        main_loop_request_exit((cmd & 0x00ffffffffffffffULL) >> 1);
    } else {
        log_item(LOG_ITEM_UNIMP, "htif: unsupported tohost command 0x%llx\n",
                 (unsigned long long)cmd);
    }
    vms->htif_tohost = 0;
}

static const MemoryRegionOps htif_ops = {
    .read = htif_read,
    .write = htif_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 8},
    .impl = {.min_access_size = 4, .max_access_size = 8},
};

void htif_init(VirtMachine *vms, uint64_t tohost_addr)
{
    memory_region_init_io(&vms->htif_mr, OBJECT(vms), &htif_ops, vms, "htif",
                          16);
    memory_region_add_subregion_overlap(get_system_memory(), tohost_addr,
                                        &vms->htif_mr, 1);
}

/*
 * libFuzzer target for the RISC-V IOMMU (hw/iommu/riscviommu): random
 * device directories, page tables, queues and register writes, then
 * translations.
 *
 * The input is a little program over a 64 KiB RAM at 0x8000_0000 (16
 * pages, zeroed before each input) and the IOMMU's registers.  Each step
 * is an opcode byte and its operands:
 *   0 raw      offset16 value64     a doubleword of RAM (any table entry)
 *   1 pointer  offset16 page8 low16 a PTE or non-leaf DDT entry naming
 *                                   RAM page page%16, bits 9:0 = low
 *   2 fsc      offset16 page8 mode8 a device context's fsc: MODE (low
 *                                   nibble) and the root page page%16
 *   3 ddtp     page8 mode8          ddtp = RAM page, mode (any nibble)
 *   4 write    offset16 value64 sz8 an MMIO write (offset & 0xfff, 4 or 8
 *                                   bytes, any alignment)
 *   5 read     offset16 sz8         an MMIO read
 *   6 dma      did24 iova64 len16 access8
 *                                   iommu_translate()
 * so pointers land in RAM often enough for deep walks, while raw words
 * still reach every other address.  Whatever the program, the IOMMU must
 * not crash or misbehave under ASan and UBSan, a translation maps 1..len
 * bytes or fails with a known cause, and the queue indexes stay inside
 * their queues.  `make fuzz-iommu FUZZ_SECONDS=N` builds and runs it
 * (scripts/fuzz.sh; docs/testing.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/iommu/riscviommu/riscviommu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_RAM_BASE 0x80000000ull
#define FUZZ_RAM_PAGES 16
#define FUZZ_RAM_SIZE (FUZZ_RAM_PAGES * 4096ull)

static MemoryRegion fuzz_ram;
static DeviceState *fuzz_dev;
static MemoryRegion *fuzz_mmio;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    Error *err = NULL;
    if (!memory_region_init_ram(&fuzz_ram, NULL, "ram", FUZZ_RAM_SIZE, &err)) {
        error_report_err(err);
        abort();
    }
    memory_region_add_subregion(get_system_memory(), FUZZ_RAM_BASE, &fuzz_ram);
    fuzz_dev = qdev_new(TYPE_RISCV_IOMMU, &err);
    if (!fuzz_dev || !device_realize(fuzz_dev, &err)) {
        error_report_err(err);
        abort();
    }
    fuzz_mmio = sysbus_mmio_get_region(SYS_BUS_DEVICE(fuzz_dev), 0);
    return 0;
}

/* Reads n little-endian bytes; false at the end of the input. */
static bool take(const uint8_t **p, const uint8_t *end, unsigned n,
                 uint64_t *out)
{
    if ((size_t)(end - *p) < n) {
        return false;
    }
    *out = 0;
    for (unsigned i = 0; i < n; i++) {
        *out |= (uint64_t)(*p)[i] << (8 * i);
    }
    *p += n;
    return true;
}

static void ram_store(uint64_t offset, uint64_t value)
{
    uint64_t addr = FUZZ_RAM_BASE + (offset & (FUZZ_RAM_SIZE - 8) & ~7ull);
    address_space_st(get_address_space_memory(), addr, 8, value);
}

static uint64_t ram_ppn(uint64_t page)
{
    return (FUZZ_RAM_BASE >> 12) + page % FUZZ_RAM_PAGES;
}

static void check_invariants(void)
{
    RiscvIommuState *s = RISCV_IOMMU(fuzz_dev);
    uint32_t cq = (uint32_t)((2ull << (s->cqb & 0x1f)) - 1);
    uint32_t fq = (uint32_t)((2ull << (s->fqb & 0x1f)) - 1);
    /* cqt and fqh are software's (masked when written); cqh and fqt are
     * the IOMMU's and never leave their queue. */
    if ((s->cqh & ~cq) || (s->fqt & ~fq) ||
        (s->ddtp & RISCV_IOMMU_DDTP_MODE_MASK) > RISCV_IOMMU_DDTP_3LVL) {
        fprintf(stderr, "fuzz-iommu: cqh=%u fqt=%u ddtp=0x%llx out of range\n",
                s->cqh, s->fqt, (unsigned long long)s->ddtp);
        abort();
    }
}

static bool known_cause(int cause)
{
    switch (cause) {
    case IOMMU_CAUSE_READ_ACCESS_FAULT:
    case IOMMU_CAUSE_WRITE_ACCESS_FAULT:
    case IOMMU_CAUSE_READ_PAGE_FAULT:
    case IOMMU_CAUSE_WRITE_PAGE_FAULT:
    case IOMMU_CAUSE_ALL_DISALLOWED:
    case IOMMU_CAUSE_DDT_LOAD_FAULT:
    case IOMMU_CAUSE_DDT_INVALID:
    case IOMMU_CAUSE_DDT_MISCONFIGURED:
    case IOMMU_CAUSE_TTYPE_DISALLOWED:
        return true;
    default:
        return false;
    }
}

static void dma(uint32_t did, uint64_t iova, uint64_t len, unsigned access)
{
    uint64_t phys = 0, mapped = 0;
    int cause = iommu_translate(IOMMU(fuzz_dev), did, iova, len, access, &phys,
                                &mapped);
    /* iommu_translate itself aborts on a success mapping 0 or more than
     * len bytes (len > 0). */
    if (cause != 0 && !known_cause(cause)) {
        fprintf(stderr, "fuzz-iommu: unknown fault cause %d\n", cause);
        abort();
    }
    if (cause == 0 && len == 0 && mapped != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    memset(memory_region_get_ram_ptr(&fuzz_ram), 0, FUZZ_RAM_SIZE);
    device_reset(fuzz_dev);
    uint64_t op, a, b, c, d;
    /* At most 256 steps, so one input stays quick. */
    for (int step = 0; step < 256 && take(&p, end, 1, &op); step++) {
        switch (op % 7) {
        case 0:
            if (!take(&p, end, 2, &a) || !take(&p, end, 8, &b)) {
                return 0;
            }
            ram_store(a, b);
            break;
        case 1:
            if (!take(&p, end, 2, &a) || !take(&p, end, 1, &b) ||
                !take(&p, end, 2, &c)) {
                return 0;
            }
            ram_store(a, ram_ppn(b) << 10 | (c & 0x3ff));
            break;
        case 2:
            if (!take(&p, end, 2, &a) || !take(&p, end, 1, &b) ||
                !take(&p, end, 1, &c)) {
                return 0;
            }
            ram_store(a, (c & 0xf) << 60 | ram_ppn(b));
            break;
        case 3:
            if (!take(&p, end, 1, &a) || !take(&p, end, 1, &b)) {
                return 0;
            }
            fuzz_mmio->ops->write(fuzz_mmio->opaque, RISCV_IOMMU_DDTP,
                                  ram_ppn(a) << 10 | (b & 0xf), 8);
            break;
        case 4:
            if (!take(&p, end, 2, &a) || !take(&p, end, 8, &b) ||
                !take(&p, end, 1, &c)) {
                return 0;
            }
            fuzz_mmio->ops->write(fuzz_mmio->opaque, a & 0xfff, b,
                                  c & 1 ? 8 : 4);
            break;
        case 5:
            if (!take(&p, end, 2, &a) || !take(&p, end, 1, &c)) {
                return 0;
            }
            fuzz_mmio->ops->read(fuzz_mmio->opaque, a & 0xfff, c & 1 ? 8 : 4);
            break;
        case 6:
            if (!take(&p, end, 3, &a) || !take(&p, end, 8, &b) ||
                !take(&p, end, 2, &c) || !take(&p, end, 1, &d)) {
                return 0;
            }
            dma((uint32_t)a, b, c, (unsigned)(d % 3) + 1);
            break;
        }
        check_invariants();
    }
    return 0;
}

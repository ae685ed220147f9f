/*
 * The tiny machine behind the CPU tests and benchmark (see
 * test-cpu-rig.h): built once per process, reset before every test.
 */
#include "test-cpu-rig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/main-loop.h"
#include "util/vclock.h"

#define RIG_MAX_PARCELS 1000 /* 16-bit parcels: must end before RIG_HANDLER */

RiscvCPU *rig_cpu;
RigMmio rig_mmio;
uint64_t rig_end_pc;

static MemoryRegion rig_ram;
static MemoryRegion rig_mmio_region;
static uint16_t rig_prog[RIG_MAX_PARCELS];
static int rig_prog_len;

static uint64_t rig_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    RigMmio *m = opaque;
    m->reads++;
    m->read_ns = vclock_get_ns();
    m->last_addr = addr;
    m->last_size = size;
    return m->value;
}

static void rig_mmio_write(void *opaque, hwaddr addr, uint64_t value,
                           unsigned size)
{
    RigMmio *m = opaque;
    m->writes++;
    m->write_ns = vclock_get_ns();
    m->written = value;
    m->last_addr = addr;
    m->last_size = size;
    if (m->on_write) {
        m->on_write(value);
    }
}

static const MemoryRegionOps rig_mmio_ops = {
    .read = rig_mmio_read,
    .write = rig_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void rig_die(const char *what, Error *err)
{
    fprintf(stderr, "test rig: %s: %s\n", what,
            err ? error_get_message(err) : "failed");
    exit(2);
}

static void rig_build(void)
{
    Error *err = NULL;
    MemoryRegion *sysmem = get_system_memory();

    if (!memory_region_init_ram(&rig_ram, NULL, "rig.ram", RIG_RAM_SIZE,
                                &err)) {
        rig_die("RAM", err);
    }
    memory_region_add_subregion(sysmem, RIG_RAM_BASE, &rig_ram);
    memory_region_init_io(&rig_mmio_region, NULL, &rig_mmio_ops, &rig_mmio,
                          "rig.mmio", RIG_MMIO_SIZE);
    memory_region_add_subregion(sysmem, RIG_MMIO_BASE, &rig_mmio_region);

    DeviceState *dev = qdev_new(TYPE_RISCV_CPU, &err);
    if (!dev) {
        rig_die("cpu", err);
    }
    rig_cpu = RISCV_CPU(dev);
    riscv_cpu_set_address_space(rig_cpu, get_address_space_memory());
    if (!device_realize(dev, &err)) {
        rig_die("realize", err);
    }
}

void rig_reset(void)
{
    if (!rig_cpu) {
        rig_build();
    }
    vclock_reset();
    main_loop_reset();
    rig_set_irq(RISCV_IRQ_MSIP, 0);
    rig_set_irq(RISCV_IRQ_MTIP, 0);
    rig_set_irq(RISCV_IRQ_MEIP, 0);
    memset(memory_region_get_ram_ptr(&rig_ram), 0, RIG_RAM_SIZE);
    memset(&rig_mmio, 0, sizeof(rig_mmio));
    rig_prog_len = 0;
    device_reset(DEVICE(rig_cpu));
    rig_cpu->csr.mtvec = RIG_HANDLER;
    /* The handler spins in place so tests can run a generous budget. */
    rig_write32(RIG_HANDLER, enc_jal(ZERO, 0));
}

void rig_emit16(uint16_t parcel)
{
    if (rig_prog_len == RIG_MAX_PARCELS) {
        fprintf(stderr, "test rig: program too long\n");
        exit(2);
    }
    rig_prog[rig_prog_len++] = parcel;
}

void rig_emit(uint32_t insn)
{
    rig_emit16((uint16_t)insn);
    rig_emit16((uint16_t)(insn >> 16));
}

uint64_t rig_next_pc(void)
{
    return rig_cpu->reset_pc + 2 * (uint64_t)rig_prog_len;
}

void rig_load(void)
{
    uint64_t pc = rig_cpu->reset_pc;
    uint8_t bytes[2 * RIG_MAX_PARCELS];
    for (int i = 0; i < rig_prog_len; i++) {
        bytes[2 * i] = (uint8_t)rig_prog[i];
        bytes[2 * i + 1] = (uint8_t)(rig_prog[i] >> 8);
    }
    if (address_space_write(get_address_space_memory(), pc, bytes,
                            2 * (size_t)rig_prog_len) != MEMTX_OK) {
        fprintf(stderr, "test rig: cannot load the program\n");
        exit(2);
    }
    rig_end_pc = rig_next_pc();
    rig_write32(rig_end_pc, enc_jal(ZERO, 0));
}

CpuExitReason rig_run(uint64_t max_steps, uint64_t *executed)
{
    uint64_t dummy;
    rig_load();
    return riscv_cpu_exec(rig_cpu, max_steps, executed ? executed : &dummy);
}

void rig_write32(uint64_t addr, uint32_t value)
{
    uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8),
                        (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    if (address_space_write(get_address_space_memory(), addr, bytes, 4) !=
        MEMTX_OK) {
        fprintf(stderr, "test rig: cannot write 0x%llx\n",
                (unsigned long long)addr);
        exit(2);
    }
}

void rig_write64(uint64_t addr, uint64_t value)
{
    rig_write32(addr, (uint32_t)value);
    rig_write32(addr + 4, (uint32_t)(value >> 32));
}

uint64_t rig_read64(uint64_t addr)
{
    uint8_t bytes[8];
    uint64_t value = 0;
    if (address_space_read(get_address_space_memory(), addr, bytes, 8) !=
        MEMTX_OK) {
        fprintf(stderr, "test rig: cannot read 0x%llx\n",
                (unsigned long long)addr);
        exit(2);
    }
    for (int i = 7; i >= 0; i--) {
        value = value << 8 | bytes[i];
    }
    return value;
}

void rig_set_irq(int line, int level)
{
    irq_set(qdev_get_gpio_in(DEVICE(rig_cpu), line), level);
}

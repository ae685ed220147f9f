/*
 * RISC-V IOMMU unit tests, against the specification (v1.0), through the
 * MMIO callbacks and iommu_translate(), with 1 MiB of RAM at 0x8000_0000
 * holding the tables and queues: registers and their reset values, the
 * device directory in each mode, Sv39 walks with 4 KiB, 2 MiB and 1 GiB
 * leaves, every fault cause the model raises, the fault queue (records,
 * overflow, memory fault, interrupt), the command queue (IOFENCE.C with
 * its write and interrupt, IOTINVAL.VMA, IODIR.INVAL_DDT, illegal
 * commands, memory faults) and the caches those commands invalidate.
 */
#include "hw/hw-test.h"
#include "hw/iommu/riscviommu/riscviommu.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x100000ull
#define NO_RAM 0x40000000ull /* nothing is mapped there */

/* Where the tables and queues live in RAM. */
#define DDT (RAM_BASE + 0x0000)
#define PT2 (RAM_BASE + 0x1000) /* Sv39 root */
#define PT1 (RAM_BASE + 0x2000)
#define PT0 (RAM_BASE + 0x3000)
#define CQ (RAM_BASE + 0x4000)
#define FQ (RAM_BASE + 0x5000)
#define DDT_MID (RAM_BASE + 0x6000) /* 2LVL/3LVL non-leaf tables */
#define DDT_TOP (RAM_BASE + 0x7000)
#define DATA (RAM_BASE + 0x20000)
#define FENCE_WORD (RAM_BASE + 0x8000)

#define DEV 8 /* the device ID of most tests */
#define IOVA 0x12345000ull
#define PSCID 0x42

#define LEAF_RW                                                                \
    (RISCV_IOMMU_PTE_V | RISCV_IOMMU_PTE_R | RISCV_IOMMU_PTE_W |               \
     RISCV_IOMMU_PTE_U | RISCV_IOMMU_PTE_A | RISCV_IOMMU_PTE_D)
#define FSC_SV39(root) (((uint64_t)RISCV_IOMMU_FSC_SV39 << 60) | ((root) >> 12))

typedef struct Rig {
    DeviceState *dev;
    IOMMU *iommu;
    IrqProbe irq;
} Rig;

/* Static, not in the rig: a failed CHECK leaves the test function without
 * its rig_destroy, and the next rig_setup cleans up after it. */
static MemoryRegion test_ram;
static DeviceState *test_dev;

static void st64(uint64_t addr, uint64_t v)
{
    CHECK_EQ_U64(address_space_st(get_address_space_memory(), addr, 8, v),
                 MEMTX_OK);
}

static uint64_t ld64(uint64_t addr)
{
    uint64_t v = 0;
    CHECK_EQ_U64(address_space_ld(get_address_space_memory(), addr, 8, &v),
                 MEMTX_OK);
    return v;
}

static uint64_t ld32(uint64_t addr)
{
    uint64_t v = 0;
    CHECK_EQ_U64(address_space_ld(get_address_space_memory(), addr, 4, &v),
                 MEMTX_OK);
    return v;
}

static uint64_t pte_to(uint64_t pa, uint64_t flags)
{
    return (pa >> 12) << 10 | flags;
}

static void write_dc(uint64_t table, uint32_t device_id, uint64_t tc,
                     uint64_t iohgatp, uint64_t ta, uint64_t fsc)
{
    uint64_t dc = table + (device_id & 0x7f) * RISCV_IOMMU_DC_SIZE;
    st64(dc, tc);
    st64(dc + 8, iohgatp);
    st64(dc + 16, ta);
    st64(dc + 24, fsc);
}

static void rig_destroy(Rig *r)
{
    (void)r;
    if (test_dev) {
        hw_test_destroy(test_dev);
        test_dev = NULL;
    }
    if (test_ram.container) {
        memory_region_destroy(&test_ram);
    }
}

static void rig_setup(Rig *r)
{
    Error *err = NULL;
    rig_destroy(r);
    CHECK(memory_region_init_ram(&test_ram, NULL, "test.ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), RAM_BASE, &test_ram);
    r->dev = test_dev = hw_test_create(TYPE_RISCV_IOMMU);
    r->iommu = IOMMU(r->dev);
    irq_probe_attach(&r->irq, r->dev, 0);
}

/* The fault queue at FQ with 2^log2sz entries, enabled with fie. */
static void fq_on(Rig *r, unsigned log2sz)
{
    wr64(r->dev, RISCV_IOMMU_FQB, (FQ >> 12) << 10 | (log2sz - 1));
    wr32(r->dev, RISCV_IOMMU_FQCSR,
         RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FIE);
}

/* The command queue at CQ with 8 entries, enabled with cie. */
static void cq_on(Rig *r)
{
    wr64(r->dev, RISCV_IOMMU_CQB, (CQ >> 12) << 10 | 2);
    wr32(r->dev, RISCV_IOMMU_CQCSR,
         RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CIE);
}

/* Queue one command at cqt and ring the doorbell. */
static void cq_submit(Rig *r, uint64_t cmd0, uint64_t cmd1)
{
    uint32_t cqt = rd32(r->dev, RISCV_IOMMU_CQT);
    st64(CQ + cqt * 16, cmd0);
    st64(CQ + cqt * 16 + 8, cmd1);
    wr32(r->dev, RISCV_IOMMU_CQT, (cqt + 1) & 7);
}

static uint64_t cmd_iofence(bool av, bool wsi, uint32_t data)
{
    return RISCV_IOMMU_CMD_IOFENCE | (av ? RISCV_IOMMU_CMD_AV : 0) |
           (wsi ? RISCV_IOMMU_CMD_IOFENCE_WSI : 0) | (uint64_t)data << 32;
}

/* The slot of iova's entry in the Sv39 table at table, level 2 (root) to
 * 0 (leaf). */
static uint64_t pte_slot(uint64_t table, uint64_t iova, unsigned level)
{
    return table + 8 * ((iova >> (12 + 9 * level)) & 0x1ff);
}

/* ddtp = the table at table, in mode. */
static void set_ddtp(Rig *r, uint64_t table, unsigned mode)
{
    wr64(r->dev, RISCV_IOMMU_DDTP, (table >> 12) << 10 | mode);
}

/* From one table mode to another: through Off, as the specification
 * requires (a direct move keeps the old value). */
static void switch_ddtp(Rig *r, uint64_t table, unsigned mode)
{
    wr64(r->dev, RISCV_IOMMU_DDTP, RISCV_IOMMU_DDTP_OFF);
    set_ddtp(r, table, mode);
}

/* A fresh rig with a 1LVL DDT where device DEV translates through Sv39:
 * IOVA -> DATA, one 4 KiB page with the given PTE flags; the fault queue
 * (32 entries) on. */
static void rig_setup_mapped(Rig *r, uint64_t flags)
{
    rig_setup(r);
    write_dc(DDT, DEV, RISCV_IOMMU_DC_TC_V, 0, (uint64_t)PSCID << 12,
             FSC_SV39(PT2));
    st64(pte_slot(PT2, IOVA, 2), pte_to(PT1, RISCV_IOMMU_PTE_V));
    st64(pte_slot(PT1, IOVA, 1), pte_to(PT0, RISCV_IOMMU_PTE_V));
    st64(pte_slot(PT0, IOVA, 0), pte_to(DATA, flags));
    set_ddtp(r, DDT, RISCV_IOMMU_DDTP_1LVL);
    fq_on(r, 5);
}

static int translate(Rig *r, uint32_t device_id, uint64_t iova, uint64_t len,
                     unsigned access, uint64_t *phys, uint64_t *mapped)
{
    return iommu_translate(r->iommu, device_id, iova, len, access, phys,
                           mapped);
}

/* The cause of a translation that must fail. */
static int fault_of(Rig *r, uint32_t device_id, uint64_t iova, unsigned access)
{
    uint64_t phys = 0, mapped = 0;
    return translate(r, device_id, iova, 8, access, &phys, &mapped);
}

/* Fault record n of the queue at FQ. */
static void check_record(uint32_t n, unsigned cause, unsigned ttyp,
                         uint32_t did, uint64_t iotval)
{
    uint64_t rec = FQ + 32ull * n;
    CHECK_EQ_U64(ld64(rec), cause | (uint64_t)ttyp << 34 | (uint64_t)did << 40);
    CHECK_EQ_U64(ld64(rec + 8), 0);
    CHECK_EQ_U64(ld64(rec + 16), iotval);
    CHECK_EQ_U64(ld64(rec + 24), 0);
}

UNIT_TEST(reset_values)
{
    Rig r;
    rig_setup(&r);
    /* Version 1.0, Sv39, IGS = WSI, PAS = 56. */
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_CAPABILITIES), 0x3890000210ull);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CAPABILITIES + 4), 0x38);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FCTL), RISCV_IOMMU_FCTL_WSI);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_DDTP), RISCV_IOMMU_DDTP_OFF);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR), 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR), 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), 0);
    CHECK_EQ_I64(iommu_get_mode(r.iommu), IOMMU_MODE_OFF);
    /* Read-only and WARL-0 registers keep their value. */
    wr64(r.dev, RISCV_IOMMU_CAPABILITIES, 0);
    wr32(r.dev, RISCV_IOMMU_FCTL, 0);
    wr64(r.dev, RISCV_IOMMU_ICVEC, 0xffff);
    wr64(r.dev, RISCV_IOMMU_PQB, 0xfffff);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_CAPABILITIES), 0x3890000210ull);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FCTL), RISCV_IOMMU_FCTL_WSI);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_ICVEC), 0);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_PQB), 0);
    CHECK_EQ_I64(r.irq.level, 0);
    rig_destroy(&r);
}

UNIT_TEST(register_halves_and_bad_accesses)
{
    Rig r;
    rig_setup(&r);
    /* 8-byte registers take two 4-byte writes, high half first. */
    wr32(r.dev, RISCV_IOMMU_FQB + 4, 0x1);
    wr32(r.dev, RISCV_IOMMU_FQB, 0x00000c03);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_FQB), 0x100000c03ull);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQB + 4), 0x1);
    /* Reserved bits 9:5 and 63:54 are not kept. */
    wr64(r.dev, RISCV_IOMMU_CQB, 0xffc00000000003e5ull);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_CQB), 0x5);
    /* 1- and 2-byte accesses, misaligned ones, and 8 bytes over two
     * 4-byte registers read 0 and change nothing. */
    CHECK_EQ_U64(mmio_read(r.dev, RISCV_IOMMU_FCTL, 1), 0);
    CHECK_EQ_U64(mmio_read(r.dev, RISCV_IOMMU_FQB + 2, 4), 0);
    mmio_write(r.dev, RISCV_IOMMU_FQH, 0x1234, 8);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQH), 0);
    rig_destroy(&r);
}

UNIT_TEST(mode_off_refuses_every_dma)
{
    Rig r;
    rig_setup(&r);
    fq_on(&r, 4);
    CHECK_EQ_I64(fault_of(&r, DEV, 0x80001000, IOMMU_ACCESS_WRITE),
                 IOMMU_CAUSE_ALL_DISALLOWED);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 1);
    check_record(0, IOMMU_CAUSE_ALL_DISALLOWED,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE, DEV, 0x80001000);
    rig_destroy(&r);
}

UNIT_TEST(bare_mode_is_identity)
{
    Rig r;
    rig_setup(&r);
    wr64(r.dev, RISCV_IOMMU_DDTP, RISCV_IOMMU_DDTP_BARE);
    CHECK_EQ_I64(iommu_get_mode(r.iommu), IOMMU_MODE_BARE);
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(translate(&r, 1234567, 0x80000ff8, 0x10000,
                           IOMMU_ACCESS_READ | IOMMU_ACCESS_WRITE, &phys,
                           &mapped),
                 0);
    CHECK_EQ_U64(phys, 0x80000ff8);
    CHECK_EQ_U64(mapped, 0x10000);
    /* No IOMMU at all: the same. */
    CHECK_EQ_I64(
        iommu_translate(NULL, 0, 0x1000, 16, IOMMU_ACCESS_READ, &phys, &mapped),
        0);
    CHECK_EQ_U64(phys, 0x1000);
    CHECK_EQ_U64(mapped, 16);
    rig_destroy(&r);
}

UNIT_TEST(ddtp_mode_is_warl)
{
    Rig r;
    rig_setup(&r);
    wr64(r.dev, RISCV_IOMMU_DDTP, (DDT >> 12) << 10 | 5); /* reserved */
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_DDTP),
                 (DDT >> 12) << 10 | RISCV_IOMMU_DDTP_OFF);
    set_ddtp(&r, DDT, RISCV_IOMMU_DDTP_1LVL);
    CHECK_EQ_I64(iommu_get_mode(r.iommu), IOMMU_MODE_TRANSLATE);
    /* 1LVL -> 3LVL directly is refused; through Bare it is taken. */
    set_ddtp(&r, DDT, RISCV_IOMMU_DDTP_3LVL);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_DDTP) & 0xf, RISCV_IOMMU_DDTP_1LVL);
    wr64(r.dev, RISCV_IOMMU_DDTP, RISCV_IOMMU_DDTP_BARE);
    set_ddtp(&r, DDT, RISCV_IOMMU_DDTP_3LVL);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_DDTP) & 0xf, RISCV_IOMMU_DDTP_3LVL);
    rig_destroy(&r);
}

UNIT_TEST(sv39_4k_page)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    uint64_t gen = iommu_get_generation(r.iommu);
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(translate(&r, DEV, IOVA + 0xf00, 0x1000, IOMMU_ACCESS_WRITE,
                           &phys, &mapped),
                 0);
    CHECK_EQ_U64(phys, DATA + 0xf00);
    CHECK_EQ_U64(mapped, 0x100); /* to the end of the page */
    CHECK_EQ_I64(
        translate(&r, DEV, IOVA + 8, 16, IOMMU_ACCESS_READ, &phys, &mapped), 0);
    CHECK_EQ_U64(phys, DATA + 8);
    CHECK_EQ_U64(mapped, 16);
    /* A translation invalidates nothing. */
    CHECK_EQ_U64(iommu_get_generation(r.iommu), gen);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 0);
    rig_destroy(&r);
}

UNIT_TEST(sv39_2m_and_1g_leaves)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    /* 2 MiB: iova 0x0060_0000 -> RAM_BASE (bit 21 aligned). */
    st64(PT1 + 8 * 3, pte_to(RAM_BASE, LEAF_RW));
    /* 1 GiB: iova 0x40_0000_0000 - 1G (vpn2 255) -> 0x8000_0000. */
    uint64_t giga = 255ull << 30;
    st64(PT2 + 8 * 255, pte_to(RAM_BASE, LEAF_RW | RISCV_IOMMU_PTE_G));
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(translate(&r, DEV, 0x600000 + 0x1234, 0x400000,
                           IOMMU_ACCESS_READ, &phys, &mapped),
                 0);
    CHECK_EQ_U64(phys, RAM_BASE + 0x1234);
    CHECK_EQ_U64(mapped, 0x200000 - 0x1234);
    CHECK_EQ_I64(translate(&r, DEV, giga + 0x3456789, UINT64_MAX,
                           IOMMU_ACCESS_WRITE, &phys, &mapped),
                 0);
    CHECK_EQ_U64(phys, RAM_BASE + 0x3456789);
    CHECK_EQ_U64(mapped, (1ull << 30) - 0x3456789);
    rig_destroy(&r);
}

UNIT_TEST(misaligned_superpage_is_a_page_fault)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    st64(PT1 + 8 * 3, pte_to(RAM_BASE + 0x1000, LEAF_RW));
    st64(PT2 + 8 * 255, pte_to(RAM_BASE + 0x200000, LEAF_RW));
    CHECK_EQ_I64(fault_of(&r, DEV, 0x600000, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_READ_PAGE_FAULT);
    CHECK_EQ_I64(fault_of(&r, DEV, 255ull << 30, IOMMU_ACCESS_WRITE),
                 IOMMU_CAUSE_WRITE_PAGE_FAULT);
    check_record(0, IOMMU_CAUSE_READ_PAGE_FAULT,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_READ, DEV, 0x600000);
    check_record(1, IOMMU_CAUSE_WRITE_PAGE_FAULT,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE, DEV, 255ull << 30);
    rig_destroy(&r);
}

UNIT_TEST(ddt_two_and_three_levels)
{
    Rig r;
    rig_setup(&r);
    fq_on(&r, 4);
    /* 3LVL: device 0x12_3456: DDI[2] 0x12, DDI[1] 0x68, DDI[0] 0x56. */
    uint32_t did = 0x123456;
    st64(DDT_TOP + 8 * 0x12, pte_to(DDT_MID, RISCV_IOMMU_DDTE_V));
    st64(DDT_MID + 8 * 0x68, pte_to(DDT, RISCV_IOMMU_DDTE_V));
    write_dc(DDT, did, RISCV_IOMMU_DC_TC_V, 0, 0, 0); /* fsc Bare */
    set_ddtp(&r, DDT_TOP, RISCV_IOMMU_DDTP_3LVL);
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(
        translate(&r, did, 0x1000, 64, IOMMU_ACCESS_READ, &phys, &mapped), 0);
    CHECK_EQ_U64(phys, 0x1000);
    CHECK_EQ_U64(mapped, 64);
    /* Another DDI[2]: its top entry is not valid. */
    CHECK_EQ_I64(fault_of(&r, 0x133456, 0, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_INVALID);
    /* 2LVL from the middle table: DDI[2] must be 0. */
    switch_ddtp(&r, DDT_MID, RISCV_IOMMU_DDTP_2LVL);
    CHECK_EQ_I64(translate(&r, did & 0xffff, 0x2000, 8, IOMMU_ACCESS_WRITE,
                           &phys, &mapped),
                 0);
    CHECK_EQ_I64(fault_of(&r, did, 0, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_TTYPE_DISALLOWED);
    /* 1LVL: 7-bit device IDs only. */
    switch_ddtp(&r, DDT, RISCV_IOMMU_DDTP_1LVL);
    CHECK_EQ_I64(fault_of(&r, 0x80, 0, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_TTYPE_DISALLOWED);
    CHECK_EQ_I64(
        translate(&r, 0x56, 0x3000, 8, IOMMU_ACCESS_READ, &phys, &mapped), 0);
    rig_destroy(&r);
}

UNIT_TEST(ddt_faults)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    /* A device context with V clear. */
    CHECK_EQ_I64(fault_of(&r, DEV + 1, IOVA, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_INVALID);
    check_record(0, IOMMU_CAUSE_DDT_INVALID, RISCV_IOMMU_TTYP_UNTRANSLATED_READ,
                 DEV + 1, IOVA);
    /* Misconfigured: EN_ATS without ATS, a G-stage, a reserved ta bit,
     * fsc Sv48, reserved fsc bits. */
    const uint64_t bad[][4] = {
        {RISCV_IOMMU_DC_TC_V | 1u << 1, 0, 0, FSC_SV39(PT2)},
        {RISCV_IOMMU_DC_TC_V, 8ull << 60 | 1, 0, FSC_SV39(PT2)},
        {RISCV_IOMMU_DC_TC_V, 0, 1, FSC_SV39(PT2)},
        {RISCV_IOMMU_DC_TC_V, 0, 0, 9ull << 60 | (PT2 >> 12)},
        {RISCV_IOMMU_DC_TC_V, 0, 0, FSC_SV39(PT2) | 1ull << 50},
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_dc(DDT, 20 + i, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
        CHECK_EQ_I64(fault_of(&r, 20 + i, IOVA, IOMMU_ACCESS_READ),
                     IOMMU_CAUSE_DDT_MISCONFIGURED);
    }
    /* A DDT where there is no RAM. */
    switch_ddtp(&r, NO_RAM, RISCV_IOMMU_DDTP_1LVL);
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA, IOMMU_ACCESS_WRITE),
                 IOMMU_CAUSE_DDT_LOAD_FAULT);
    /* The same for a non-leaf level. */
    switch_ddtp(&r, NO_RAM, RISCV_IOMMU_DDTP_3LVL);
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_LOAD_FAULT);
    /* A non-leaf DDT entry with reserved bits. */
    st64(DDT_MID, pte_to(DDT, RISCV_IOMMU_DDTE_V) | 1u << 3);
    switch_ddtp(&r, DDT_MID, RISCV_IOMMU_DDTP_2LVL);
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_MISCONFIGURED);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 9);
    rig_destroy(&r);
}

UNIT_TEST(page_faults_and_access_faults)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    uint64_t leaf = pte_slot(PT0, IOVA, 0);
    const struct {
        uint64_t pte;
        unsigned access;
        int cause;
    } cases[] = {
        {0, IOMMU_ACCESS_READ, IOMMU_CAUSE_READ_PAGE_FAULT},
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_V), IOMMU_ACCESS_WRITE,
         IOMMU_CAUSE_WRITE_PAGE_FAULT},
        /* Permissions: no R for a read, no W for a write. */
        {pte_to(DATA, RISCV_IOMMU_PTE_V | RISCV_IOMMU_PTE_X |
                          RISCV_IOMMU_PTE_U | RISCV_IOMMU_PTE_A),
         IOMMU_ACCESS_READ, IOMMU_CAUSE_READ_PAGE_FAULT},
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_W), IOMMU_ACCESS_WRITE,
         IOMMU_CAUSE_WRITE_PAGE_FAULT},
        /* W without R is reserved. */
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_R), IOMMU_ACCESS_WRITE,
         IOMMU_CAUSE_WRITE_PAGE_FAULT},
        /* U-mode requests need U; A; D for writes. */
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_U), IOMMU_ACCESS_READ,
         IOMMU_CAUSE_READ_PAGE_FAULT},
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_A), IOMMU_ACCESS_READ,
         IOMMU_CAUSE_READ_PAGE_FAULT},
        {pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_D), IOMMU_ACCESS_WRITE,
         IOMMU_CAUSE_WRITE_PAGE_FAULT},
        /* PBMT and N are not implemented. */
        {pte_to(DATA, LEAF_RW) | 1ull << 61, IOMMU_ACCESS_READ,
         IOMMU_CAUSE_READ_PAGE_FAULT},
        {pte_to(DATA, LEAF_RW) | 1ull << 63, IOMMU_ACCESS_READ,
         IOMMU_CAUSE_READ_PAGE_FAULT},
        /* A pointer at level 0 has no next level. */
        {pte_to(PT0, RISCV_IOMMU_PTE_V), IOMMU_ACCESS_READ,
         IOMMU_CAUSE_READ_PAGE_FAULT},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        st64(leaf, cases[i].pte);
        CHECK_EQ_I64(fault_of(&r, DEV, IOVA, cases[i].access), cases[i].cause);
    }
    /* Read-only page: reads pass, writes fault. */
    st64(leaf, pte_to(DATA, LEAF_RW & ~RISCV_IOMMU_PTE_W));
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(translate(&r, DEV, IOVA, 8, IOMMU_ACCESS_READ, &phys, &mapped),
                 0);
    CHECK_EQ_I64(
        fault_of(&r, DEV, IOVA, IOMMU_ACCESS_READ | IOMMU_ACCESS_WRITE),
        IOMMU_CAUSE_WRITE_PAGE_FAULT);
    /* A non-leaf entry with A set. */
    st64(pte_slot(PT1, IOVA, 1),
         pte_to(PT0, RISCV_IOMMU_PTE_V | RISCV_IOMMU_PTE_A));
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA + 0x1000, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_READ_PAGE_FAULT);
    /* An IOVA that is not sign-extended from bit 38. */
    CHECK_EQ_I64(fault_of(&r, DEV, 1ull << 39, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_READ_PAGE_FAULT);
    /* Page tables where there is no RAM: access faults. */
    st64(pte_slot(PT1, IOVA, 1), pte_to(NO_RAM, RISCV_IOMMU_PTE_V));
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA + 0x2000, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_READ_ACCESS_FAULT);
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA + 0x2000, IOMMU_ACCESS_WRITE),
                 IOMMU_CAUSE_WRITE_ACCESS_FAULT);
    /* The last record is the write access fault, at the IOVA. */
    uint32_t fqt = rd32(r.dev, RISCV_IOMMU_FQT);
    check_record(fqt - 1, IOMMU_CAUSE_WRITE_ACCESS_FAULT,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE, DEV, IOVA + 0x2000);
    rig_destroy(&r);
}

UNIT_TEST(dtf_silences_translation_faults_only)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    write_dc(DDT, DEV, RISCV_IOMMU_DC_TC_V | RISCV_IOMMU_DC_TC_DTF, 0, 0,
             FSC_SV39(PT2));
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA + 0x1000, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_READ_PAGE_FAULT);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 0);
    write_dc(DDT, DEV + 1, RISCV_IOMMU_DC_TC_DTF, 0, 0, 0);
    CHECK_EQ_I64(fault_of(&r, DEV + 1, IOVA, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_INVALID);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 1);
    rig_destroy(&r);
}

UNIT_TEST(fault_queue_interrupt)
{
    Rig r;
    rig_setup(&r);
    fq_on(&r, 4);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR), RISCV_IOMMU_FQCSR_FQEN |
                                                     RISCV_IOMMU_FQCSR_FIE |
                                                     RISCV_IOMMU_FQCSR_FQON);
    fault_of(&r, 3, 0x1000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), RISCV_IOMMU_IPSR_FIP);
    CHECK_EQ_I64(r.irq.level, 1);
    /* Software takes the record and clears fip: the line falls. */
    wr32(r.dev, RISCV_IOMMU_FQH, 1);
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_FIP);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), 0);
    CHECK_EQ_I64(r.irq.level, 0);
    /* Without fie, records still arrive, with no interrupt. */
    wr32(r.dev, RISCV_IOMMU_FQCSR, RISCV_IOMMU_FQCSR_FQEN);
    fault_of(&r, 3, 0x2000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 2);
    CHECK_EQ_I64(r.irq.level, 0);
    /* Queue off: the record is dropped. */
    wr32(r.dev, RISCV_IOMMU_FQCSR, 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR), 0);
    fault_of(&r, 3, 0x3000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 2);
    /* Enabling again starts at fqt 0. */
    fq_on(&r, 4);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 0);
    rig_destroy(&r);
}

UNIT_TEST(fault_queue_overflow)
{
    Rig r;
    rig_setup(&r);
    fq_on(&r, 2); /* 4 entries: full at 3 records */
    for (uint64_t i = 0; i < 3; i++) {
        fault_of(&r, 5, i << 12, IOMMU_ACCESS_READ);
    }
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 3);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR) & RISCV_IOMMU_FQCSR_FQOF, 0);
    uint64_t third = ld64(FQ + 3 * 32 + 16);
    fault_of(&r, 5, 0x7000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR) & RISCV_IOMMU_FQCSR_FQOF,
                 RISCV_IOMMU_FQCSR_FQOF);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 3);
    CHECK_EQ_U64(ld64(FQ + 3 * 32 + 16), third); /* discarded */
    /* fip comes back while fqof stays set. */
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_FIP);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), RISCV_IOMMU_IPSR_FIP);
    /* Room again, but fqof still discards everything. */
    wr32(r.dev, RISCV_IOMMU_FQH, 3);
    fault_of(&r, 5, 0x8000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 3);
    /* Cleared: records flow again, wrapping around. */
    wr32(r.dev, RISCV_IOMMU_FQCSR,
         RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FIE |
             RISCV_IOMMU_FQCSR_FQOF);
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_FIP);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), 0);
    CHECK_EQ_I64(r.irq.level, 0);
    fault_of(&r, 5, 0x9000, IOMMU_ACCESS_READ);
    fault_of(&r, 5, 0xa000, IOMMU_ACCESS_READ);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 1);
    check_record(3, IOMMU_CAUSE_ALL_DISALLOWED,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_READ, 5, 0x9000);
    check_record(0, IOMMU_CAUSE_ALL_DISALLOWED,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_READ, 5, 0xa000);
    CHECK_EQ_I64(r.irq.level, 1);
    rig_destroy(&r);
}

UNIT_TEST(fault_queue_memory_fault)
{
    Rig r;
    rig_setup(&r);
    wr64(r.dev, RISCV_IOMMU_FQB, (NO_RAM >> 12) << 10 | 3);
    wr32(r.dev, RISCV_IOMMU_FQCSR,
         RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FIE);
    fault_of(&r, 5, 0x1000, IOMMU_ACCESS_WRITE);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR) & RISCV_IOMMU_FQCSR_FQMF,
                 RISCV_IOMMU_FQCSR_FQMF);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQT), 0);
    CHECK_EQ_I64(r.irq.level, 1);
    /* fqb cannot move while the queue is on. */
    wr64(r.dev, RISCV_IOMMU_FQB, (FQ >> 12) << 10 | 3);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_FQB), (NO_RAM >> 12) << 10 | 3);
    rig_destroy(&r);
}

/* A smaller queue keeps only the index bits it has, so the state stays
 * one a snapshot can load. */
UNIT_TEST(queue_indexes_follow_a_smaller_queue)
{
    Rig r;
    rig_setup(&r);
    cq_on(&r);
    for (int i = 0; i < 5; i++) {
        cq_submit(&r, cmd_iofence(false, false, 0), 0);
    }
    fq_on(&r, 4);
    wr32(r.dev, RISCV_IOMMU_FQH, 13);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 5);
    wr32(r.dev, RISCV_IOMMU_CQCSR, 0);
    wr32(r.dev, RISCV_IOMMU_FQCSR, 0);
    wr64(r.dev, RISCV_IOMMU_CQB, (CQ >> 12) << 10 | 0); /* 2 entries */
    wr64(r.dev, RISCV_IOMMU_FQB, (FQ >> 12) << 10 | 1); /* 4 entries */
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 1);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQT), 1);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQH), 1);
    CHECK(vmstate_riscv_iommu.post_load(RISCV_IOMMU(r.dev), 1, NULL));
    rig_destroy(&r);
}

UNIT_TEST(iofence_writes_and_interrupts)
{
    Rig r;
    rig_setup(&r);
    cq_on(&r);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR), RISCV_IOMMU_CQCSR_CQEN |
                                                     RISCV_IOMMU_CQCSR_CIE |
                                                     RISCV_IOMMU_CQCSR_CQON);
    cq_submit(&r, cmd_iofence(true, false, 0xc0ffee01), FENCE_WORD >> 2);
    CHECK_EQ_U64(ld32(FENCE_WORD), 0xc0ffee01);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 1);
    CHECK_EQ_I64(r.irq.level, 0);
    /* WSI: fence_w_ip, then cip and the line. */
    cq_submit(&r, cmd_iofence(false, true, 0), 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 2);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_FENCE_W_IP,
                 RISCV_IOMMU_CQCSR_FENCE_W_IP);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_IPSR), RISCV_IOMMU_IPSR_CIP);
    CHECK_EQ_I64(r.irq.level, 1);
    /* Clearing cip alone: it comes back while fence_w_ip is set. */
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_CIP);
    CHECK_EQ_I64(r.irq.level, 1);
    wr32(r.dev, RISCV_IOMMU_CQCSR,
         RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CIE |
             RISCV_IOMMU_CQCSR_FENCE_W_IP);
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_CIP);
    CHECK_EQ_I64(r.irq.level, 0);
    /* Seven commands behind one doorbell, wrapping the 8-entry queue. */
    uint32_t cqt = rd32(r.dev, RISCV_IOMMU_CQT);
    for (uint32_t i = 0; i < 7; i++) {
        uint64_t slot = CQ + ((cqt + i) & 7) * 16;
        st64(slot, cmd_iofence(true, false, 100 + i));
        st64(slot + 8, (FENCE_WORD + 4 * i) >> 2);
    }
    wr32(r.dev, RISCV_IOMMU_CQT, (cqt + 7) & 7);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), (cqt + 7) & 7);
    for (uint32_t i = 0; i < 7; i++) {
        CHECK_EQ_U64(ld32(FENCE_WORD + 4 * i), 100 + i);
    }
    rig_destroy(&r);
}

UNIT_TEST(command_queue_errors_stop_it)
{
    Rig r;
    rig_setup(&r);
    cq_on(&r);
    /* IOFENCE.C writing where there is no RAM: cqmf, cqh stays. */
    cq_submit(&r, cmd_iofence(true, false, 1), NO_RAM >> 2);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_CQMF,
                 RISCV_IOMMU_CQCSR_CQMF);
    CHECK_EQ_I64(r.irq.level, 1);
    /* Fixed in memory and cqmf cleared: it runs. */
    st64(CQ + 8, FENCE_WORD >> 2);
    wr32(r.dev, RISCV_IOMMU_CQCSR,
         RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CIE |
             RISCV_IOMMU_CQCSR_CQMF);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 1);
    CHECK_EQ_U64(ld32(FENCE_WORD), 1);
    wr32(r.dev, RISCV_IOMMU_IPSR, RISCV_IOMMU_IPSR_CIP);
    CHECK_EQ_I64(r.irq.level, 0);
    /* Illegal: an unknown opcode, a reserved bit of IOTINVAL, an unknown
     * func3 of IODIR, a reserved bit of IOFENCE, IOTINVAL.GVMA with PSCV.
     * Each stops the queue on itself. */
    const uint64_t illegal[][2] = {
        {0x7f, 0},
        {RISCV_IOMMU_CMD_IOTINVAL | 1ull << 11, 0},
        {RISCV_IOMMU_CMD_IODIR | 2u << 7, 0},
        {RISCV_IOMMU_CMD_IOFENCE | 1ull << 20, 0},
        {RISCV_IOMMU_CMD_IOTINVAL | 1u << 7 | RISCV_IOMMU_CMD_PSCV, 0},
    };
    for (unsigned i = 0; i < sizeof(illegal) / sizeof(illegal[0]); i++) {
        uint32_t cqh = rd32(r.dev, RISCV_IOMMU_CQH);
        cq_submit(&r, illegal[i][0], illegal[i][1]);
        CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), cqh);
        CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_CMD_ILL,
                     RISCV_IOMMU_CQCSR_CMD_ILL);
        /* Software replaces it with a fence and clears cmd_ill. */
        st64(CQ + cqh * 16, cmd_iofence(false, false, 0));
        st64(CQ + cqh * 16 + 8, 0);
        wr32(r.dev, RISCV_IOMMU_CQCSR,
             RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CMD_ILL);
        CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), (cqh + 1) & 7);
    }
    /* A command queue where there is no RAM: cqmf. */
    wr32(r.dev, RISCV_IOMMU_CQCSR, 0);
    wr64(r.dev, RISCV_IOMMU_CQB, (NO_RAM >> 12) << 10 | 2);
    wr32(r.dev, RISCV_IOMMU_CQCSR, RISCV_IOMMU_CQCSR_CQEN);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 0);
    wr32(r.dev, RISCV_IOMMU_CQT, 1);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_CQMF,
                 RISCV_IOMMU_CQCSR_CQMF);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQH), 0);
    rig_destroy(&r);
}

/* Translates IOVA for a read and returns the physical address (0 on a
 * fault). */
static uint64_t phys_of(Rig *r, uint64_t iova)
{
    uint64_t phys = 0, mapped = 0;
    return translate(r, DEV, iova, 1, IOMMU_ACCESS_READ, &phys, &mapped) == 0
               ? phys
               : 0;
}

UNIT_TEST(iotlb_is_invalidated_by_iotinval_vma)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    cq_on(&r);
    uint64_t leaf = pte_slot(PT0, IOVA, 0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    /* The page is moved without an invalidation: the IOTLB still has
     * the old translation, as the specification allows. */
    st64(leaf, pte_to(DATA + 0x1000, LEAF_RW));
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    uint64_t gen = iommu_get_generation(r.iommu);
    /* Another address (AV) and another PSCID (PSCV) keep it. */
    cq_submit(&r, RISCV_IOMMU_CMD_IOTINVAL | RISCV_IOMMU_CMD_AV,
              ((IOVA + 0x1000) >> 12) << 10);
    cq_submit(&r,
              RISCV_IOMMU_CMD_IOTINVAL | RISCV_IOMMU_CMD_PSCV |
                  (uint64_t)(PSCID + 1) << 12,
              0);
    /* GV: guest address spaces, of which there are none. */
    cq_submit(&r, RISCV_IOMMU_CMD_IOTINVAL | RISCV_IOMMU_CMD_GV, 0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    /* This address in this PSCID drops it. */
    cq_submit(&r,
              RISCV_IOMMU_CMD_IOTINVAL | RISCV_IOMMU_CMD_AV |
                  RISCV_IOMMU_CMD_PSCV | (uint64_t)PSCID << 12,
              (IOVA >> 12) << 10);
    CHECK(iommu_get_generation(r.iommu) != gen);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x1000);
    /* Everything (AV 0, PSCV 0). */
    st64(leaf, pte_to(DATA + 0x2000, LEAF_RW));
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x1000);
    cq_submit(&r, RISCV_IOMMU_CMD_IOTINVAL, 0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x2000);
    /* A global page survives PSCV. */
    st64(leaf, pte_to(DATA + 0x3000, LEAF_RW | RISCV_IOMMU_PTE_G));
    cq_submit(&r, RISCV_IOMMU_CMD_IOTINVAL, 0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x3000);
    st64(leaf, pte_to(DATA, LEAF_RW));
    cq_submit(&r,
              RISCV_IOMMU_CMD_IOTINVAL | RISCV_IOMMU_CMD_PSCV |
                  (uint64_t)PSCID << 12,
              0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x3000);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_ERRORS, 0);
    rig_destroy(&r);
}

UNIT_TEST(cached_permission_is_rechecked)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW & ~RISCV_IOMMU_PTE_D);
    uint64_t leaf = pte_slot(PT0, IOVA, 0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    /* Software sets D (no invalidation needed for more permission). */
    st64(leaf, pte_to(DATA, LEAF_RW));
    uint64_t phys = 0, mapped = 0;
    CHECK_EQ_I64(
        translate(&r, DEV, IOVA, 4, IOMMU_ACCESS_WRITE, &phys, &mapped), 0);
    CHECK_EQ_U64(phys, DATA);
    rig_destroy(&r);
}

UNIT_TEST(device_context_cache_and_iodir)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    cq_on(&r);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    write_dc(DDT, DEV, 0, 0, 0, 0); /* V clear, still cached */
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    /* Another device's DID keeps it. */
    cq_submit(&r,
              RISCV_IOMMU_CMD_IODIR | RISCV_IOMMU_CMD_IODIR_DV |
                  (uint64_t)(DEV + 1) << 40,
              0);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    cq_submit(&r,
              RISCV_IOMMU_CMD_IODIR | RISCV_IOMMU_CMD_IODIR_DV |
                  (uint64_t)DEV << 40,
              0);
    CHECK_EQ_I64(fault_of(&r, DEV, IOVA, IOMMU_ACCESS_READ),
                 IOMMU_CAUSE_DDT_INVALID);
    /* A DID wider than 1LVL reaches is illegal. */
    cq_submit(&r,
              RISCV_IOMMU_CMD_IODIR | RISCV_IOMMU_CMD_IODIR_DV |
                  (uint64_t)0x80 << 40,
              0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_CQCSR) & RISCV_IOMMU_CQCSR_CMD_ILL,
                 RISCV_IOMMU_CQCSR_CMD_ILL);
    rig_destroy(&r);
}

UNIT_TEST(ddtp_write_and_reset_empty_the_caches)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    st64(pte_slot(PT0, IOVA, 0), pte_to(DATA + 0x5000, LEAF_RW));
    set_ddtp(&r, DDT, RISCV_IOMMU_DDTP_1LVL);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x5000);
    uint64_t gen = iommu_get_generation(r.iommu);
    device_reset(r.dev);
    CHECK(iommu_get_generation(r.iommu) != gen);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_DDTP), 0);
    CHECK_EQ_U64(rd32(r.dev, RISCV_IOMMU_FQCSR), 0);
    rig_destroy(&r);
}

UNIT_TEST(migration_post_load)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW);
    RiscvIommuState *s = RISCV_IOMMU(r.dev);
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA);
    st64(pte_slot(PT0, IOVA, 0), pte_to(DATA + 0x6000, LEAF_RW));
    /* A loaded state starts with empty caches and its interrupt level. */
    s->ipsr = RISCV_IOMMU_IPSR_FIP;
    CHECK(vmstate_riscv_iommu.post_load(s, 1, NULL));
    CHECK_EQ_U64(phys_of(&r, IOVA), DATA + 0x6000);
    CHECK_EQ_I64(r.irq.level, 1);
    /* Indexes outside their queue, or a reserved mode, are refused. */
    Error *err = NULL;
    s->fqh = 32;
    CHECK(!vmstate_riscv_iommu.post_load(s, 1, &err));
    error_free(err);
    s->fqh = 0;
    s->ddtp = 7;
    err = NULL;
    CHECK(!vmstate_riscv_iommu.post_load(s, 1, &err));
    error_free(err);
    rig_destroy(&r);
}

UNIT_TEST(registers_text)
{
    Rig r;
    rig_setup(&r);
    wr64(r.dev, RISCV_IOMMU_DDTP, RISCV_IOMMU_DDTP_BARE);
    char *text =
        object_property_get_str(OBJECT(r.dev), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text, "ddtp=0x1 cqb=0x0 cqh=0x0 cqt=0x0 fqb=0x0 fqh=0x0 "
                      "fqt=0x0 cqcsr=0x0 fqcsr=0x0 ipsr=0x0 tr_req_iova=0x0 "
                      "tr_req_ctl=0x0 tr_response=0x0");
    free(text);
    rig_destroy(&r);
}

/* One request through the debug interface; returns tr_response. */
static uint64_t debug_translate(Rig *r, uint32_t did, uint64_t iova, bool nw)
{
    wr64(r->dev, RISCV_IOMMU_TR_REQ_IOVA, iova);
    wr64(r->dev, RISCV_IOMMU_TR_REQ_CTL,
         (uint64_t)did << 40 | (nw ? RISCV_IOMMU_TR_REQ_NW : 0) |
             RISCV_IOMMU_TR_REQ_GO);
    CHECK_EQ_U64(rd64(r->dev, RISCV_IOMMU_TR_REQ_CTL) & RISCV_IOMMU_TR_REQ_GO,
                 0);
    return rd64(r->dev, RISCV_IOMMU_TR_RESPONSE);
}

UNIT_TEST(debug_interface)
{
    Rig r;
    rig_setup_mapped(&r, LEAF_RW & ~RISCV_IOMMU_PTE_W);
    st64(PT1 + 8 * 3, pte_to(RAM_BASE, LEAF_RW));
    /* A 4 KiB page: PPN, S clear; the low 12 bits of the IOVA are not
     * kept. */
    CHECK_EQ_U64(debug_translate(&r, DEV, IOVA + 0x123, true), (DATA >> 12)
                                                                   << 10);
    CHECK_EQ_U64(rd64(r.dev, RISCV_IOMMU_TR_REQ_IOVA), IOVA);
    /* Read-write on a read-only page: a fault, also in the queue. */
    CHECK_EQ_U64(debug_translate(&r, DEV, IOVA, false),
                 RISCV_IOMMU_TR_RESPONSE_FAULT);
    check_record(0, IOMMU_CAUSE_WRITE_PAGE_FAULT,
                 RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE, DEV, IOVA);
    /* A 2 MiB superpage: S, and PPN bits 7:0 set, bit 8 clear. */
    CHECK_EQ_U64(debug_translate(&r, DEV, 0x600000 + 0x5000, false),
                 ((RAM_BASE >> 12) | 0xff) << 10 | RISCV_IOMMU_TR_RESPONSE_S);
    /* Bare: the IOVA's own page. */
    wr64(r.dev, RISCV_IOMMU_DDTP, RISCV_IOMMU_DDTP_BARE);
    CHECK_EQ_U64(debug_translate(&r, 77, 0x87654000, false),
                 (0x87654000ull >> 12) << 10);
    rig_destroy(&r);
}

int main(void)
{
    return unit_run_all();
}

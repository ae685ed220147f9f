/*
 * RISC-V IOMMU self-test: programs the IOMMU alone, the way a driver does,
 * and checks each translation through the specification's debug interface
 * (tr_req_iova/tr_req_ctl/tr_response): the queues, Off and Bare, a 1LVL
 * device directory with an Sv39 page table mapping an IOVA at another
 * physical page, IOFENCE.C and its write, IOTINVAL.VMA after a remap, a
 * page fault read back from the fault queue with its interrupt through
 * the PLIC (source IOMMU_IRQ of the board table), an illegal command and
 * IOFENCE.C's wired interrupt.
 */
#include <stdint.h>

#include "check.h"
#include "machine/virt-map.h"
#include "mmio.h"
#include "plic.h"
#include "uart.h"

/* Registers (RISC-V IOMMU Architecture Specification 1.0). */
#define CAPABILITIES 0x00
#define FCTL 0x08
#define DDTP 0x10
#define CQB 0x18
#define CQH 0x20
#define CQT 0x24
#define FQB 0x28
#define FQH 0x30
#define FQT 0x34
#define CQCSR 0x48
#define FQCSR 0x4c
#define IPSR 0x54
#define TR_REQ_IOVA 0x258
#define TR_REQ_CTL 0x260
#define TR_RESPONSE 0x268

#define CAP_SV39 (1ull << 9)
#define CAP_DBG (1ull << 31)
#define FCTL_WSI (1u << 1)
#define DDTP_OFF 0
#define DDTP_BARE 1
#define DDTP_1LVL 2
#define QCSR_EN (1u << 0)
#define QCSR_IE (1u << 1)
#define CQCSR_CMD_ILL (1u << 10)
#define CQCSR_FENCE_W_IP (1u << 11)
#define QCSR_ON (1u << 16)
#define IPSR_CIP (1u << 0)
#define IPSR_FIP (1u << 1)
#define TR_GO (1ull << 0)
#define TR_NW (1ull << 3)
#define TR_FAULT (1ull << 0)

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)

#define CMD_IOTINVAL_VMA 1ull
#define CMD_IOFENCE_C 2ull
#define CMD_AV (1ull << 10)
#define CMD_WSI (1ull << 11)

/* The device this test stands in for: the one in the virtio slot. */
#define DID VIRT_IOMMU_DEVICE_ID(0x10008000)
#define PSCID 5
#define IOVA 0x40000000ull /* far from any RAM address */

#define CQ_ENTRIES 16
#define FQ_ENTRIES 8

static uint64_t ddt[512] __attribute__((aligned(4096)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint64_t pt1[512] __attribute__((aligned(4096)));
static uint64_t pt0[512] __attribute__((aligned(4096)));
static uint64_t cq[2 * CQ_ENTRIES] __attribute__((aligned(4096)));
static uint64_t fq[4 * FQ_ENTRIES] __attribute__((aligned(4096)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static volatile uint32_t fence_word;

static uint64_t rd64(uintptr_t reg)
{
    return mmio_read64(VIRT_IOMMU_BASE + reg);
}

static void wr64(uintptr_t reg, uint64_t value)
{
    mmio_write64(VIRT_IOMMU_BASE + reg, value);
}

static uint32_t rd32(uintptr_t reg)
{
    return mmio_read32(VIRT_IOMMU_BASE + reg);
}

static void wr32(uintptr_t reg, uint32_t value)
{
    mmio_write32(VIRT_IOMMU_BASE + reg, value);
}

/* Tables and commands reach memory before the IOMMU is told. */
static void barrier(void)
{
    __asm__ volatile("fence rw, rw" ::: "memory");
}

static uint64_t ppn(const void *p)
{
    return (uintptr_t)p >> 12;
}

static uint64_t pte(const void *p, uint64_t flags)
{
    return ppn(p) << 10 | flags;
}

/* tr_response for a read-write (or read-only, nw) request of DID. */
static uint64_t translate(uint64_t iova, int nw)
{
    wr64(TR_REQ_IOVA, iova);
    wr64(TR_REQ_CTL, (uint64_t)DID << 40 | (nw ? TR_NW : 0) | TR_GO);
    while (rd64(TR_REQ_CTL) & TR_GO) {
    }
    return rd64(TR_RESPONSE);
}

static void submit(uint64_t cmd0, uint64_t cmd1)
{
    uint32_t tail = rd32(CQT);
    cq[2 * tail] = cmd0;
    cq[2 * tail + 1] = cmd1;
    barrier();
    wr32(CQT, (tail + 1) % CQ_ENTRIES);
}

/* IOFENCE.C writing data to fence_word; waits for it. */
static int fence(uint32_t data)
{
    fence_word = 0;
    barrier();
    submit(CMD_IOFENCE_C | CMD_AV | (uint64_t)data << 32,
           (uintptr_t)&fence_word >> 2);
    for (int i = 0; i < 1000; i++) {
        if (fence_word == data) {
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    uart_init(false);
    print("riscviommu test\n");

    check_group("registers");
    uint64_t caps = rd64(CAPABILITIES);
    check_eq("capabilities.version is 1.0", caps & 0xff, 0x10);
    check_eq("Sv39 and the debug interface", caps & (CAP_SV39 | CAP_DBG),
             CAP_SV39 | CAP_DBG);
    check_eq("wired interrupts (fctl.WSI)", rd32(FCTL), FCTL_WSI);
    check_eq("ddtp is Off at reset", rd64(DDTP), DDTP_OFF);

    check_group("queues");
    wr64(FQB, ppn(fq) << 10 | (3 - 1)); /* 8 records */
    wr32(FQCSR, QCSR_EN);               /* its interrupt later, in "a fault" */
    check_eq("fault queue on", rd32(FQCSR), QCSR_EN | QCSR_ON);
    wr64(CQB, ppn(cq) << 10 | (4 - 1)); /* 16 commands */
    wr32(CQCSR, QCSR_EN);
    check_eq("command queue on", rd32(CQCSR), QCSR_EN | QCSR_ON);
    check_true("IOFENCE.C writes its data", fence(0x600d));
    check_eq("cqh follows cqt", rd32(CQH), rd32(CQT));

    check_group("off and bare");
    check_eq("Off refuses the request", translate(0x80001000, 0), TR_FAULT);
    check_eq("one fault record", rd32(FQT), 1);
    check_eq("its cause is all-inbound-disallowed", fq[0] & 0xfff, 256);
    check_eq("its device ID", fq[0] >> 40, DID);
    check_eq("no ipsr.fip without fqcsr.fie", rd32(IPSR), 0);
    wr32(FQH, 1);
    wr64(DDTP, DDTP_BARE);
    check_eq("Bare passes the address through", translate(0x80001000, 0),
             0x80001ull << 10);

    check_group("translation");
    uint64_t *dc = &ddt[4 * DID];
    dc[1] = 0;                     /* iohgatp: Bare */
    dc[2] = (uint64_t)PSCID << 12; /* ta */
    dc[3] = 8ull << 60 | ppn(pt2); /* fsc: Sv39 */
    dc[0] = 1;                     /* tc.V */
    pt2[(IOVA >> 30) & 0x1ff] = pte(pt1, PTE_V);
    pt1[(IOVA >> 21) & 0x1ff] = pte(pt0, PTE_V);
    pt0[(IOVA >> 12) & 0x1ff] = pte(page_a, PTE_LEAF_RW);
    barrier();
    wr64(DDTP, ppn(ddt) << 10 | DDTP_1LVL);
    check_eq("ddtp takes 1LVL from Bare", rd64(DDTP),
             ppn(ddt) << 10 | DDTP_1LVL);
    check_eq("the IOVA is page_a", translate(IOVA + 0x10, 0),
             ppn(page_a) << 10);
    check_true("page_a is not at the IOVA", (uintptr_t)page_a != IOVA);

    /* Remap to page_b: after IOTINVAL.VMA and a fence the IOMMU sees it. */
    pt0[(IOVA >> 12) & 0x1ff] = pte(page_b, PTE_LEAF_RW);
    barrier();
    submit(CMD_IOTINVAL_VMA | CMD_AV | (uint64_t)1 << 32 | PSCID << 12,
           (IOVA >> 12) << 10);
    check_true("IOFENCE.C after IOTINVAL.VMA", fence(0xfe11ce));
    check_eq("the IOVA is page_b after the invalidation", translate(IOVA, 0),
             ppn(page_b) << 10);

    check_group("a fault");
    plic_set_priority(VIRT_IOMMU_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_IOMMU_IRQ);
    wr32(FQCSR, QCSR_EN | QCSR_IE);
    check_true("no interrupt before the fault",
               !plic_is_pending(VIRT_IOMMU_IRQ));
    check_eq("an unmapped IOVA faults", translate(IOVA + 0x1000, 0), TR_FAULT);
    check_eq("a second record", rd32(FQT), 2);
    uint64_t *rec = &fq[4 * 1];
    check_eq("cause 15: write page fault", rec[0] & 0xfff, 15);
    check_eq("ttyp 3: untranslated write", (rec[0] >> 34) & 0x3f, 3);
    check_eq("the device ID", rec[0] >> 40, DID);
    check_eq("iotval is the IOVA", rec[2], IOVA + 0x1000);
    check_eq("ipsr.fip", rd32(IPSR), IPSR_FIP);
    check_true("the PLIC source is pending", plic_is_pending(VIRT_IOMMU_IRQ));
    check_eq("claim names the IOMMU", plic_claim(), VIRT_IOMMU_IRQ);
    wr32(FQH, rd32(FQT));
    wr32(IPSR, IPSR_FIP);
    plic_complete(VIRT_IOMMU_IRQ);
    check_true("quiet once handled", !plic_is_pending(VIRT_IOMMU_IRQ));
    check_eq("read-only request on a read-write page", translate(IOVA, 1),
             ppn(page_b) << 10);

    check_group("command errors and fence interrupt");
    wr32(CQCSR, QCSR_EN | QCSR_IE);
    uint32_t head = rd32(CQH);
    submit(0x7f, 0); /* no such opcode */
    check_eq("an illegal command stops the queue", rd32(CQCSR) & CQCSR_CMD_ILL,
             CQCSR_CMD_ILL);
    check_eq("cqh stays on it", rd32(CQH), head);
    check_eq("ipsr.cip", rd32(IPSR), IPSR_CIP);
    cq[2 * head] = CMD_IOFENCE_C | CMD_WSI; /* replaced by a fence */
    barrier();
    wr32(CQCSR, QCSR_EN | QCSR_IE | CQCSR_CMD_ILL);
    check_eq("the queue runs again", rd32(CQH), rd32(CQT));
    check_eq("IOFENCE.C with WSI sets fence_w_ip",
             rd32(CQCSR) & CQCSR_FENCE_W_IP, CQCSR_FENCE_W_IP);
    check_eq("claim names the IOMMU again", plic_claim(), VIRT_IOMMU_IRQ);
    wr32(CQCSR, QCSR_EN | CQCSR_FENCE_W_IP);
    wr32(IPSR, IPSR_CIP);
    plic_complete(VIRT_IOMMU_IRQ);
    check_true("quiet again", !plic_is_pending(VIRT_IOMMU_IRQ));

    wr64(DDTP, DDTP_OFF);
    plic_disable(VIRT_IOMMU_IRQ);
    return check_summary("riscviommu");
}

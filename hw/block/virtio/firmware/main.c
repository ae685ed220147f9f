/*
 * virtio-blk behind the virtio-mmio transport (VIRTIO 1.2, 4.2 and 5.2),
 * driven as a guest driver would, twice: first with the RISC-V IOMMU in
 * Bare mode (DMA addresses are physical), then translating (its device
 * directory gives the virtio slot's device ID an Sv39 table that maps the
 * rings, headers and data at I/O virtual addresses unlike their physical
 * ones, one buffer split across two pages the table puts in reverse
 * order).  Each time: the initialisation sequence with feature
 * negotiation (FEATURES_OK refused without VERSION_1), the configuration
 * space, one split virtqueue, then requests: write three sectors, flush,
 * read them back, GET_ID; each completion is seen in the used ring and
 * through the interrupt (PLIC source VIRT_VIRTIO_IRQ).  On a read-only
 * drive (RO offered) the writes must fail with IOERR and the reads still
 * work.  Bare mode also sends an unsupported type and a read past the
 * end; translated, a write whose data IOVA is unmapped: the request
 * completes with IOERR and writes nothing, and the IOMMU's fault queue
 * holds one record naming the cause, the device and the IOVA, with its
 * interrupt (PLIC source VIRT_IOMMU_IRQ).
 *
 * The board gives it a drive of 64 sectors with id "disk0"; the
 * functional test (tests/functional/virtio-blk.py) checks that the image
 * file afterwards holds exactly what this program wrote.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "machine/virt-map.h"
#include "mmio.h"
#include "plic.h"
#include "uart.h"
#include "virtio.h"

#define CAUSE_READ_PAGE_FAULT 13
#define TTYP_UNTRANSLATED_READ 2

/* The virtio slot's requester ID (docs/virtio.md) and its address space. */
#define DID VIRTIO_IOMMU_DID
#define PSCID 3
/* I/O virtual addresses, far from RAM: the rings' page, then two data
 * pages mapped in reverse order of their physical addresses, and a hole. */
#define IOVA_RINGS 0x40000000ull
#define IOVA_DATA 0x40002000ull /* -> data_pages[1], +0x1000 -> [0] */
#define IOVA_UNMAPPED 0x40005000ull

#define DISK_SECTORS 64
/* The sectors this program writes, and their patterns (the functional
 * test computes the same): 3 in Bare mode, 3 more through the IOMMU.  The
 * write that faults aims at FAULT_SECTOR, which must stay unchanged. */
#define WRITE_SECTOR 1
#define WRITE_COUNT 3
#define IOMMU_SECTOR 8
#define FAULT_SECTOR 12

/* The rings and the request's header and status, in the page the IOMMU
 * maps at IOVA_RINGS. */
static struct virtq_rings rings __attribute__((aligned(4096)));

static uint8_t data[WRITE_COUNT * 512];
static uint8_t back[WRITE_COUNT * 512];
static uint16_t used_seen;

/* The IOMMU's tables and queues, and the pages its mapping puts data in. */
static uint64_t ddt[512] __attribute__((aligned(4096)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint64_t pt1[512] __attribute__((aligned(4096)));
static uint64_t pt0[512] __attribute__((aligned(4096)));
#define FQ_ENTRIES 4
static uint64_t fq[4 * FQ_ENTRIES] __attribute__((aligned(4096)));
static uint8_t data_pages[2][4096] __attribute__((aligned(4096)));
/* Whether DMA addresses are IOVAs (the IOMMU translating). */
static bool translated;

/* The DMA address of p, a field of rings: its IOVA when translating. */
static uint64_t dma(const volatile void *p)
{
    uintptr_t addr = (uintptr_t)p;
    return translated ? IOVA_RINGS + (addr - (uintptr_t)&rings) : addr;
}

/* The physical address the IOMMU's table gives iova (mapped pages only):
 * what the device will reach, found as the IOMMU finds it. */
static uint8_t *phys(uint64_t iova)
{
    uint64_t leaf = pt0[(iova >> 12) & 0x1ff];
    return (uint8_t *)(uintptr_t)((leaf >> 10) << 12 | (iova & 0xfff));
}

/* Submits header [+ data at the DMA address buf] + status and waits for
 * the used entry and the interrupt; returns the status byte, *used_len
 * its used length. */
static uint8_t request(uint32_t type, uint64_t sector, uint64_t buf,
                       uint32_t len, bool device_writes, uint32_t *used_len)
{
    struct virtq_desc *descs = rings.descs;
    rings.header = (struct virtio_blk_header){.type = type, .sector = sector};
    rings.status = 0xff;
    unsigned n = 0;
    descs[n] = (struct virtq_desc){dma(&rings.header), sizeof(rings.header),
                                   VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1)};
    n++;
    if (len) {
        descs[n] = (struct virtq_desc){
            buf, len,
            (uint16_t)(VIRTQ_DESC_F_NEXT |
                       (device_writes ? VIRTQ_DESC_F_WRITE : 0)),
            (uint16_t)(n + 1)};
        n++;
    }
    descs[n] =
        (struct virtq_desc){dma(&rings.status), 1, VIRTQ_DESC_F_WRITE, 0};
    virtio_queue_submit(&rings, 0);
    bool completed = rings.used.idx == (uint16_t)(used_seen + 1);
    *used_len = completed ? rings.used.ring[used_seen % VIRTQ_SIZE].len : 0;
    used_seen = rings.used.idx;
    bool irq = plic_is_pending(VIRT_VIRTIO_IRQ) &&
               plic_claim() == VIRT_VIRTIO_IRQ &&
               (virtio_read(VIRTIO_INTERRUPT_STATUS) & 1);
    virtio_write(VIRTIO_INTERRUPT_ACK, virtio_read(VIRTIO_INTERRUPT_STATUS));
    plic_complete(VIRT_VIRTIO_IRQ);
    if (!completed || !irq) {
        check_true("the request completed with an interrupt", false);
    }
    return rings.status;
}

static uint8_t pattern(unsigned i)
{
    return (uint8_t)(i * 7 + 1);
}

/* What the writes through the IOMMU put in IOMMU_SECTOR.. */
static uint8_t iommu_pattern(unsigned i)
{
    return (uint8_t)(i * 13 + 5);
}

/* The initialisation sequence (3.1.1) up to DRIVER_OK, with the rings at
 * their DMA addresses; returns whether the disk is read-only. */
static bool driver_init(void)
{
    check_eq("magic value", virtio_read(VIRTIO_MAGIC), 0x74726976);
    check_eq("version 2 (modern)", virtio_read(VIRTIO_VERSION), 2);
    check_eq("a block device", virtio_read(VIRTIO_DEVICE_ID), 2);

    virtio_write(VIRTIO_STATUS, 0);
    virtio_write(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE);
    virtio_write(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
    virtio_write(VIRTIO_DEVICE_FEATURES_SEL, 0);
    uint32_t f0 = virtio_read(VIRTIO_DEVICE_FEATURES);
    virtio_write(VIRTIO_DEVICE_FEATURES_SEL, 1);
    uint32_t f1 = virtio_read(VIRTIO_DEVICE_FEATURES);
    check_eq("VERSION_1 offered", f1 & VIRTIO_F_VERSION_1_HIGH,
             VIRTIO_F_VERSION_1_HIGH);
    check_eq("SEG_MAX, BLK_SIZE and FLUSH offered",
             f0 & (VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE |
                   VIRTIO_BLK_F_FLUSH),
             VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH);
    uint32_t want = f0 & (VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE |
                          VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO);
    virtio_write(VIRTIO_DRIVER_FEATURES_SEL, 0);
    virtio_write(VIRTIO_DRIVER_FEATURES, want);
    virtio_write(VIRTIO_DRIVER_FEATURES_SEL, 1);
    virtio_write(VIRTIO_DRIVER_FEATURES, 0);
    virtio_write(VIRTIO_STATUS,
                 VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
    check_eq("FEATURES_OK refused without VERSION_1",
             virtio_read(VIRTIO_STATUS) & VIRTIO_S_FEATURES_OK, 0);
    virtio_write(VIRTIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HIGH);
    virtio_write(VIRTIO_STATUS,
                 VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
    check_eq("FEATURES_OK accepted with VERSION_1",
             virtio_read(VIRTIO_STATUS) & VIRTIO_S_FEATURES_OK,
             VIRTIO_S_FEATURES_OK);

    uint64_t capacity = virtio_read(VIRTIO_CONFIG) |
                        (uint64_t)virtio_read(VIRTIO_CONFIG + 4) << 32;
    check_eq("capacity in sectors", capacity, DISK_SECTORS);
    check_eq("seg_max", virtio_read(VIRTIO_CONFIG + 12), 126);
    check_eq("blk_size", virtio_read(VIRTIO_CONFIG + 20), 512);

    virtio_write(VIRTIO_QUEUE_SEL, 0);
    check_true("queue 0 exists",
               virtio_read(VIRTIO_QUEUE_NUM_MAX) >= VIRTQ_SIZE);
    rings.avail.idx = 0;
    rings.used.idx = 0;
    used_seen = 0;
    virtio_queue_start(dma(&rings));
    return f0 & VIRTIO_BLK_F_RO;
}

/* Writing 0 to Status resets the device. */
static void driver_reset(void)
{
    virtio_write(VIRTIO_STATUS, 0);
    check_eq("writing 0 to status resets the device",
             virtio_read(VIRTIO_STATUS), 0);
    check_eq("the reset queue is not ready", virtio_read(VIRTIO_QUEUE_READY),
             0);
}

static void check_get_id(uint64_t buf, const volatile char *id)
{
    uint32_t len;
    check_eq("GET_ID", request(VIRTIO_BLK_T_GET_ID, 0, buf, 20, true, &len),
             VIRTIO_BLK_S_OK);
    check_true("the ID is the drive's", id[0] == 'd' && id[1] == 'i' &&
                                            id[2] == 's' && id[3] == 'k' &&
                                            id[4] == '0' && id[5] == 0);
}

/* The IOMMU in Bare mode: DMA addresses are physical. */
static void bare_mode(void)
{
    check_group("bare");
    /* The IOMMU refuses all DMA from reset (ddtp Off). */
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP, IOMMU_DDTP_BARE);
    check_eq("the IOMMU passes DMA through (ddtp Bare)",
             mmio_read64(VIRT_IOMMU_BASE + IOMMU_DDTP) & 0xf, IOMMU_DDTP_BARE);
    bool ro = driver_init();

    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = pattern(i);
    }
    uint32_t len;
    if (ro) {
        check_eq("a read-only disk refuses a write with IOERR",
                 request(VIRTIO_BLK_T_OUT, WRITE_SECTOR, (uintptr_t)data,
                         sizeof(data), false, &len),
                 VIRTIO_BLK_S_IOERR);
        check_eq("a read-only disk still reads",
                 request(VIRTIO_BLK_T_IN, WRITE_SECTOR, (uintptr_t)back,
                         sizeof(back), true, &len),
                 VIRTIO_BLK_S_OK);
    } else {
        check_eq("write 3 sectors",
                 request(VIRTIO_BLK_T_OUT, WRITE_SECTOR, (uintptr_t)data,
                         sizeof(data), false, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("the write's used length is the status byte", len, 1);
        check_eq("flush", request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("read them back",
                 request(VIRTIO_BLK_T_IN, WRITE_SECTOR, (uintptr_t)back,
                         sizeof(back), true, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("the read's used length is data and status", len,
                 sizeof(back) + 1);
        unsigned same = 0;
        for (unsigned i = 0; i < sizeof(back); i++) {
            same += back[i] == data[i];
        }
        check_eq("the data read is the data written", same, sizeof(back));
    }
    char id[20];
    check_get_id((uintptr_t)id, id);
    check_eq("an unknown request type is UNSUPP",
             request(99, 0, (uintptr_t)back, 512, true, &len),
             VIRTIO_BLK_S_UNSUPP);
    check_eq("a read past the end is IOERR",
             request(VIRTIO_BLK_T_IN, DISK_SECTORS, (uintptr_t)back, 512, true,
                     &len),
             VIRTIO_BLK_S_IOERR);
    driver_reset();
}

static uint64_t ppn(const void *p)
{
    return (uintptr_t)p >> 12;
}

static void map(uint64_t iova, const void *page)
{
    pt0[(iova >> 12) & 0x1ff] = ppn(page) << 10 | IOMMU_PTE_LEAF_RW;
}

/* The fault queue, the device context of DID and its Sv39 table; then
 * ddtp 1LVL.  The tables reach memory before ddtp is written and never
 * change after, so no invalidation command is needed (nor the command
 * queue). */
static void iommu_map_buffers(void)
{
    /* fqb.LOG2SZ-1 = 1: 4 records. */
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_FQB, ppn(fq) << 10 | 1);
    mmio_write32(VIRT_IOMMU_BASE + IOMMU_FQCSR, IOMMU_QCSR_EN | IOMMU_QCSR_IE);
    uint64_t *dc = &ddt[4 * DID];
    dc[1] = 0;                         /* iohgatp: Bare */
    dc[2] = (uint64_t)PSCID << 12;     /* ta */
    dc[3] = IOMMU_FSC_SV39 | ppn(pt2); /* fsc */
    dc[0] = IOMMU_DC_TC_V;
    pt2[(IOVA_RINGS >> 30) & 0x1ff] = ppn(pt1) << 10 | IOMMU_PTE_V;
    pt1[(IOVA_RINGS >> 21) & 0x1ff] = ppn(pt0) << 10 | IOMMU_PTE_V;
    map(IOVA_RINGS, &rings);
    map(IOVA_DATA, data_pages[1]);
    map(IOVA_DATA + 0x1000, data_pages[0]);
    __asm__ volatile("fence rw, rw" ::: "memory");
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP,
                 ppn(ddt) << 10 | IOMMU_DDTP_1LVL);
    check_eq("ddtp takes 1LVL from Bare",
             mmio_read64(VIRT_IOMMU_BASE + IOMMU_DDTP) & 0xf, IOMMU_DDTP_1LVL);
    translated = true;
}

/* The IOMMU translating: every DMA address is an IOVA. */
static void translated_mode(void)
{
    check_group("iommu");
    iommu_map_buffers();
    check_true("the rings' IOVA is not their address",
               dma(&rings) != (uintptr_t)&rings);
    bool ro = driver_init();

    /* 3 sectors from IOVA_DATA + 0xe00: 512 bytes at the end of
     * data_pages[1], 1024 at the start of data_pages[0]. */
    uint64_t out = IOVA_DATA + 0xe00, in = IOVA_DATA + 0x1400;
    uint32_t n = WRITE_COUNT * 512, len;
    for (unsigned i = 0; i < n; i++) {
        *phys(out + i) = iommu_pattern(i);
    }
    if (ro) {
        check_eq("a read-only disk refuses a write with IOERR",
                 request(VIRTIO_BLK_T_OUT, IOMMU_SECTOR, out, n, false, &len),
                 VIRTIO_BLK_S_IOERR);
        check_eq("a read-only disk still reads",
                 request(VIRTIO_BLK_T_IN, IOMMU_SECTOR, in, n, true, &len),
                 VIRTIO_BLK_S_OK);
    } else {
        check_eq("write 3 sectors from a buffer across two pages",
                 request(VIRTIO_BLK_T_OUT, IOMMU_SECTOR, out, n, false, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("flush", request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("read them back",
                 request(VIRTIO_BLK_T_IN, IOMMU_SECTOR, in, n, true, &len),
                 VIRTIO_BLK_S_OK);
        check_eq("the read's used length is data and status", len, n + 1);
        unsigned same = 0;
        for (unsigned i = 0; i < n; i++) {
            same += *phys(in + i) == iommu_pattern(i);
        }
        check_eq("the data read is the data written", same, n);
    }
    uint64_t id = IOVA_DATA + 0x1c00;
    check_get_id(id, (const volatile char *)phys(id));

    /* A write whose data IOVA maps to nothing: the device reads it, the
     * IOMMU refuses, the request fails and the disk is unchanged. */
    uint8_t *before = phys(IOVA_DATA), *after = phys(IOVA_DATA + 0x200);
    check_eq("read the sector the faulting write aims at",
             request(VIRTIO_BLK_T_IN, FAULT_SECTOR, IOVA_DATA, 512, true, &len),
             VIRTIO_BLK_S_OK);
    plic_set_priority(VIRT_IOMMU_IRQ, 1);
    uint32_t fqt = mmio_read32(VIRT_IOMMU_BASE + IOMMU_FQT);
    check_eq("a write from an unmapped IOVA fails with IOERR",
             request(VIRTIO_BLK_T_OUT, FAULT_SECTOR, IOVA_UNMAPPED, 512, false,
                     &len),
             VIRTIO_BLK_S_IOERR);
    check_eq("its used length is the status byte", len, 1);
    check_eq("the IOMMU recorded one fault",
             mmio_read32(VIRT_IOMMU_BASE + IOMMU_FQT), (fqt + 1) % FQ_ENTRIES);
    uint64_t *rec = &fq[4 * fqt];
    check_eq("cause 13: read page fault", rec[0] & 0xfff,
             CAUSE_READ_PAGE_FAULT);
    check_eq("ttyp 2: untranslated read", (rec[0] >> 34) & 0x3f,
             TTYP_UNTRANSLATED_READ);
    check_eq("the virtio slot's device ID", rec[0] >> 40, DID);
    check_eq("iotval is the unmapped IOVA", rec[2], IOVA_UNMAPPED);
    check_eq("ipsr.fip",
             mmio_read32(VIRT_IOMMU_BASE + IOMMU_IPSR) & IOMMU_IPSR_FIP,
             IOMMU_IPSR_FIP);
    check_true("the IOMMU's PLIC source is pending",
               plic_is_pending(VIRT_IOMMU_IRQ));
    mmio_write32(VIRT_IOMMU_BASE + IOMMU_FQH,
                 mmio_read32(VIRT_IOMMU_BASE + IOMMU_FQT));
    mmio_write32(VIRT_IOMMU_BASE + IOMMU_IPSR, IOMMU_IPSR_FIP);
    plic_enable(VIRT_IOMMU_IRQ);
    check_eq("claim names the IOMMU", plic_claim(), VIRT_IOMMU_IRQ);
    plic_complete(VIRT_IOMMU_IRQ);
    plic_disable(VIRT_IOMMU_IRQ);
    check_eq("the device goes on: the sector reads back",
             request(VIRTIO_BLK_T_IN, FAULT_SECTOR, IOVA_DATA + 0x200, 512,
                     true, &len),
             VIRTIO_BLK_S_OK);
    unsigned same = 0;
    for (unsigned i = 0; i < 512; i++) {
        same += before[i] == after[i];
    }
    check_eq("the faulting write changed nothing", same, 512);
    driver_reset();
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP, IOMMU_DDTP_OFF);
    translated = false;
}

int main(void)
{
    uart_init(false);
    print("virtio test\n");
    plic_set_priority(VIRT_VIRTIO_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_VIRTIO_IRQ);
    bare_mode();
    translated_mode();
    check_group(NULL);
    plic_disable(VIRT_VIRTIO_IRQ);
    return check_summary("virtio");
}

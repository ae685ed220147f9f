/*
 * virtio-blk benchmark load for `make bench`: sequential 4 KiB requests
 * over the whole disk, one at a time (a driver that waits for each), as
 * `dd bs=4k` would.  The first byte of UART input picks the run: 'w' or
 * 'r' writes or reads with the IOMMU in Bare mode (DMA addresses are
 * physical); 'W' or 'R' the same with the IOMMU translating through an
 * Sv39 table (the buffer and the rings at I/O virtual addresses).  Prints
 * what it did and a checksum of the data read; exits 1 on a request that
 * fails.
 */
#include <stdbool.h>
#include <stdint.h>

#include "uart.h"
#include "virtio.h"

#define BLOCK 4096
#define PSCID 1
#define IOVA_RINGS 0x40000000ull
#define IOVA_BUFFER 0x40001000ull

static struct virtq_rings rings __attribute__((aligned(4096)));
static uint8_t buffer[BLOCK] __attribute__((aligned(4096)));
static uint64_t ddt[512] __attribute__((aligned(4096)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint64_t pt1[512] __attribute__((aligned(4096)));
static uint64_t pt0[512] __attribute__((aligned(4096)));
static bool translated;

static uint64_t ppn(const volatile void *p)
{
    return (uintptr_t)p >> 12;
}

/* The DMA address of p, in rings or buffer. */
static uint64_t dma(const volatile void *p)
{
    uintptr_t addr = (uintptr_t)p;
    if (!translated) {
        return addr;
    }
    if (addr >= (uintptr_t)buffer && addr < (uintptr_t)buffer + BLOCK) {
        return IOVA_BUFFER + (addr - (uintptr_t)buffer);
    }
    return IOVA_RINGS + (addr - (uintptr_t)&rings);
}

/* Device DID translates through Sv39: the rings' page and the buffer. */
static void iommu_translate_mode(void)
{
    uint64_t *dc = &ddt[4 * VIRTIO_IOMMU_DID];
    dc[2] = (uint64_t)PSCID << 12;
    dc[3] = IOMMU_FSC_SV39 | ppn(pt2);
    dc[0] = IOMMU_DC_TC_V;
    pt2[(IOVA_RINGS >> 30) & 0x1ff] = ppn(pt1) << 10 | IOMMU_PTE_V;
    pt1[(IOVA_RINGS >> 21) & 0x1ff] = ppn(pt0) << 10 | IOMMU_PTE_V;
    pt0[(IOVA_RINGS >> 12) & 0x1ff] = ppn(&rings) << 10 | IOMMU_PTE_LEAF_RW;
    pt0[(IOVA_BUFFER >> 12) & 0x1ff] = ppn(buffer) << 10 | IOMMU_PTE_LEAF_RW;
    __asm__ volatile("fence rw, rw" ::: "memory");
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP,
                 ppn(ddt) << 10 | IOMMU_DDTP_1LVL);
    translated = true;
}

/* The initialisation sequence; returns the capacity in sectors. */
static uint64_t driver_init(void)
{
    virtio_write(VIRTIO_STATUS, 0);
    virtio_write(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
    virtio_write(VIRTIO_DRIVER_FEATURES_SEL, 1);
    virtio_write(VIRTIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HIGH);
    virtio_write(VIRTIO_STATUS,
                 VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
    virtio_write(VIRTIO_QUEUE_SEL, 0);
    virtio_queue_start(dma(&rings));
    return virtio_read(VIRTIO_CONFIG) | (uint64_t)virtio_read(VIRTIO_CONFIG + 4)
                                            << 32;
}

/* One 4 KiB request, notified and completed; returns its status. */
static uint8_t request(uint32_t type, uint64_t sector)
{
    rings.header = (struct virtio_blk_header){.type = type, .sector = sector};
    rings.status = 0xff;
    uint16_t data_flags =
        VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0);
    rings.descs[0] = (struct virtq_desc){
        dma(&rings.header), sizeof(rings.header), VIRTQ_DESC_F_NEXT, 1};
    rings.descs[1] = (struct virtq_desc){dma(buffer), BLOCK, data_flags, 2};
    rings.descs[2] =
        (struct virtq_desc){dma(&rings.status), 1, VIRTQ_DESC_F_WRITE, 0};
    virtio_queue_submit(&rings, 0);
    return rings.used.idx == rings.avail.idx ? rings.status : 0xff;
}

int main(void)
{
    uart_init(false);
    int mode;
    while ((mode = uart_getc()) < 0) {
    }
    bool write = mode == 'w' || mode == 'W';
    if (mode == 'W' || mode == 'R') {
        iommu_translate_mode();
    } else {
        mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP, IOMMU_DDTP_BARE);
    }
    uint64_t blocks = driver_init() / (BLOCK / 512);
    for (unsigned i = 0; i < BLOCK; i++) {
        buffer[i] = (uint8_t)(i * 7 + 1);
    }
    uint64_t sum = 0;
    for (uint64_t b = 0; b < blocks; b++) {
        uint32_t type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
        if (request(type, b * (BLOCK / 512)) != VIRTIO_BLK_S_OK) {
            print("virtio-bench: request %lu failed\n", (unsigned long)b);
            return 1;
        }
        sum += write ? 0 : buffer[b % BLOCK];
    }
    print("virtio-bench: %lu %s of %u bytes, IOMMU %s, checksum %lu\n",
          (unsigned long)blocks, write ? "writes" : "reads", BLOCK,
          translated ? "translating" : "bare", (unsigned long)sum);
    return 0;
}

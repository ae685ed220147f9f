/*
 * What a guest driver of the board's virtio-blk needs: the virtio-mmio
 * transport's registers (VIRTIO 1.2, 4.2.2) at VIRT_VIRTIO_BASE, the
 * status and feature bits, the split queue's descriptor and the block
 * request header (5.2.6); and the RISC-V IOMMU registers and table bits
 * (specification 1.0) it uses to map the device's buffers.
 */
#ifndef FW_VIRTIO_H
#define FW_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#include "machine/virt-map.h"
#include "mmio.h"

#define VIRTIO_MAGIC 0x000
#define VIRTIO_VERSION 0x004
#define VIRTIO_DEVICE_ID 0x008
#define VIRTIO_DEVICE_FEATURES 0x010
#define VIRTIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_DRIVER_FEATURES 0x020
#define VIRTIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_QUEUE_SEL 0x030
#define VIRTIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_QUEUE_NUM 0x038
#define VIRTIO_QUEUE_READY 0x044
#define VIRTIO_QUEUE_NOTIFY 0x050
#define VIRTIO_INTERRUPT_STATUS 0x060
#define VIRTIO_INTERRUPT_ACK 0x064
#define VIRTIO_STATUS 0x070
#define VIRTIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_CONFIG 0x100

#define VIRTIO_S_ACKNOWLEDGE 1u
#define VIRTIO_S_DRIVER 2u
#define VIRTIO_S_DRIVER_OK 4u
#define VIRTIO_S_FEATURES_OK 8u

#define VIRTIO_BLK_F_SEG_MAX (1u << 2)
#define VIRTIO_BLK_F_RO (1u << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1u << 6)
#define VIRTIO_BLK_F_FLUSH (1u << 9)
#define VIRTIO_F_VERSION_1_HIGH 1u /* bit 32, in the second word */

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtio_blk_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

/* A driver's split queue of VIRTQ_SIZE entries (2.7) with the header and
 * status byte of its one request in flight, all in one page (so an IOMMU
 * maps it with one leaf). */
#define VIRTQ_SIZE 16
struct virtq_rings {
    struct virtq_desc descs[VIRTQ_SIZE];
    struct {
        uint16_t flags, idx, ring[VIRTQ_SIZE], used_event;
    } avail;
    struct {
        uint16_t flags, idx;
        struct {
            uint32_t id, len;
        } ring[VIRTQ_SIZE];
        uint16_t avail_event;
    } used __attribute__((aligned(4)));
    struct virtio_blk_header header;
    volatile uint8_t status;
};

static inline uint32_t virtio_read(uintptr_t reg)
{
    return mmio_read32(VIRT_VIRTIO_BASE + reg);
}

static inline void virtio_write(uintptr_t reg, uint32_t value)
{
    mmio_write32(VIRT_VIRTIO_BASE + reg, value);
}

/* A 64-bit address into a Low/High register pair. */
static inline void virtio_write_addr(uintptr_t low, uint64_t addr)
{
    virtio_write(low, (uint32_t)addr);
    virtio_write(low + 4, (uint32_t)(addr >> 32));
}

/* Queue 0 of VIRTQ_SIZE entries on the rings whose DMA address is
 * rings_dma, ready; then DRIVER_OK ends the initialisation (3.1.1). */
static inline void virtio_queue_start(uint64_t rings_dma)
{
    virtio_write(VIRTIO_QUEUE_NUM, VIRTQ_SIZE);
    virtio_write_addr(VIRTIO_QUEUE_DESC_LOW,
                      rings_dma + offsetof(struct virtq_rings, descs));
    virtio_write_addr(VIRTIO_QUEUE_DRIVER_LOW,
                      rings_dma + offsetof(struct virtq_rings, avail));
    virtio_write_addr(VIRTIO_QUEUE_DEVICE_LOW,
                      rings_dma + offsetof(struct virtq_rings, used));
    virtio_write(VIRTIO_QUEUE_READY, 1);
    virtio_write(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER |
                                    VIRTIO_S_FEATURES_OK | VIRTIO_S_DRIVER_OK);
}

/* Makes the chain at descriptor head available and notifies queue 0; the
 * device may complete it within the notify (rivet's does). */
static inline void virtio_queue_submit(struct virtq_rings *rings, uint16_t head)
{
    rings->avail.ring[rings->avail.idx % VIRTQ_SIZE] = head;
    __sync_synchronize();
    rings->avail.idx++;
    __sync_synchronize();
    virtio_write(VIRTIO_QUEUE_NOTIFY, 0);
    __sync_synchronize();
}

#define IOMMU_DDTP 0x10
#define IOMMU_FQB 0x28
#define IOMMU_FQH 0x30
#define IOMMU_FQT 0x34
#define IOMMU_FQCSR 0x4c
#define IOMMU_IPSR 0x54
#define IOMMU_DDTP_OFF 0
#define IOMMU_DDTP_BARE 1
#define IOMMU_DDTP_1LVL 2
#define IOMMU_QCSR_EN (1u << 0)
#define IOMMU_QCSR_IE (1u << 1)
#define IOMMU_IPSR_FIP (1u << 1)
/* Sv39 entries: a pointer to the next level, and a read-write leaf for
 * the device's untranslated (U-mode) requests with A and D preset (the
 * IOMMU does not set them). */
#define IOMMU_PTE_V (1ull << 0)
#define IOMMU_PTE_LEAF_RW                                                      \
    (IOMMU_PTE_V | 1ull << 1 | 1ull << 2 | 1ull << 4 | 1ull << 6 | 1ull << 7)
/* Device context words: tc.V, and fsc MODE Sv39. */
#define IOMMU_DC_TC_V 1ull
#define IOMMU_FSC_SV39 (8ull << 60)
/* The virtio slot's device ID (docs/virtio.md). */
#define VIRTIO_IOMMU_DID VIRT_IOMMU_DEVICE_ID(VIRT_VIRTIO_BASE)

#endif /* FW_VIRTIO_H */

/*
 * virtio-blk behind the virtio-mmio transport (VIRTIO 1.2, 4.2 and 5.2),
 * driven as a guest driver would: the initialisation sequence with
 * feature negotiation (FEATURES_OK refused without VERSION_1), the
 * configuration space, one split virtqueue, then requests: write three
 * sectors, flush, read them back, GET_ID, an unsupported type, a read past
 * the end; each completion is seen in the used ring and through the
 * interrupt (PLIC source VIRT_VIRTIO_IRQ).  On a read-only drive (RO
 * offered) the write must fail with IOERR and the read still work.  The
 * transport sits behind the RISC-V IOMMU, which this program puts in Bare
 * mode (DMA addresses are physical).
 *
 * The board gives it a drive of 64 sectors with id "disk0"; the
 * functional test (tests/functional/virtio-blk.py) checks that the image
 * file afterwards holds exactly what this program wrote.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "machine/virt-map.h"
#include "mmio.h"
#include "plic.h"
#include "uart.h"

#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u

#define F_SEG_MAX (1u << 2)
#define F_RO (1u << 5)
#define F_BLK_SIZE (1u << 6)
#define F_FLUSH (1u << 9)
#define F_VERSION_1_HIGH 1u /* bit 32 */

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

#define IOMMU_DDTP 0x10
#define IOMMU_DDTP_BARE 1

#define QSIZE 16
#define DISK_SECTORS 64
/* The sectors this program writes, and their pattern (the functional
 * test computes the same). */
#define WRITE_SECTOR 1
#define WRITE_COUNT 3

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct blk_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct {
    uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(2)));
static struct {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[QSIZE];
    uint16_t avail_event;
} used __attribute__((aligned(4)));

static struct blk_header header;
static uint8_t data[WRITE_COUNT * 512];
static uint8_t back[WRITE_COUNT * 512];
static volatile uint8_t status_byte;
static uint16_t used_seen;

static uint32_t rd(uintptr_t reg)
{
    return mmio_read32(VIRT_VIRTIO_BASE + reg);
}

static void wr(uintptr_t reg, uint32_t value)
{
    mmio_write32(VIRT_VIRTIO_BASE + reg, value);
}

static void set_addr(uintptr_t low, const void *p)
{
    wr(low, (uint32_t)(uintptr_t)p);
    wr(low + 4, (uint32_t)((uint64_t)(uintptr_t)p >> 32));
}

/* Submits header [+ data] + status and waits for the used entry and the
 * interrupt; returns the status byte, *used_len its used length. */
static uint8_t request(uint32_t type, uint64_t sector, void *buf, uint32_t len,
                       bool device_writes, uint32_t *used_len)
{
    header = (struct blk_header){.type = type, .sector = sector};
    status_byte = 0xff;
    unsigned n = 0;
    descs[n] = (struct desc){(uintptr_t)&header, sizeof(header), DESC_F_NEXT,
                             (uint16_t)(n + 1)};
    n++;
    if (len) {
        descs[n] = (struct desc){
            (uintptr_t)buf, len,
            (uint16_t)(DESC_F_NEXT | (device_writes ? DESC_F_WRITE : 0)),
            (uint16_t)(n + 1)};
        n++;
    }
    descs[n] = (struct desc){(uintptr_t)&status_byte, 1, DESC_F_WRITE, 0};
    avail.ring[avail.idx % QSIZE] = 0;
    __sync_synchronize();
    avail.idx++;
    __sync_synchronize();
    wr(QUEUE_NOTIFY, 0);
    __sync_synchronize();
    bool completed = used.idx == (uint16_t)(used_seen + 1);
    *used_len = completed ? used.ring[used_seen % QSIZE].len : 0;
    used_seen = used.idx;
    bool irq = plic_is_pending(VIRT_VIRTIO_IRQ) &&
               plic_claim() == VIRT_VIRTIO_IRQ && (rd(INTERRUPT_STATUS) & 1);
    wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
    plic_complete(VIRT_VIRTIO_IRQ);
    if (!completed || !irq) {
        check_true("the request completed with an interrupt", false);
    }
    return status_byte;
}

static uint8_t pattern(unsigned i)
{
    return (uint8_t)(i * 7 + 1);
}

int main(void)
{
    uart_init(false);
    print("virtio test\n");
    /* The device sits behind the IOMMU, which refuses all DMA from reset
     * (ddtp Off): Bare mode passes physical addresses through. */
    mmio_write64(VIRT_IOMMU_BASE + IOMMU_DDTP, IOMMU_DDTP_BARE);
    check_eq("the IOMMU passes DMA through (ddtp Bare)",
             mmio_read64(VIRT_IOMMU_BASE + IOMMU_DDTP) & 0xf, IOMMU_DDTP_BARE);
    check_eq("magic value", rd(MAGIC), 0x74726976);
    check_eq("version 2 (modern)", rd(VERSION), 2);
    check_eq("a block device", rd(DEVICE_ID), 2);

    wr(STATUS, 0);
    wr(STATUS, S_ACKNOWLEDGE);
    wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
    wr(DEVICE_FEATURES_SEL, 0);
    uint32_t f0 = rd(DEVICE_FEATURES);
    wr(DEVICE_FEATURES_SEL, 1);
    uint32_t f1 = rd(DEVICE_FEATURES);
    bool ro = f0 & F_RO;
    check_eq("VERSION_1 offered", f1 & F_VERSION_1_HIGH, F_VERSION_1_HIGH);
    check_eq("SEG_MAX, BLK_SIZE and FLUSH offered",
             f0 & (F_SEG_MAX | F_BLK_SIZE | F_FLUSH),
             F_SEG_MAX | F_BLK_SIZE | F_FLUSH);
    uint32_t want = f0 & (F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_RO);
    wr(DRIVER_FEATURES_SEL, 0);
    wr(DRIVER_FEATURES, want);
    wr(DRIVER_FEATURES_SEL, 1);
    wr(DRIVER_FEATURES, 0);
    wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    check_eq("FEATURES_OK refused without VERSION_1",
             rd(STATUS) & S_FEATURES_OK, 0);
    wr(DRIVER_FEATURES, F_VERSION_1_HIGH);
    wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    check_eq("FEATURES_OK accepted with VERSION_1", rd(STATUS) & S_FEATURES_OK,
             S_FEATURES_OK);

    uint64_t capacity = rd(CONFIG) | (uint64_t)rd(CONFIG + 4) << 32;
    check_eq("capacity in sectors", capacity, DISK_SECTORS);
    check_eq("seg_max", rd(CONFIG + 12), 126);
    check_eq("blk_size", rd(CONFIG + 20), 512);

    wr(QUEUE_SEL, 0);
    check_true("queue 0 exists", rd(QUEUE_NUM_MAX) >= QSIZE);
    wr(QUEUE_NUM, QSIZE);
    set_addr(QUEUE_DESC_LOW, descs);
    set_addr(QUEUE_DRIVER_LOW, &avail);
    set_addr(QUEUE_DEVICE_LOW, &used);
    wr(QUEUE_READY, 1);
    wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    plic_set_priority(VIRT_VIRTIO_IRQ, 1);
    plic_set_threshold(0);
    plic_enable(VIRT_VIRTIO_IRQ);

    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = pattern(i);
    }
    uint32_t len;
    if (ro) {
        check_eq("a read-only disk refuses a write with IOERR",
                 request(T_OUT, WRITE_SECTOR, data, sizeof(data), false, &len),
                 BLK_S_IOERR);
        check_eq("a read-only disk still reads",
                 request(T_IN, WRITE_SECTOR, back, sizeof(back), true, &len),
                 BLK_S_OK);
    } else {
        check_eq("write 3 sectors",
                 request(T_OUT, WRITE_SECTOR, data, sizeof(data), false, &len),
                 BLK_S_OK);
        check_eq("the write's used length is the status byte", len, 1);
        check_eq("flush", request(T_FLUSH, 0, 0, 0, false, &len), BLK_S_OK);
        check_eq("read them back",
                 request(T_IN, WRITE_SECTOR, back, sizeof(back), true, &len),
                 BLK_S_OK);
        check_eq("the read's used length is data and status", len,
                 sizeof(back) + 1);
        unsigned same = 0;
        for (unsigned i = 0; i < sizeof(back); i++) {
            same += back[i] == data[i];
        }
        check_eq("the data read is the data written", same, sizeof(back));
    }
    char id[20];
    check_eq("GET_ID", request(T_GET_ID, 0, id, sizeof(id), true, &len),
             BLK_S_OK);
    check_true("the ID is the drive's", id[0] == 'd' && id[1] == 'i' &&
                                            id[2] == 's' && id[3] == 'k' &&
                                            id[4] == '0' && id[5] == 0);
    check_eq("an unknown request type is UNSUPP",
             request(99, 0, back, 512, true, &len), BLK_S_UNSUPP);
    check_eq("a read past the end is IOERR",
             request(T_IN, DISK_SECTORS, back, 512, true, &len), BLK_S_IOERR);

    wr(STATUS, 0);
    check_eq("writing 0 to status resets the device", rd(STATUS), 0);
    check_eq("the reset queue is not ready", rd(QUEUE_READY), 0);
    plic_disable(VIRT_VIRTIO_IRQ);
    return check_summary("virtio");
}

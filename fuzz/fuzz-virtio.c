/*
 * libFuzzer target for virtio-blk behind the RISC-V IOMMU: random
 * descriptor tables, rings, request headers and IOMMU tables, then
 * notifies, on the `virt` board with the Rust virtio-mmio transport and a
 * 16-sector image.  The guest CPU never runs; the program writes guest RAM
 * and the devices' registers itself.
 *
 * RAM is 1 MiB at 0x8000_0000; the program reaches its first 64 KiB (16
 * pages, zeroed before each input).  Where things are when the program
 * uses the shortcuts below (it may put them anywhere else by hand):
 *   page 0 descriptor table, page 1 available ring, page 2 used ring,
 *   pages 3..7 and 14..15 buffers, page 8 the device directory (1LVL),
 *   pages 9..11 the Sv39 tables, page 12 the fault queue.
 * Buffer addresses are RAM addresses, or IOVAs at 0x4000_0000 + page *
 * 4096 that the IOMMU tables may map.  Each step is an opcode byte and its
 * operands (little-endian):
 *   0 raw     off16 value64           a doubleword of RAM
 *   1 desc    idx8 where8 off16 len16 flags8 next8
 *                                     descriptor idx of the table on page
 *                                     0: address where (bit 7: IOVA, else
 *                                     RAM; bits 3:0 the page) + off
 *   2 avail   head8                   ring[idx % 128] = head; idx++
 *   3 header  where8 off16 type8 sector8
 *                                     a request header (16 bytes)
 *   4 reg     off8 value32            a virtio register (4 * off8 % 0x200)
 *   5 notify                          QueueNotify = 0
 *   6 driver  flags8                  the initialisation sequence: queue
 *                                     of 2^(flags & 7) entries (0: 128)
 *                                     on pages 0..2, by IOVA if bit 3
 *   7 map     iova_page8 page8 perm8  Sv39 leaf for IOVA page (0..15):
 *                                     RAM page, perm = PTE bits 7:0
 *   8 iommu   mode8                   device context of the virtio slot
 *                                     (Sv39 on pages 9..11), fault queue
 *                                     on page 12, ddtp = mode (0 Off, 1
 *                                     Bare, 2 1LVL, other: as written)
 *   9 iowrite off16 value64 size8     an IOMMU register (off & 0xfff)
 * Every step must leave no crash under ASan and UBSan and no Rust panic;
 * after the program, the image still has 16 sectors, and the machine's
 * snapshot loads into a fresh board whose own snapshot is the same bytes
 * (the transport, the queue positions and the IOMMU migrate whatever
 * state the program left).  `make fuzz-virtio FUZZ_SECONDS=N` builds and
 * runs it (scripts/fuzz.sh; docs/testing.md); fuzz/virtio-inputs/ holds
 * its seeds and every input that found a bug, replayed by the
 * fuzz-virtio-regressions test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/drive.h"
#include "machine/snapshot.h"
#include "machine/virt-map.h"
#include "machine/virt.h"
#include "memory/memory.h"
#include "migration/stream.h"
#include "util/main-loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_RAM 0x80000000ull
#define FUZZ_PAGES 16
#define FUZZ_IOVA 0x40000000ull
#define FUZZ_SECTORS 16
#define FUZZ_MACHINE "virt,ram-size=1048576,htif=off"

#define PAGE(n) (FUZZ_RAM + (n)*4096ull)
#define DESC_PAGE 0
#define AVAIL_PAGE 1
#define USED_PAGE 2
#define DDT_PAGE 8
#define PT2_PAGE 9
#define PT1_PAGE 10
#define PT0_PAGE 11
#define FQ_PAGE 12

/* virtio-mmio registers (VIRTIO 1.2, 4.2.2) and the IOMMU's. */
#define VIRTIO_DRIVER_FEATURES 0x020
#define VIRTIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_QUEUE_NUM 0x038
#define VIRTIO_QUEUE_READY 0x044
#define VIRTIO_QUEUE_NOTIFY 0x050
#define VIRTIO_STATUS 0x070
#define VIRTIO_QUEUE_DESC 0x080
#define VIRTIO_QUEUE_DRIVER 0x090
#define VIRTIO_QUEUE_DEVICE 0x0a0
#define IOMMU_DDTP 0x10
#define IOMMU_FQB 0x28
#define IOMMU_FQCSR 0x4c

/* The image: a memfd (nothing to clean up after a crash, no disk I/O),
 * which the device opens by its /proc path. */
static int fuzz_image_fd = -1;
static char fuzz_image[64];

static void fuzz_image_init(void)
{
    fuzz_image_fd = memfd_create("rivet-fuzz-virtio", 0);
    if (fuzz_image_fd < 0) {
        perror("fuzz-virtio: memfd_create");
        abort();
    }
    snprintf(fuzz_image, sizeof(fuzz_image), "/proc/self/fd/%d", fuzz_image_fd);
}

static uint64_t get_le(const uint8_t **p, const uint8_t *end, unsigned n,
                       bool *ok)
{
    uint64_t v = 0;
    if ((size_t)(end - *p) < n) {
        *ok = false;
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)(*p)[i] << (8 * i);
    }
    *p += n;
    return v;
}

static void st(uint64_t addr, unsigned size, uint64_t value)
{
    address_space_st(get_address_space_memory(), addr, size, value);
}

static uint64_t ld(uint64_t addr, unsigned size)
{
    uint64_t value = 0;
    address_space_ld(get_address_space_memory(), addr, size, &value);
    return value;
}

static void virtio_wr(uint64_t reg, uint32_t value)
{
    st(VIRT_VIRTIO_BASE + reg, 4, value);
}

/* A buffer address: RAM page (where & 15) or its IOVA (bit 7), + off. */
static uint64_t buffer(uint64_t where, uint64_t off)
{
    uint64_t base = where & 0x80 ? FUZZ_IOVA : FUZZ_RAM;
    return base + (where & 0xf) * 4096 + off;
}

static void set_addr(uint64_t reg, uint64_t addr)
{
    virtio_wr(reg, (uint32_t)addr);
    virtio_wr(reg + 4, (uint32_t)(addr >> 32));
}

static void driver_init(uint64_t flags)
{
    uint64_t base = flags & 8 ? FUZZ_IOVA : FUZZ_RAM;
    uint32_t num = (flags & 7) ? 1u << (flags & 7) : 128;
    virtio_wr(VIRTIO_STATUS, 0);
    virtio_wr(VIRTIO_STATUS, 1 | 2);
    virtio_wr(VIRTIO_DRIVER_FEATURES_SEL, 0);
    virtio_wr(VIRTIO_DRIVER_FEATURES, (1u << 9) | (1u << 6) | (1u << 2));
    virtio_wr(VIRTIO_DRIVER_FEATURES_SEL, 1);
    virtio_wr(VIRTIO_DRIVER_FEATURES, 1); /* VERSION_1 */
    virtio_wr(VIRTIO_STATUS, 1 | 2 | 8);
    virtio_wr(VIRTIO_QUEUE_NUM, num);
    set_addr(VIRTIO_QUEUE_DESC, base + DESC_PAGE * 4096);
    set_addr(VIRTIO_QUEUE_DRIVER, base + AVAIL_PAGE * 4096);
    set_addr(VIRTIO_QUEUE_DEVICE, base + USED_PAGE * 4096);
    virtio_wr(VIRTIO_QUEUE_READY, 1);
    virtio_wr(VIRTIO_STATUS, 1 | 2 | 8 | 4);
}

static void iommu_wr(uint64_t reg, unsigned size, uint64_t value)
{
    st(VIRT_IOMMU_BASE + (reg & 0xfff), size, value);
}

/* The virtio slot's device context and Sv39 root, the fault queue, and
 * ddtp in the given mode. */
static void iommu_init(uint64_t mode)
{
    uint64_t did = VIRT_IOMMU_DEVICE_ID(VIRT_VIRTIO_BASE);
    uint64_t dc = PAGE(DDT_PAGE) + did * 32;
    st(dc, 8, 1);                                      /* tc.V */
    st(dc + 16, 8, 7 << 12);                           /* ta.PSCID */
    st(dc + 24, 8, 8ull << 60 | PAGE(PT2_PAGE) >> 12); /* fsc Sv39 */
    st(PAGE(PT2_PAGE) + 8 * (FUZZ_IOVA >> 30 & 0x1ff), 8,
       PAGE(PT1_PAGE) >> 12 << 10 | 1);
    st(PAGE(PT1_PAGE) + 8 * (FUZZ_IOVA >> 21 & 0x1ff), 8,
       PAGE(PT0_PAGE) >> 12 << 10 | 1);
    iommu_wr(IOMMU_FQB, 8, PAGE(FQ_PAGE) >> 12 << 10 | 3);
    iommu_wr(IOMMU_FQCSR, 4, 3);
    iommu_wr(IOMMU_DDTP, 8, PAGE(DDT_PAGE) >> 12 << 10 | (mode & 0xf));
}

/* Runs the program; a step cut short by the end of the input is dropped. */
static void fuzz_program(const uint8_t *p, const uint8_t *end)
{
    bool ok = true;
    /* At most 256 steps, so one input stays quick. */
    for (int step = 0; step < 256 && ok && p < end; step++) {
        uint64_t op = *p++, a, b, c, d, e, f;
        switch (op % 10) {
        case 0:
            a = get_le(&p, end, 2, &ok);
            b = get_le(&p, end, 8, &ok);
            if (ok) {
                st(FUZZ_RAM + (a & (FUZZ_PAGES * 4096 - 8)), 8, b);
            }
            break;
        case 1:
            a = get_le(&p, end, 1, &ok);
            b = get_le(&p, end, 1, &ok);
            c = get_le(&p, end, 2, &ok);
            d = get_le(&p, end, 2, &ok);
            e = get_le(&p, end, 1, &ok);
            f = get_le(&p, end, 1, &ok);
            if (ok) {
                uint64_t desc = PAGE(DESC_PAGE) + (a & 0x7f) * 16;
                st(desc, 8, buffer(b, c));
                st(desc + 8, 4, d);
                st(desc + 12, 2, e & 7);
                st(desc + 14, 2, f);
            }
            break;
        case 2:
            a = get_le(&p, end, 1, &ok);
            if (ok) {
                uint64_t idx = ld(PAGE(AVAIL_PAGE) + 2, 2);
                st(PAGE(AVAIL_PAGE) + 4 + 2 * (idx % 128), 2, a);
                st(PAGE(AVAIL_PAGE) + 2, 2, (idx + 1) & 0xffff);
            }
            break;
        case 3:
            a = get_le(&p, end, 1, &ok);
            b = get_le(&p, end, 2, &ok);
            c = get_le(&p, end, 1, &ok);
            d = get_le(&p, end, 1, &ok);
            if (ok) {
                uint64_t at = FUZZ_RAM +
                              ((a & 0xf) * 4096 + b) % (FUZZ_PAGES * 4096 - 16);
                st(at, 8, c % 10);
                st(at + 8, 8, d % (FUZZ_SECTORS + 2));
            }
            break;
        case 4:
            a = get_le(&p, end, 1, &ok);
            b = get_le(&p, end, 4, &ok);
            if (ok) {
                virtio_wr(4 * a % 0x200, (uint32_t)b);
            }
            break;
        case 5:
            virtio_wr(VIRTIO_QUEUE_NOTIFY, 0);
            break;
        case 6:
            a = get_le(&p, end, 1, &ok);
            if (ok) {
                driver_init(a);
            }
            break;
        case 7:
            a = get_le(&p, end, 1, &ok);
            b = get_le(&p, end, 1, &ok);
            c = get_le(&p, end, 1, &ok);
            if (ok) {
                st(PAGE(PT0_PAGE) + 8 * (a & 0xf), 8,
                   PAGE(b & 0xf) >> 12 << 10 | c);
            }
            break;
        case 8:
            a = get_le(&p, end, 1, &ok);
            if (ok) {
                iommu_init(a);
            }
            break;
        case 9:
            a = get_le(&p, end, 2, &ok);
            b = get_le(&p, end, 8, &ok);
            c = get_le(&p, end, 1, &ok);
            if (ok) {
                iommu_wr(a, c & 1 ? 8 : 4, b);
            }
            break;
        }
    }
}

static VirtMachine *fuzz_board(const Drive *drive)
{
    Error *err = NULL;
    VirtMachine *vms = virt_machine_new(FUZZ_MACHINE, &err);
    if (!vms || !virt_machine_set_virtio_blk(vms, drive, &err) ||
        !virt_machine_realize(vms, NULL, NULL, &err)) {
        error_report_err(err);
        abort();
    }
    return vms;
}

static void fuzz_board_free(VirtMachine *vms)
{
    object_unparent(OBJECT(vms)); /* resets the virtual clock */
    main_loop_reset();
}

static void snapshot(VirtMachine *vms, MigWriter *w)
{
    Error *err = NULL;
    mig_writer_init(w);
    if (!virt_snapshot_save(vms, w, &err)) {
        error_report_err(err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t zeros[FUZZ_SECTORS * 512];
    static char drive_id[] = "fuzz";
    if (fuzz_image_fd < 0) {
        fuzz_image_init();
    }
    if (ftruncate(fuzz_image_fd, 0) != 0 ||
        pwrite(fuzz_image_fd, zeros, sizeof(zeros), 0) != sizeof(zeros)) {
        perror("fuzz-virtio: the image");
        abort();
    }
    Drive drive = {.id = drive_id, .file = fuzz_image};
    VirtMachine *vms = fuzz_board(&drive);
    /* The board loaded its built-in firmware there. */
    memset(memory_region_get_ram_ptr(&vms->ram), 0, FUZZ_PAGES * 4096);
    fuzz_program(data, data + size);

    struct stat st_image;
    if (fstat(fuzz_image_fd, &st_image) != 0 ||
        st_image.st_size != sizeof(zeros)) {
        fprintf(stderr, "fuzz-virtio: the image is %lld bytes, not %zu\n",
                (long long)st_image.st_size, sizeof(zeros));
        abort();
    }

    /* The state the program left migrates: saved, loaded into a fresh
     * board, saved again, the same bytes. */
    MigWriter saved, again;
    snapshot(vms, &saved);
    fuzz_board_free(vms);
    VirtMachine *restored = fuzz_board(&drive);
    Error *err = NULL;
    if (!virt_snapshot_load(restored, saved.data, saved.len, &err)) {
        fprintf(stderr, "fuzz-virtio: the snapshot does not load: %s\n",
                error_get_message(err));
        abort();
    }
    snapshot(restored, &again);
    if (again.len != saved.len || memcmp(again.data, saved.data, saved.len)) {
        fprintf(stderr,
                "fuzz-virtio: the snapshot changed through a load "
                "(%zu and %zu bytes)\n",
                saved.len, again.len);
        abort();
    }
    fuzz_board_free(restored);
    mig_writer_free(&saved);
    mig_writer_free(&again);
    return 0;
}

/*
 * Unit tests for the region tree and access dispatch: overlap priorities,
 * enable/disable, unassigned accesses, size validation, splitting and
 * widening to implemented sizes, big-endian devices and lazy RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory/memory.h"
#include "unit-test.h"

/* A device with a 16-byte register file that logs every callback. */
typedef struct TestDev {
    uint8_t regs[16];
    char log[256];
} TestDev;

static void dev_log(TestDev *d, const char *fmt, unsigned long long a,
                    unsigned size)
{
    size_t used = strlen(d->log);
    snprintf(d->log + used, sizeof(d->log) - used, fmt, a, size);
}

static uint64_t dev_read_le(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    dev_log(d, "r%llx/%u ", (unsigned long long)addr, size);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[(addr + i) % 16] << (8 * i);
    }
    return v;
}

static void dev_write_le(void *opaque, hwaddr addr, uint64_t value,
                         unsigned size)
{
    TestDev *d = opaque;
    dev_log(d, "w%llx/%u ", (unsigned long long)addr, size);
    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) % 16] = (uint8_t)(value >> (8 * i));
    }
}

/* The same register file seen by a big-endian device: the byte at the
 * lowest address is the most significant. */
static uint64_t dev_read_be(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v = (v << 8) | d->regs[(addr + i) % 16];
    }
    return v;
}

static void dev_write_be(void *opaque, hwaddr addr, uint64_t value,
                         unsigned size)
{
    TestDev *d = opaque;
    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) % 16] = (uint8_t)(value >> (8 * (size - 1 - i)));
    }
}

static const MemoryRegionOps plain_ops = {
    .read = dev_read_le,
    .write = dev_write_le,
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

/* Accepts 1..8 from the guest, but the callbacks only do 4. */
static const MemoryRegionOps impl32_ops = {
    .read = dev_read_le,
    .write = dev_write_le,
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

/* Only 4-byte guest accesses. */
static const MemoryRegionOps valid32_ops = {
    .read = dev_read_le,
    .write = dev_write_le,
    .valid = {.min_access_size = 4, .max_access_size = 4},
};

static const MemoryRegionOps be_ops = {
    .read = dev_read_be,
    .write = dev_write_be,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

/* A private tree per test, so tests do not see each other's regions. */
typedef struct Fixture {
    MemoryRegion root;
    AddressSpace as;
} Fixture;

static void fixture_init(Fixture *f)
{
    memory_region_init(&f->root, NULL, "root", UINT64_MAX);
    address_space_init(&f->as, &f->root, "test");
}

static void fixture_destroy(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_destroy(&f->root);
}

static uint64_t ld(AddressSpace *as, hwaddr addr, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    MemTxResult r = address_space_ld(as, addr, size, &v);
    if (r != MEMTX_OK) {
        UNIT_FAIL("load at 0x%llx size %u failed: %d", (unsigned long long)addr,
                  size, r);
    }
    return v;
}

UNIT_TEST(ram_round_trip_little_endian)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram;
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x1000, NULL));
    memory_region_add_subregion(&f.root, 0x8000, &ram);

    CHECK_EQ_I64(address_space_st(&f.as, 0x8000, 8, 0x0807060504030201ull),
                 MEMTX_OK);
    CHECK_EQ_U64(ld(&f.as, 0x8000, 1), 0x01);
    CHECK_EQ_U64(ld(&f.as, 0x8002, 2), 0x0403);
    CHECK_EQ_U64(ld(&f.as, 0x8004, 4), 0x08070605);
    CHECK_EQ_U64(memory_region_get_ram_ptr(&ram)[7], 0x08);

    uint8_t buf[4] = {0xaa, 0xbb, 0xcc, 0xdd};
    CHECK_EQ_I64(address_space_write(&f.as, 0x8ffc, buf, 4), MEMTX_OK);
    CHECK_EQ_U64(ld(&f.as, 0x8ffc, 4), 0xddccbbaa);
    uint8_t back[4] = {0};
    CHECK_EQ_I64(address_space_read(&f.as, 0x8ffc, back, 4), MEMTX_OK);
    CHECK(memcmp(buf, back, 4) == 0);
    /* Running off the end of RAM stops at the hole. */
    CHECK_EQ_I64(address_space_read(&f.as, 0x8ffe, back, 4),
                 MEMTX_DECODE_ERROR);

    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(unassigned_is_decode_error)
{
    Fixture f;
    fixture_init(&f);
    uint64_t v = 1;
    CHECK_EQ_I64(address_space_ld(&f.as, 0x1234, 4, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_I64(address_space_st(&f.as, 0x1234, 4, 5), MEMTX_DECODE_ERROR);
    CHECK(address_space_lookup(&f.as, 0x1234) == NULL);
    fixture_destroy(&f);
}

UNIT_TEST(high_priority_window_over_ram)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram, io;
    TestDev dev = {.regs = {0x11, 0x22, 0x33, 0x44}};
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    memory_region_init_io(&io, NULL, &plain_ops, &dev, "window", 0x10);
    memory_region_add_subregion(&f.root, 0, &ram);
    CHECK_EQ_I64(address_space_st(&f.as, 0x100, 4, 0xcafef00d), MEMTX_OK);
    uint64_t gen = f.as.generation;

    memory_region_add_subregion_overlap(&f.root, 0x100, &io, 1);
    CHECK(f.as.generation != gen);
    CHECK_EQ_U64(f.as.nr_ranges, 3); /* ram, window, ram */
    CHECK_EQ_U64(ld(&f.as, 0x100, 4), 0x44332211);
    CHECK_EQ_U64(ld(&f.as, 0xfc, 4), 0); /* RAM just below is still RAM */
    const FlatRange *fr = address_space_lookup(&f.as, 0x110);
    CHECK(fr && fr->mr == &ram);
    CHECK_EQ_U64(fr->offset_in_region, 0x110);

    /* Removing the window uncovers the RAM, contents intact. */
    memory_region_del_subregion(&f.root, &io);
    CHECK_EQ_U64(f.as.nr_ranges, 1);
    CHECK_EQ_U64(ld(&f.as, 0x100, 4), 0xcafef00d);

    memory_region_destroy(&io);
    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(lower_priority_loses_and_later_wins_ties)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram, a, b;
    TestDev da = {.regs = {0xaa}}, db = {.regs = {0xbb}};
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x1000, NULL));
    memory_region_init_io(&a, NULL, &plain_ops, &da, "a", 0x10);
    memory_region_init_io(&b, NULL, &plain_ops, &db, "b", 0x10);

    /* Below RAM's priority the window is hidden. */
    memory_region_add_subregion_overlap(&f.root, 0, &ram, 0);
    memory_region_add_subregion_overlap(&f.root, 0x20, &a, -1);
    CHECK(address_space_lookup(&f.as, 0x20)->mr == &ram);

    /* Equal priority: the region added last wins. */
    memory_region_del_subregion(&f.root, &a);
    memory_region_add_subregion_overlap(&f.root, 0x20, &a, 0);
    CHECK(address_space_lookup(&f.as, 0x20)->mr == &a);
    memory_region_add_subregion_overlap(&f.root, 0x20, &b, 0);
    CHECK_EQ_U64(ld(&f.as, 0x20, 1), 0xbb);
    memory_region_del_subregion(&f.root, &b);
    CHECK_EQ_U64(ld(&f.as, 0x20, 1), 0xaa);

    memory_region_destroy(&a);
    memory_region_destroy(&b);
    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(nested_containers_and_clipping)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion bus, io;
    TestDev dev = {.regs = {0x5a}};
    memory_region_init(&bus, NULL, "bus", 0x100);
    memory_region_init_io(&io, NULL, &plain_ops, &dev, "dev", 0x1000);
    /* Built detached, then attached: the whole subtree appears at once. */
    memory_region_add_subregion(&bus, 0x80, &io);
    CHECK_EQ_U64(f.as.nr_ranges, 0);
    memory_region_add_subregion(&f.root, 0x10000, &bus);
    CHECK_EQ_U64(f.as.nr_ranges, 1);
    CHECK_EQ_U64(ld(&f.as, 0x10080, 1), 0x5a);
    /* The device is larger than its container: it is clipped at 0x100. */
    CHECK(address_space_lookup(&f.as, 0x100ff) != NULL);
    CHECK(address_space_lookup(&f.as, 0x10100) == NULL);

    memory_region_destroy(&io);
    memory_region_destroy(&bus);
    fixture_destroy(&f);
}

UNIT_TEST(disabled_region_is_unmapped)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram, io;
    TestDev dev = {.regs = {0x77}};
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x1000, NULL));
    memory_region_init_io(&io, NULL, &plain_ops, &dev, "io", 0x10);
    memory_region_add_subregion(&f.root, 0, &ram);
    memory_region_add_subregion_overlap(&f.root, 0x40, &io, 1);
    CHECK_EQ_U64(ld(&f.as, 0x40, 1), 0x77);

    memory_region_set_enabled(&io, false);
    CHECK_EQ_U64(ld(&f.as, 0x40, 1), 0); /* RAM shows through */
    memory_region_set_enabled(&ram, false);
    uint64_t v;
    CHECK_EQ_I64(address_space_ld(&f.as, 0x40, 1, &v), MEMTX_DECODE_ERROR);
    memory_region_set_enabled(&io, true);
    CHECK_EQ_U64(ld(&f.as, 0x40, 1), 0x77);

    memory_region_destroy(&io);
    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(valid_sizes_and_alignment_refused)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion io;
    TestDev dev = {.regs = {1, 2, 3, 4, 5, 6, 7, 8}};
    memory_region_init_io(&io, NULL, &valid32_ops, &dev, "io", 0x10);
    memory_region_add_subregion(&f.root, 0x1000, &io);
    uint64_t v;
    CHECK_EQ_I64(address_space_ld(&f.as, 0x1000, 1, &v), MEMTX_ERROR);
    CHECK_EQ_I64(address_space_ld(&f.as, 0x1000, 8, &v), MEMTX_ERROR);
    CHECK_EQ_I64(address_space_st(&f.as, 0x1000, 2, 0), MEMTX_ERROR);
    CHECK_EQ_I64(address_space_ld(&f.as, 0x1002, 4, &v), MEMTX_ERROR);
    CHECK_EQ_I64(address_space_ld(&f.as, 0x1000, 3, &v), MEMTX_ERROR);
    CHECK(dev.log[0] == '\0'); /* no callback saw a refused access */
    CHECK_EQ_U64(ld(&f.as, 0x1004, 4), 0x08070605);
    CHECK_STREQ(dev.log, "r4/4 ");

    memory_region_destroy(&io);
    fixture_destroy(&f);
}

UNIT_TEST(access_crossing_range_end)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram, io;
    TestDev dev = {.regs = {0}};
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x100, NULL));
    memory_region_init_io(&io, NULL, &plain_ops, &dev, "io", 0x10);
    memory_region_add_subregion(&f.root, 0, &ram);
    memory_region_add_subregion(&f.root, 0x100, &io);
    uint64_t v;
    CHECK_EQ_I64(address_space_ld(&f.as, 0xfc, 8, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ_I64(address_space_st(&f.as, 0x10e, 4, 0), MEMTX_DECODE_ERROR);
    CHECK(dev.log[0] == '\0');
    CHECK_EQ_I64(address_space_ld(&f.as, UINT64_MAX, 2, &v),
                 MEMTX_DECODE_ERROR);

    memory_region_destroy(&io);
    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(large_access_split_into_impl_size)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion io;
    TestDev dev = {.regs = {0}};
    memory_region_init_io(&io, NULL, &impl32_ops, &dev, "io", 0x10);
    memory_region_add_subregion(&f.root, 0, &io);

    CHECK_EQ_I64(address_space_st(&f.as, 8, 8, 0x1122334455667788ull),
                 MEMTX_OK);
    CHECK_STREQ(dev.log, "w8/4 wc/4 ");
    CHECK_EQ_U64(dev.regs[8], 0x88);
    CHECK_EQ_U64(dev.regs[15], 0x11);
    dev.log[0] = '\0';
    CHECK_EQ_U64(ld(&f.as, 8, 8), 0x1122334455667788ull);
    CHECK_STREQ(dev.log, "r8/4 rc/4 ");

    memory_region_destroy(&io);
    fixture_destroy(&f);
}

UNIT_TEST(small_access_widened_to_impl_size)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion io;
    TestDev dev = {.regs = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80}};
    memory_region_init_io(&io, NULL, &impl32_ops, &dev, "io", 0x10);
    memory_region_add_subregion(&f.root, 0, &io);

    CHECK_EQ_U64(ld(&f.as, 6, 1), 0x70);
    CHECK_STREQ(dev.log, "r4/4 ");
    dev.log[0] = '\0';
    CHECK_EQ_U64(ld(&f.as, 2, 2), 0x4030);
    CHECK_STREQ(dev.log, "r0/4 ");

    /* A narrow write reads the word, merges and writes it back. */
    dev.log[0] = '\0';
    CHECK_EQ_I64(address_space_st(&f.as, 5, 1, 0xee), MEMTX_OK);
    CHECK_STREQ(dev.log, "r4/4 w4/4 ");
    CHECK_EQ_U64(dev.regs[4], 0x50);
    CHECK_EQ_U64(dev.regs[5], 0xee);
    CHECK_EQ_U64(dev.regs[6], 0x70);
    CHECK_EQ_U64(dev.regs[7], 0x80);

    memory_region_destroy(&io);
    fixture_destroy(&f);
}

UNIT_TEST(big_endian_device_is_swapped)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion io;
    TestDev dev = {.regs = {0}};
    memory_region_init_io(&io, NULL, &be_ops, &dev, "be", 0x10);
    memory_region_add_subregion(&f.root, 0, &io);

    /* The guest stores 0x11223344 little-endian; the device's register,
     * read in its own byte order, holds the swapped value. */
    CHECK_EQ_I64(address_space_st(&f.as, 0, 4, 0x11223344), MEMTX_OK);
    CHECK_EQ_U64(dev_read_be(&dev, 0, 4), 0x44332211);
    /* Bytes land where the guest put them. */
    CHECK_EQ_U64(dev.regs[0], 0x44);
    CHECK_EQ_U64(ld(&f.as, 0, 4), 0x11223344);
    CHECK_EQ_U64(ld(&f.as, 0, 2), 0x3344);
    CHECK_EQ_U64(ld(&f.as, 3, 1), 0x11);

    memory_region_destroy(&io);
    fixture_destroy(&f);
}

UNIT_TEST(missing_callbacks_read_zero_and_ignore)
{
    static const MemoryRegionOps no_ops = {
        .valid = {.min_access_size = 1, .max_access_size = 8},
    };
    Fixture f;
    fixture_init(&f);
    MemoryRegion io;
    memory_region_init_io(&io, NULL, &no_ops, NULL, "empty", 0x10);
    memory_region_add_subregion(&f.root, 0, &io);
    CHECK_EQ_U64(ld(&f.as, 0, 4), 0);
    CHECK_EQ_I64(address_space_st(&f.as, 0, 4, 1), MEMTX_OK);
    memory_region_destroy(&io);
    fixture_destroy(&f);
}

UNIT_TEST(every_affected_address_space_is_rebuilt)
{
    Fixture f;
    fixture_init(&f);
    AddressSpace other;
    address_space_init(&other, &f.root, "other");
    MemoryRegion ram;
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x1000, NULL));
    memory_region_add_subregion(&f.root, 0x2000, &ram);
    CHECK(address_space_lookup(&other, 0x2000) != NULL);
    CHECK(address_space_lookup(&f.as, 0x2000) != NULL);
    memory_region_destroy(&ram);
    CHECK(address_space_lookup(&other, 0x2000) == NULL);
    address_space_destroy(&other);
    fixture_destroy(&f);
}

UNIT_TEST(system_memory_singleton)
{
    MemoryRegion *sys = get_system_memory();
    AddressSpace *as = get_address_space_memory();
    CHECK(sys == get_system_memory());
    CHECK(as->root == sys);
    MemoryRegion ram;
    CHECK(memory_region_init_ram(&ram, NULL, "ram", 0x1000, NULL));
    memory_region_add_subregion(sys, 0x80000000, &ram);
    CHECK_EQ_I64(address_space_st(as, 0x80000ff8, 8, 42), MEMTX_OK);
    CHECK_EQ_U64(ld(as, 0x80000ff8, 8), 42);
    memory_region_destroy(&ram);
}

/* KiB of [p, p + len) resident in host memory.  mincore() asks about the
 * block itself, not the whole process: under qemu-user the process is the
 * translator too, and its own growth says nothing about our RAM. */
static long resident_kib(const void *p, size_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    /* One entry per page; sized for 4 KiB, the smallest page there is. */
    unsigned char *vec = calloc(len / 4096 + 1, 1);
    long resident = -1;
    if (vec && mincore((void *)p, len, vec) == 0) {
        resident = 0;
        for (size_t i = 0; i < len / (size_t)page; i++) {
            resident += vec[i] & 1;
        }
        resident *= page / 1024;
    }
    free(vec);
    return resident;
}

UNIT_TEST(ram_is_reserved_lazily)
{
    Fixture f;
    fixture_init(&f);
    MemoryRegion ram;
    Error *err = NULL;
    CHECK(memory_region_init_ram(&ram, NULL, "big", 1ull << 30, &err));
    memory_region_add_subregion(&f.root, 0x80000000, &ram);
    CHECK_EQ_I64(address_space_st(&f.as, 0x80000000 + (512u << 20), 8, 7),
                 MEMTX_OK);
    long resident =
        resident_kib(memory_region_get_ram_ptr(&ram), (size_t)1 << 30);
    CHECK(resident > 0); /* the page just written */
    /* 4 MiB leaves room for a transparent huge page or two. */
    if (resident > 4096) {
        UNIT_FAIL("1 GiB of RAM with one store has %ld KiB resident", resident);
    }
    CHECK_EQ_U64(ld(&f.as, 0x80000000 + (512u << 20), 8), 7);
    memory_region_destroy(&ram);
    fixture_destroy(&f);
}

UNIT_TEST(impossible_ram_names_size)
{
    MemoryRegion ram;
    Error *err = NULL;
    CHECK(!memory_region_init_ram(&ram, NULL, "huge", 1ull << 62, &err));
    CHECK(err != NULL);
    CHECK(strstr(error_get_message(err), "4611686018427387904") != NULL);
    error_free(err);
}

int main(void)
{
    return unit_run_all();
}

/*
 * Guest physical memory: a tree of regions (RAM, MMIO, containers) with
 * priorities for overlap, flattened into an address space for dispatch.
 *
 * Dispatch adapts each access to what the device implements: an access whose
 * size the region does not accept (ops->valid) fails; an accepted access is
 * split into or widened to sizes the callbacks implement (ops->impl), and
 * byte order is converted for big-endian devices (the guest is little-endian).
 */
#ifndef RIVET_MEMORY_MEMORY_H
#define RIVET_MEMORY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qom/object.h"
#include "util/error.h"

typedef uint64_t hwaddr;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,        /* device refused the access (bad size...) */
    MEMTX_DECODE_ERROR = 2, /* nothing mapped there ("unassigned") */
} MemTxResult;

typedef enum DeviceEndian {
    DEVICE_LITTLE_ENDIAN,
    DEVICE_BIG_ENDIAN,
} DeviceEndian;

typedef struct MemAccessSizes {
    unsigned min_access_size; /* 0 means 1 */
    unsigned max_access_size; /* 0 means 4 */
    bool unaligned;           /* accept accesses not aligned to their size */
} MemAccessSizes;

typedef struct MemoryRegionOps {
    /* addr is the offset within the region; size is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t value, unsigned size);
    DeviceEndian endianness;
    MemAccessSizes valid; /* what the guest may do */
    MemAccessSizes impl;  /* what the callbacks handle */
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_KIND_CONTAINER,
    MR_KIND_RAM,
    MR_KIND_IO,
} MemoryRegionKind;

typedef struct MemoryRegion MemoryRegion;

struct MemoryRegion {
    MemoryRegionKind kind;
    char *name;
    Object *owner;
    uint64_t size;
    const MemoryRegionOps *ops;
    void *opaque;
    uint8_t *ram; /* host memory of a RAM region (reserved lazily) */
    MemoryRegion *container;
    hwaddr addr;  /* offset within container */
    int priority; /* higher wins where siblings overlap */
    bool enabled;
    MemoryRegion *subregions; /* sorted by priority, highest first */
    MemoryRegion *next_sibling;
};

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* RAM is reserved with mmap(MAP_NORESERVE): host pages are only committed
 * when first touched. */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/* Release host memory and detach from the container. */
void memory_region_destroy(MemoryRegion *mr);

/* Every topology change below rebuilds the flat view of each address space
 * whose root contains the changed region. */
void memory_region_add_subregion(MemoryRegion *container, hwaddr offset,
                                 MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *container, hwaddr offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *container, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
uint8_t *memory_region_get_ram_ptr(MemoryRegion *mr);

/* One piece of the flattened view: [start, start+size) belongs to mr at
 * offset_in_region. */
typedef struct FlatRange {
    hwaddr start;
    uint64_t size;
    MemoryRegion *mr;
    hwaddr offset_in_region;
} FlatRange;

typedef struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatRange *ranges; /* sorted, non-overlapping */
    size_t nr_ranges;
    /* Bumped whenever the flat view is rebuilt, so callers caching RAM
     * pointers know to drop them. */
    uint64_t generation;
} AddressSpace;

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);
/* The flat range containing addr, or NULL if nothing is mapped there. */
const FlatRange *address_space_lookup(AddressSpace *as, hwaddr addr);

/* Single access of size 1, 2, 4 or 8; value is little-endian guest order. */
MemTxResult address_space_ld(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t *value);
MemTxResult address_space_st(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t value);
/* Byte-wise bulk copy (loaders, tests); stops at the first failure. */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               size_t len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf,
                                size_t len);

/* The machine's system memory root and address space. */
MemoryRegion *get_system_memory(void);
AddressSpace *get_address_space_memory(void);

#endif /* RIVET_MEMORY_MEMORY_H */

/*
 * Guest physical memory: the region tree, its flattening into each address
 * space's sorted range array, and the dispatch of guest accesses to RAM or
 * to device callbacks (adapting sizes and byte order on the way).
 */
#include "memory/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "probes/memory.h"
#include "util/log.h"

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        fprintf(stderr, "rivet: out of memory");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy) {
        fprintf(stderr, "rivet: out of memory");
        abort();
    }
    return copy;
}

/*
 * A size of UINT64_MAX stands for the whole 2^64 space, which uint64_t
 * cannot hold; working with inclusive last offsets avoids the overflow.
 */
static uint64_t region_last_offset(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;
}

/* Guest memory is little-endian whatever the host is. */
static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void store_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t load_be(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void store_be(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[size - 1 - i] = (uint8_t)(v >> (8 * i));
    }
}

/* ---------------------------------------------------------------------- */
/* Regions                                                                 */

static void region_init_common(MemoryRegion *mr, MemoryRegionKind kind,
                               Object *owner, const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = kind;
    mr->owner = owner;
    mr->name = xstrdup(name);
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    region_init_common(mr, MR_KIND_CONTAINER, owner, name, size);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    region_init_common(mr, MR_KIND_IO, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    region_init_common(mr, MR_KIND_RAM, owner, name, size);
    if (size == 0 || size > (uint64_t)SIZE_MAX) {
        error_setg(errp, "cannot allocate RAM '%s' of %" PRIu64 " bytes",
                   mr->name, size);
        free(mr->name);
        mr->name = NULL;
        return false;
    }
    /* MAP_NORESERVE + anonymous: the kernel hands out zeroed pages on first
     * touch, so a large guest that uses little costs little. */
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "cannot reserve %" PRIu64 " bytes (%" PRIu64
                         " MiB) of host memory for RAM '%s'",
                         size, size >> 20, mr->name);
        free(mr->name);
        mr->name = NULL;
        return false;
    }
    mr->ram = p;
    return true;
}

uint8_t *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    return mr->kind == MR_KIND_RAM ? mr->ram : NULL;
}

/* ---------------------------------------------------------------------- */
/* Address spaces and flattening                                           */

/* Every live address space, so a topology change can rebuild the ones it
 * affects. */
static AddressSpace **address_spaces;
static size_t nr_address_spaces;

typedef struct FlatBuilder {
    FlatRange *ranges;
    size_t nr;
    size_t cap;
} FlatBuilder;

static int flat_range_cmp(const void *a, const void *b)
{
    const FlatRange *ra = a, *rb = b;
    return ra->start < rb->start ? -1 : ra->start > rb->start;
}

static void builder_append(FlatBuilder *fb, hwaddr first, hwaddr last,
                           MemoryRegion *mr, hwaddr offset_in_region)
{
    if (fb->nr == fb->cap) {
        fb->cap = fb->cap ? fb->cap * 2 : 16;
        fb->ranges = xrealloc(fb->ranges, fb->cap * sizeof(FlatRange));
    }
    /* A range spanning all 2^64 bytes cannot state its size; it loses its
     * last byte, which no guest can reach usefully anyway. */
    uint64_t size = last - first + 1;
    fb->ranges[fb->nr++] = (FlatRange){
        .start = first,
        .size = size ? size : UINT64_MAX,
        .mr = mr,
        .offset_in_region = offset_in_region,
    };
}

static hwaddr range_last(const FlatRange *fr)
{
    return fr->start + (fr->size - 1);
}

/*
 * Give mr every part of [first, last] not already claimed.  Regions are
 * rendered highest priority first, so whatever is already in the view wins.
 * base is the absolute address of mr's offset 0.
 */
static void builder_fill_gaps(FlatBuilder *fb, hwaddr first, hwaddr last,
                              MemoryRegion *mr, hwaddr base)
{
    size_t existing = fb->nr;
    hwaddr cursor = first;
    bool done = false;

    for (size_t i = 0; i < existing && !done; i++) {
        const FlatRange *fr = &fb->ranges[i];
        hwaddr fr_last = range_last(fr);
        if (fr_last < cursor) {
            continue;
        }
        if (fr->start > last) {
            break;
        }
        if (fr->start > cursor) {
            builder_append(fb, cursor, fr->start - 1, mr, cursor - base);
        }
        /* builder_append may move fb->ranges; fr_last was read before. */
        if (fr_last >= last) {
            done = true;
        } else {
            cursor = fr_last + 1;
        }
    }
    if (!done) {
        builder_append(fb, cursor, last, mr, cursor - base);
    }
    if (fb->nr != existing) {
        qsort(fb->ranges, fb->nr, sizeof(FlatRange), flat_range_cmp);
    }
}

static void render_region(FlatBuilder *fb, MemoryRegion *mr, hwaddr base,
                          hwaddr clip_first, hwaddr clip_last)
{
    if (!mr->enabled || mr->size == 0) {
        return;
    }
    hwaddr first = base;
    hwaddr last = base + region_last_offset(mr);
    if (last < first) {
        /* The region runs past the top of the address space. */
        last = UINT64_MAX;
    }
    if (first < clip_first) {
        first = clip_first;
    }
    if (last > clip_last) {
        last = clip_last;
    }
    if (first > last) {
        return;
    }
    for (MemoryRegion *sub = mr->subregions; sub; sub = sub->next_sibling) {
        hwaddr sub_base = base + sub->addr;
        if (sub_base < base) {
            continue; /* placed beyond 2^64 */
        }
        render_region(fb, sub, sub_base, first, last);
    }
    if (mr->kind != MR_KIND_CONTAINER) {
        builder_fill_gaps(fb, first, last, mr, base);
    }
}

static void address_space_rebuild(AddressSpace *as)
{
    FlatBuilder fb = {0};
    if (as->root) {
        render_region(&fb, as->root, 0, 0, UINT64_MAX);
    }
    free(as->ranges);
    as->ranges = fb.ranges;
    as->nr_ranges = fb.nr;
    as->generation++;
}

static MemoryRegion *region_root(MemoryRegion *mr)
{
    while (mr->container) {
        mr = mr->container;
    }
    return mr;
}

/* Rebuild every address space whose tree holds mr. */
static void memory_topology_changed(MemoryRegion *mr)
{
    MemoryRegion *root = region_root(mr);
    for (size_t i = 0; i < nr_address_spaces; i++) {
        if (address_spaces[i]->root == root) {
            address_space_rebuild(address_spaces[i]);
        }
    }
}

static void add_subregion_common(MemoryRegion *container, hwaddr offset,
                                 MemoryRegion *sub, int priority)
{
    if (sub->container) {
        fprintf(stderr, "rivet: memory region '%s' is already mapped in '%s'",
                sub->name, sub->container->name);
        abort();
    }
    sub->container = container;
    sub->addr = offset;
    sub->priority = priority;

    /* Keep siblings sorted highest priority first; a newcomer goes before
     * equals so that, on a tie, the region added last wins. */
    MemoryRegion **link = &container->subregions;
    while (*link && (*link)->priority > priority) {
        link = &(*link)->next_sibling;
    }
    sub->next_sibling = *link;
    *link = sub;
    memory_topology_changed(container);
}

void memory_region_add_subregion(MemoryRegion *container, hwaddr offset,
                                 MemoryRegion *sub)
{
    add_subregion_common(container, offset, sub, 0);
}

void memory_region_add_subregion_overlap(MemoryRegion *container, hwaddr offset,
                                         MemoryRegion *sub, int priority)
{
    add_subregion_common(container, offset, sub, priority);
}

void memory_region_del_subregion(MemoryRegion *container, MemoryRegion *sub)
{
    MemoryRegion **link = &container->subregions;
    while (*link && *link != sub) {
        link = &(*link)->next_sibling;
    }
    if (!*link) {
        return; /* not a child of container: nothing to undo */
    }
    *link = sub->next_sibling;
    sub->next_sibling = NULL;
    sub->container = NULL;
    memory_topology_changed(container);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_topology_changed(mr);
}

void memory_region_destroy(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    /* Orphan the children rather than leave them pointing at freed memory. */
    MemoryRegion *sub = mr->subregions;
    while (sub) {
        MemoryRegion *next = sub->next_sibling;
        sub->container = NULL;
        sub->next_sibling = NULL;
        sub = next;
    }
    mr->subregions = NULL;
    if (mr->ram) {
        munmap(mr->ram, (size_t)mr->size);
        mr->ram = NULL;
    }
    free(mr->name);
    mr->name = NULL;
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = xstrdup(name);
    as->root = root;
    address_spaces = xrealloc(address_spaces,
                              (nr_address_spaces + 1) * sizeof(AddressSpace *));
    address_spaces[nr_address_spaces++] = as;
    address_space_rebuild(as);
}

void address_space_destroy(AddressSpace *as)
{
    for (size_t i = 0; i < nr_address_spaces; i++) {
        if (address_spaces[i] == as) {
            address_spaces[i] = address_spaces[--nr_address_spaces];
            break;
        }
    }
    if (nr_address_spaces == 0) {
        free(address_spaces);
        address_spaces = NULL;
    }
    free(as->ranges);
    as->ranges = NULL;
    as->nr_ranges = 0;
    free(as->name);
    as->name = NULL;
    as->root = NULL;
}

const FlatRange *address_space_lookup(AddressSpace *as, hwaddr addr)
{
    size_t lo = 0, hi = as->nr_ranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const FlatRange *fr = &as->ranges[mid];
        if (addr < fr->start) {
            hi = mid;
        } else if (addr > range_last(fr)) {
            lo = mid + 1;
        } else {
            return fr;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Dispatch                                                                */

static bool valid_access_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static unsigned sizes_min(const MemAccessSizes *s)
{
    return s->min_access_size ? s->min_access_size : 1;
}

static unsigned sizes_max(const MemAccessSizes *s)
{
    return s->max_access_size ? s->max_access_size : 4;
}

/* The flat range holding all of [addr, addr+size), or NULL with the reason
 * in *result. */
static const FlatRange *lookup_access(AddressSpace *as, hwaddr addr,
                                      unsigned size, MemTxResult *result)
{
    const FlatRange *fr = address_space_lookup(as, addr);
    if (!fr || addr + (size - 1) < addr || addr + (size - 1) > range_last(fr)) {
        *result = MEMTX_DECODE_ERROR;
        return NULL;
    }
    *result = MEMTX_OK;
    return fr;
}

static bool io_access_allowed(MemoryRegion *mr, hwaddr offset, unsigned size,
                              bool is_write)
{
    const MemAccessSizes *valid = &mr->ops->valid;
    if (size < sizes_min(valid) || size > sizes_max(valid)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "%s: %u-byte %s at offset 0x%" PRIx64
                 " refused (valid sizes %u..%u)",
                 mr->name, size, is_write ? "write" : "read", offset,
                 sizes_min(valid), sizes_max(valid));
        return false;
    }
    if (!valid->unaligned && (offset & (size - 1)) != 0) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "%s: unaligned %u-byte %s at offset 0x%" PRIx64 " refused",
                 mr->name, size, is_write ? "write" : "read", offset);
        return false;
    }
    return true;
}

static uint64_t io_read_chunk(MemoryRegion *mr, hwaddr offset, unsigned size)
{
    if (!mr->ops->read) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "%s: read of write-only region at offset 0x%" PRIx64 "",
                 mr->name, offset);
        return 0;
    }
    uint64_t v = mr->ops->read(mr->opaque, offset, size);
    if (log_item_enabled(LOG_ITEM_MMIO)) {
        log_item(LOG_ITEM_MMIO,
                 "mmio read  %s+0x%" PRIx64 " size %u -> 0x%" PRIx64 "",
                 mr->name, offset, size, v);
    }
    return v;
}

static void io_write_chunk(MemoryRegion *mr, hwaddr offset, unsigned size,
                           uint64_t value)
{
    if (log_item_enabled(LOG_ITEM_MMIO)) {
        log_item(LOG_ITEM_MMIO,
                 "mmio write %s+0x%" PRIx64 " size %u <- 0x%" PRIx64 "",
                 mr->name, offset, size, value);
    }
    if (!mr->ops->write) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "%s: write to read-only region at offset 0x%" PRIx64 "",
                 mr->name, offset);
        return;
    }
    mr->ops->write(mr->opaque, offset, value, size);
}

/* Device value <-> the bytes it occupies in guest memory order. */
static void chunk_to_bytes(const MemoryRegion *mr, uint8_t *bytes,
                           unsigned size, uint64_t value)
{
    if (mr->ops->endianness == DEVICE_BIG_ENDIAN) {
        store_be(bytes, size, value);
    } else {
        store_le(bytes, size, value);
    }
}

static uint64_t bytes_to_chunk(const MemoryRegion *mr, const uint8_t *bytes,
                               unsigned size)
{
    return mr->ops->endianness == DEVICE_BIG_ENDIAN ? load_be(bytes, size)
                                                    : load_le(bytes, size);
}

/*
 * The callback calls covering [offset, offset+size): a chunk size within
 * impl's limits, and the first chunk's offset (aligned down unless the
 * callbacks accept unaligned offsets and no widening is needed).
 */
static void io_plan(const MemoryRegion *mr, hwaddr offset, unsigned size,
                    unsigned *chunk, hwaddr *start, unsigned *count)
{
    const MemAccessSizes *impl = &mr->ops->impl;
    unsigned c = size;
    if (c < sizes_min(impl)) {
        c = sizes_min(impl);
    }
    if (c > sizes_max(impl)) {
        c = sizes_max(impl);
    }
    hwaddr first = offset;
    if (!(impl->unaligned && c == size)) {
        first = offset & ~(hwaddr)(c - 1);
    }
    hwaddr end = offset + size;
    *chunk = c;
    *start = first;
    *count = (unsigned)((end - first + c - 1) / c);
}

static uint64_t io_read(MemoryRegion *mr, hwaddr offset, unsigned size)
{
    unsigned chunk, count;
    hwaddr start;
    io_plan(mr, offset, size, &chunk, &start, &count);
    if (count == 1 && chunk == size && start == offset) {
        uint8_t bytes[8];
        chunk_to_bytes(mr, bytes, size, io_read_chunk(mr, offset, size));
        return load_le(bytes, size);
    }
    /* Gather the covered span in guest byte order, then cut out the part
     * the guest asked for.  At most 8 + 7 bytes are ever covered. */
    uint8_t span[16];
    for (unsigned i = 0; i < count; i++) {
        uint64_t v = io_read_chunk(mr, start + (hwaddr)i * chunk, chunk);
        chunk_to_bytes(mr, span + i * chunk, chunk, v);
    }
    return load_le(span + (offset - start), size);
}

static void io_write(MemoryRegion *mr, hwaddr offset, unsigned size,
                     uint64_t value)
{
    unsigned chunk, count;
    hwaddr start;
    io_plan(mr, offset, size, &chunk, &start, &count);
    uint8_t span[16];
    hwaddr end = offset + size;
    for (unsigned i = 0; i < count; i++) {
        hwaddr chunk_off = start + (hwaddr)i * chunk;
        uint8_t *bytes = span + i * chunk;
        if (chunk_off < offset || chunk_off + chunk > end) {
            /* The guest writes only part of this chunk: keep the other
             * bytes by reading them first. */
            chunk_to_bytes(mr, bytes, chunk,
                           io_read_chunk(mr, chunk_off, chunk));
        }
        for (unsigned b = 0; b < chunk; b++) {
            hwaddr a = chunk_off + b;
            if (a >= offset && a < end) {
                bytes[b] = (uint8_t)(value >> (8 * (a - offset)));
            }
        }
        io_write_chunk(mr, chunk_off, chunk, bytes_to_chunk(mr, bytes, chunk));
    }
}

/* A guest access that hit no region: tell the probes.  Out of line and
 * cold, so the dispatch fast path keeps its registers. */
static __attribute__((noinline, cold)) MemTxResult
unassigned_access(hwaddr addr, unsigned size, bool is_write, uint64_t value,
                  MemTxResult result)
{
    if (is_write) {
        probe_memory_unassigned_write(addr, size, value);
    } else {
        probe_memory_unassigned_read(addr, size);
    }
    return result;
}

MemTxResult address_space_ld(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t *value)
{
    MemTxResult result;
    *value = 0;
    if (!valid_access_size(size)) {
        return MEMTX_ERROR;
    }
    const FlatRange *fr = lookup_access(as, addr, size, &result);
    if (!fr) {
        return unassigned_access(addr, size, false, 0, result);
    }
    MemoryRegion *mr = fr->mr;
    hwaddr offset = fr->offset_in_region + (addr - fr->start);
    if (mr->kind == MR_KIND_RAM) {
        *value = load_le(mr->ram + offset, size);
        return MEMTX_OK;
    }
    if (!io_access_allowed(mr, offset, size, false)) {
        return MEMTX_ERROR;
    }
    *value = io_read(mr, offset, size);
    return MEMTX_OK;
}

MemTxResult address_space_st(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t value)
{
    MemTxResult result;
    if (!valid_access_size(size)) {
        return MEMTX_ERROR;
    }
    const FlatRange *fr = lookup_access(as, addr, size, &result);
    if (!fr) {
        return unassigned_access(addr, size, true, value, result);
    }
    MemoryRegion *mr = fr->mr;
    hwaddr offset = fr->offset_in_region + (addr - fr->start);
    if (mr->kind == MR_KIND_RAM) {
        store_le(mr->ram + offset, size, value);
        return MEMTX_OK;
    }
    if (!io_access_allowed(mr, offset, size, true)) {
        return MEMTX_ERROR;
    }
    io_write(mr, offset, size, value);
    return MEMTX_OK;
}

/* Bytes from addr to the end of fr, capped at len. */
static size_t bytes_in_range(const FlatRange *fr, hwaddr addr, size_t len)
{
    uint64_t left = range_last(fr) - addr;
    return left >= len - 1 ? len : (size_t)left + 1;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               size_t len)
{
    uint8_t *out = buf;
    while (len > 0) {
        const FlatRange *fr = address_space_lookup(as, addr);
        if (!fr) {
            return MEMTX_DECODE_ERROR;
        }
        if (fr->mr->kind == MR_KIND_RAM) {
            size_t n = bytes_in_range(fr, addr, len);
            memcpy(out, fr->mr->ram + fr->offset_in_region + (addr - fr->start),
                   n);
            out += n;
            addr += n;
            len -= n;
            continue;
        }
        uint64_t v;
        MemTxResult r = address_space_ld(as, addr, 1, &v);
        if (r != MEMTX_OK) {
            return r;
        }
        *out++ = (uint8_t)v;
        addr++;
        len--;
    }
    return MEMTX_OK;
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf,
                                size_t len)
{
    const uint8_t *in = buf;
    while (len > 0) {
        const FlatRange *fr = address_space_lookup(as, addr);
        if (!fr) {
            return MEMTX_DECODE_ERROR;
        }
        if (fr->mr->kind == MR_KIND_RAM) {
            size_t n = bytes_in_range(fr, addr, len);
            memcpy(fr->mr->ram + fr->offset_in_region + (addr - fr->start), in,
                   n);
            in += n;
            addr += n;
            len -= n;
            continue;
        }
        MemTxResult r = address_space_st(as, addr, 1, *in);
        if (r != MEMTX_OK) {
            return r;
        }
        in++;
        addr++;
        len--;
    }
    return MEMTX_OK;
}

/* ---------------------------------------------------------------------- */
/* The machine's singletons                                                */

static MemoryRegion system_memory;
static AddressSpace address_space_memory;
static bool system_memory_ready;

static void system_memory_init(void)
{
    if (!system_memory_ready) {
        system_memory_ready = true;
        memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
        address_space_init(&address_space_memory, &system_memory, "memory");
    }
}

MemoryRegion *get_system_memory(void)
{
    system_memory_init();
    return &system_memory;
}

AddressSpace *get_address_space_memory(void)
{
    system_memory_init();
    return &address_space_memory;
}

/*
 * The "ram" section: guest RAM as QEMU encodes it (version 4).  Pages that
 * are entirely zero cost a 9-byte record, so a mostly idle 64 MiB guest
 * makes a small snapshot.  Loading never writes a zero page that is zero
 * already, so untouched guest memory stays unreserved on the host.
 */
#include "migration/ram.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "migration-internal.h"

static bool ram_page_is_zero(const uint8_t *p)
{
    static const uint8_t zero[RAM_PAGE_SIZE];
    return memcmp(p, zero, RAM_PAGE_SIZE) == 0;
}

static void ram_save(MigWriter *w, void *opaque, SaveLivePhase phase)
{
    RamMigration *rm = opaque;
    MemoryRegion *mr = rm->mr;

    if (phase == SAVE_LIVE_START) {
        mig_put_be64(w, mr->size | RAM_SAVE_FLAG_MEM_SIZE);
        mig_put_str8(w, mr->name);
        mig_put_be64(w, mr->size);
    } else if (phase == SAVE_LIVE_PART) {
        const uint8_t *host = memory_region_get_ram_ptr(mr);
        for (uint64_t off = 0; off < mr->size; off += RAM_PAGE_SIZE) {
            const uint8_t *page = host + off;
            bool zero = ram_page_is_zero(page);
            uint64_t flags = zero ? RAM_SAVE_FLAG_ZERO : RAM_SAVE_FLAG_PAGE;
            if (off != 0) {
                flags |= RAM_SAVE_FLAG_CONTINUE;
            }
            mig_put_be64(w, off | flags);
            if (off == 0) {
                mig_put_str8(w, mr->name);
            }
            if (zero) {
                mig_put_u8(w, 0);
            } else {
                mig_put_bytes(w, page, RAM_PAGE_SIZE);
            }
        }
    }
    mig_put_be64(w, RAM_SAVE_FLAG_EOS);
}

static void ram_load_begin(void *opaque)
{
    RamMigration *rm = opaque;
    rm->pages = rm->mr->size / RAM_PAGE_SIZE;
    rm->pages_received = 0;
    free(rm->received);
    rm->received = calloc((rm->pages + 63) / 64, sizeof(uint64_t));
}

static bool ram_truncated(MigReader *r, Error **errp)
{
    error_setg(errp, "field 'pages': stream truncated at offset %zu", r->pos);
    return false;
}

static bool ram_load_block_name(MigReader *r, RamMigration *rm, Error **errp)
{
    char name[256], shown[256];
    if (!mig_get_str8(r, name)) {
        return ram_truncated(r, errp);
    }
    if (strcmp(name, rm->mr->name) != 0) {
        error_setg(errp,
                   "field 'block': unknown RAM block '%s' (this "
                   "machine has '%s')",
                   mig_printable(name, shown), rm->mr->name);
        return false;
    }
    return true;
}

static bool ram_load_header(MigReader *r, RamMigration *rm, uint64_t total,
                            Error **errp)
{
    /* One block: its length must be the whole total. */
    if (!ram_load_block_name(r, rm, errp)) {
        return false;
    }
    uint64_t len = mig_get_be64(r);
    if (!mig_reader_ok(r)) {
        return ram_truncated(r, errp);
    }
    if (len != total || len != rm->mr->size) {
        error_setg(errp,
                   "field 'block': RAM block '%s' is 0x%" PRIx64
                   " bytes in the stream (total 0x%" PRIx64
                   "), this machine has 0x%" PRIx64
                   " (start it with the same -m)",
                   rm->mr->name, len, total, rm->mr->size);
        return false;
    }
    return true;
}

static bool ram_load(MigReader *r, void *opaque, SaveLivePhase phase,
                     Error **errp)
{
    RamMigration *rm = opaque;
    uint8_t *host = memory_region_get_ram_ptr(rm->mr);
    bool have_block = false;

    if (!rm->received) {
        error_setg(errp, "out of memory for the RAM bitmap");
        return false;
    }
    for (;;) {
        uint64_t word = mig_get_be64(r);
        if (!mig_reader_ok(r)) {
            return ram_truncated(r, errp);
        }
        uint64_t flags = word & (RAM_PAGE_SIZE - 1);
        uint64_t addr = word & ~(uint64_t)(RAM_PAGE_SIZE - 1);

        if (flags == RAM_SAVE_FLAG_EOS && addr == 0) {
            return true;
        }
        if (flags == RAM_SAVE_FLAG_MEM_SIZE) {
            if (phase != SAVE_LIVE_START) {
                error_setg(errp, "field 'pages': RAM size record outside "
                                 "SECTION_START");
                return false;
            }
            if (!ram_load_header(r, rm, addr, errp)) {
                return false;
            }
            continue;
        }
        uint64_t kind = flags & ~(uint64_t)RAM_SAVE_FLAG_CONTINUE;
        if (kind != RAM_SAVE_FLAG_ZERO && kind != RAM_SAVE_FLAG_PAGE) {
            error_setg(errp,
                       "field 'pages': unknown RAM flags 0x%" PRIx64
                       " at offset %zu",
                       flags, r->pos - 8);
            return false;
        }
        if (flags & RAM_SAVE_FLAG_CONTINUE) {
            if (!have_block) {
                error_setg(errp,
                           "field 'pages': page 0x%" PRIx64
                           " continues a block that was never named",
                           addr);
                return false;
            }
        } else {
            if (!ram_load_block_name(r, rm, errp)) {
                return false;
            }
            have_block = true;
        }
        if (addr >= rm->mr->size) {
            error_setg(errp,
                       "field 'pages': page 0x%" PRIx64
                       " is outside the 0x%" PRIx64 "-byte RAM block",
                       addr, rm->mr->size);
            return false;
        }
        uint8_t *page = host + addr;
        if (kind == RAM_SAVE_FLAG_ZERO) {
            uint8_t fill = mig_get_u8(r);
            if (!mig_reader_ok(r)) {
                return ram_truncated(r, errp);
            }
            /* Touch the page only if it is not already what we want, so
             * untouched guest RAM stays unreserved. */
            if (fill != 0 || !ram_page_is_zero(page)) {
                memset(page, fill, RAM_PAGE_SIZE);
            }
        } else {
            const uint8_t *src = mig_get_span(r, RAM_PAGE_SIZE);
            if (!src) {
                return ram_truncated(r, errp);
            }
            memcpy(page, src, RAM_PAGE_SIZE);
        }
        uint64_t index = addr / RAM_PAGE_SIZE;
        if (!(rm->received[index / 64] & (1ULL << (index % 64)))) {
            rm->received[index / 64] |= 1ULL << (index % 64);
            rm->pages_received++;
        }
    }
}

static bool ram_load_end(void *opaque, Error **errp)
{
    RamMigration *rm = opaque;
    if (rm->pages_received != rm->pages) {
        uint64_t missing = 0;
        while (rm->received[missing / 64] & (1ULL << (missing % 64))) {
            missing++;
        }
        error_setg(errp,
                   "field 'pages': %" PRIu64 " of %" PRIu64
                   " pages are missing (the first at 0x%" PRIx64 ")",
                   rm->pages - rm->pages_received, rm->pages,
                   missing * RAM_PAGE_SIZE);
        return false;
    }
    return true;
}

const SaveLiveOps ram_migration_ops = {
    .version_id = RAM_SECTION_VERSION,
    .save = ram_save,
    .load_begin = ram_load_begin,
    .load = ram_load,
    .load_end = ram_load_end,
};

bool ram_migration_register(SaveState *ss, RamMigration *rm, MemoryRegion *mr,
                            Error **errp)
{
    memset(rm, 0, sizeof(*rm));
    rm->mr = mr;
    if (!memory_region_get_ram_ptr(mr) || mr->size % RAM_PAGE_SIZE != 0) {
        error_setg(errp, "RAM region '%s' cannot be migrated", mr->name);
        return false;
    }
    return savevm_register_live(ss, "ram", &ram_migration_ops, rm, errp);
}

void ram_migration_cleanup(RamMigration *rm)
{
    free(rm->received);
    rm->received = NULL;
}

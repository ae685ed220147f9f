/*
 * The "ram" section: guest RAM in QEMU's RAM stream encoding (version 4).
 *
 *   START: be64 (total bytes | RAM_SAVE_FLAG_MEM_SIZE), then per block
 *          (u8 name length, name, be64 length); EOS
 *   PART:  one record per 4 KiB page: be64 (offset | flags) with
 *          RAM_SAVE_FLAG_ZERO (a 1-byte fill value follows: all-zero pages
 *          cost 9 bytes) or RAM_SAVE_FLAG_PAGE (4096 bytes follow), and
 *          RAM_SAVE_FLAG_CONTINUE after the first page of the block (the
 *          first carries the block name); EOS
 *   END:   EOS
 *
 * Every page must arrive: a stream that leaves a page out is refused, so
 * no byte of the loading machine's own firmware image survives a load.
 */
#ifndef RIVET_MIGRATION_RAM_H
#define RIVET_MIGRATION_RAM_H

#include <stdbool.h>
#include <stdint.h>

#include "memory/memory.h"
#include "migration/savevm.h"

#define RAM_SECTION_VERSION 4
#define RAM_PAGE_SIZE 4096

typedef enum RamSaveFlags {
    RAM_SAVE_FLAG_ZERO = 0x02,
    RAM_SAVE_FLAG_MEM_SIZE = 0x04,
    RAM_SAVE_FLAG_PAGE = 0x08,
    RAM_SAVE_FLAG_EOS = 0x10,
    RAM_SAVE_FLAG_CONTINUE = 0x20,
} RamSaveFlags;

typedef struct RamMigration {
    MemoryRegion *mr; /* one RAM block, its region name is the block id */
    /* Load: a bit per page received. */
    uint64_t *received;
    uint64_t pages;
    uint64_t pages_received;
} RamMigration;

extern const SaveLiveOps ram_migration_ops;

/* Register mr (a RAM region) as the "ram" section; rm must outlive ss. */
bool ram_migration_register(SaveState *ss, RamMigration *rm, MemoryRegion *mr,
                            Error **errp);
/* Free the load bookkeeping. */
void ram_migration_cleanup(RamMigration *rm);

#endif /* RIVET_MIGRATION_RAM_H */

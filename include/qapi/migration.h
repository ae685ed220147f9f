/*
 * migrate and query-migrate (core/qapi/migration.c): a migration to a
 * "file:PATH" URI writes the same stream as -save-at.  As in QEMU, the
 * command only starts it (status "setup"); the machine writes it at its
 * next save point, the top of the execution loop (where -save-at stops),
 * so that the stream is the one -save-at writes at that instruction count:
 * "active", then "completed" or "failed", each a MIGRATION event.
 */
#ifndef RIVET_QAPI_MIGRATION_H
#define RIVET_QAPI_MIGRATION_H

#include <stdbool.h>

#include "util/error.h"

/* What the machine gives the migration commands.  Installed by whoever
 * owns the machine (main); without it, migrate fails. */
typedef struct MigrationMachine {
    /* Refuses a destination at once (e.g. one that is not a regular
     * file), before the migration starts. */
    bool (*check_file)(const char *path, Error **errp);
    /* Writes the whole stream to path; on failure nothing is left under
     * path (a temporary file is written, then renamed). */
    bool (*save_file)(void *opaque, const char *path, Error **errp);
    void *opaque;
} MigrationMachine;

/* NULL removes it.  The struct must outlive its use. */
void migration_set_machine(const MigrationMachine *machine);

/* At a save point: write the migration the command started, if any.
 * Returns true when one completed (QEMU then pauses the guest:
 * postmigrate). */
bool migration_run_pending(void);

#endif /* RIVET_QAPI_MIGRATION_H */

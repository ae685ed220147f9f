/*
 * migrate and query-migrate, in C (qapi/migration.h).  One migration at a
 * time; the state of the last one stays readable until the next starts.
 * Times are host time in milliseconds, as QEMU's total-time.
 */
#include "qapi/migration.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qapi-commands-migration.h"
#include "qapi-events-migration.h"

static struct {
    const MigrationMachine *machine;
    MigrationStatus status;
    char *path;       /* while setup: where to write */
    char *error_desc; /* after failed */
    int64_t start_ms, total_ms;
} migration = {.status = MIGRATION_STATUS_NONE};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_status(MigrationStatus status)
{
    migration.status = status;
    qapi_event_send_migration(status);
}

static void fail(const Error *err)
{
    free(migration.path);
    migration.path = NULL;
    migration.error_desc = strdup(error_get_message(err));
    if (!migration.error_desc) {
        qapi_out_of_memory();
    }
    set_status(MIGRATION_STATUS_FAILED);
}

void migration_set_machine(const MigrationMachine *machine)
{
    migration.machine = machine;
}

void qmp_migrate(const char *uri, bool has_detach, bool detach, bool has_resume,
                 bool resume, Error **errp)
{
    (void)has_detach;
    (void)detach;
    (void)has_resume;
    if (resume) {
        error_setg(errp, "Cannot resume if there is no paused migration");
        return;
    }
    if (migration.status == MIGRATION_STATUS_SETUP ||
        migration.status == MIGRATION_STATUS_ACTIVE) {
        error_setg(errp, "There's a migration process in progress");
        return;
    }
    if (strncmp(uri, "file:", 5) != 0 || !uri[5]) {
        error_setg(errp, "Parameter 'uri' expects a valid migration protocol "
                         "(rivet writes to file:PATH)");
        return;
    }
    if (!migration.machine) {
        error_setg(errp, "There is no machine to migrate");
        return;
    }
    free(migration.error_desc);
    migration.error_desc = NULL;
    migration.total_ms = 0;
    migration.start_ms = now_ms();
    set_status(MIGRATION_STATUS_SETUP);
    /* A destination refused now fails the command too, as QEMU's failing
     * connect does. */
    Error *err = NULL;
    if (!migration.machine->check_file(uri + 5, &err)) {
        fail(err);
        error_propagate(errp, err);
        return;
    }
    migration.path = strdup(uri + 5);
    if (!migration.path) {
        qapi_out_of_memory();
    }
}

bool migration_run_pending(void)
{
    if (migration.status != MIGRATION_STATUS_SETUP || !migration.path) {
        return false;
    }
    set_status(MIGRATION_STATUS_ACTIVE);
    Error *err = NULL;
    if (!migration.machine->save_file(migration.machine->opaque, migration.path,
                                      &err)) {
        error_prepend(&err, "migration to 'file:%s' failed: ", migration.path);
        fail(err);
        error_free(err);
        return false;
    }
    free(migration.path);
    migration.path = NULL;
    migration.total_ms = now_ms() - migration.start_ms;
    set_status(MIGRATION_STATUS_COMPLETED);
    return true;
}

MigrationInfo *qmp_query_migrate(Error **errp)
{
    (void)errp;
    MigrationInfo *info = calloc(1, sizeof(*info));
    if (!info) {
        qapi_out_of_memory();
    }
    /* As QEMU: nothing at all before the first migration. */
    if (migration.status == MIGRATION_STATUS_NONE) {
        return info;
    }
    info->has_status = true;
    info->status = migration.status;
    if (migration.status == MIGRATION_STATUS_COMPLETED) {
        info->has_total_time = true;
        info->total_time = migration.total_ms;
    }
    if (migration.error_desc) {
        info->error_desc = strdup(migration.error_desc);
        if (!info->error_desc) {
            qapi_out_of_memory();
        }
    }
    return info;
}

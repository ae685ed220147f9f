/*
 * Snapshots of the `virt` board: which sections a machine has and in what
 * order, and reading/writing them from files.
 *
 * Sections: "ram" (iterative), then in this order "vclock", the board
 * ("virt"), and one section per device found under /machine, named after
 * its class's VMStateDescription, so the C and Rust twin of a device write
 * and accept the same section.  A device without a description makes
 * saving fail instead of silently producing a snapshot that loses state.
 */
#include "machine/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/input-file.h"
#include "migration/ram.h"
#include "migration/savevm.h"
#include "migration/vclock-state.h"
#include "util/output-file.h"
#include "util/vclock.h"

static const VMStateField virt_machine_fields[] = {
    VMSTATE_UINT64(insns_executed, VirtMachine),
    /* The HTIF mailbox lives at the firmware's `tohost` symbol: a snapshot
     * only makes sense with the same firmware, which this checks. */
    {.name = "tohost_addr",
     .type = VMS_TYPE_UINT64,
     .offset = offsetof(VirtMachine, image.tohost_addr),
     .elem_size = sizeof(uint64_t),
     .num = 1,
     .must_equal = true},
    {.name = "htif_tohost",
     .type = VMS_TYPE_UINT64,
     .offset = offsetof(VirtMachine, htif_dev.tohost),
     .elem_size = sizeof(uint64_t),
     .num = 1},
    {.name = "htif_fromhost",
     .type = VMS_TYPE_UINT64,
     .offset = offsetof(VirtMachine, htif_dev.fromhost),
     .elem_size = sizeof(uint64_t),
     .num = 1},
    VMSTATE_BOOL(reset_requested, VirtMachine),
    VMSTATE_END_OF_LIST(),
};

/* "virt/htif": HTIF responses waiting for fromhost and console reads
 * waiting for input, sent only when there are some (so snapshots of
 * programs that never use them are as before, and older ones load). */
static bool virt_htif_queue_needed(void *opaque)
{
    VirtMachine *vms = opaque;
    return vms->htif_dev.nr_responses || vms->htif_dev.reads_pending;
}

static const VMStateField virt_htif_queue_fields[] = {
    {.name = "responses",
     .type = VMS_TYPE_UINT64,
     .shape = VMS_SHAPE_ARRAY,
     .offset = offsetof(VirtMachine, htif_dev.responses),
     .elem_size = sizeof(uint64_t),
     .num = HTIF_MAX_RESPONSES},
    {.name = "nr_responses",
     .type = VMS_TYPE_UINT8,
     .offset = offsetof(VirtMachine, htif_dev.nr_responses),
     .elem_size = 1,
     .num = 1,
     .max = HTIF_MAX_RESPONSES},
    {.name = "reads_pending",
     .type = VMS_TYPE_UINT8,
     .offset = offsetof(VirtMachine, htif_dev.reads_pending),
     .elem_size = 1,
     .num = 1,
     .max = HTIF_MAX_READS},
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_virt_htif_queue = {
    .name = "virt/htif",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = virt_htif_queue_fields,
    .needed = virt_htif_queue_needed,
};

const VMStateDescription vmstate_virt_machine = {
    .name = "virt",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = virt_machine_fields,
    .subsections =
        (const VMStateDescription *const[]){&vmstate_virt_htif_queue, NULL},
};

/* Everything a save or load needs to exist while it runs. */
typedef struct VirtSnapshot {
    SaveState ss;
    RamMigration ram;
    VClockMigState clock;
} VirtSnapshot;

static bool virt_snapshot_register(VirtMachine *vms, VirtSnapshot *snap,
                                   Error **errp)
{
    savevm_init(&snap->ss, TYPE_VIRT_MACHINE);
    if (!ram_migration_register(&snap->ss, &snap->ram, &vms->ram, errp) ||
        !savevm_register(&snap->ss, &vmstate_vclock, &snap->clock, errp) ||
        !savevm_register(&snap->ss, &vmstate_virt_machine, vms, errp)) {
        return false;
    }
    for (Object *child = OBJECT(vms)->children; child; child = child->sibling) {
        if (!object_dynamic_cast(child, TYPE_DEVICE)) {
            continue;
        }
        const DeviceClass *dc = DEVICE_GET_CLASS(child);
        if (!dc->vmsd) {
            error_setg(errp,
                       "device '%s' (%s) has no migration description, so "
                       "the machine cannot be saved",
                       child->name, object_get_typename(child));
            return false;
        }
        if (!savevm_register(&snap->ss, dc->vmsd, child, errp)) {
            error_prepend(errp, "device '%s' (%s): ", child->name,
                          object_get_typename(child));
            return false;
        }
    }
    return true;
}

bool virt_snapshot_save(VirtMachine *vms, MigWriter *w, Error **errp)
{
    VirtSnapshot *snap = calloc(1, sizeof(*snap));
    bool ok = snap && virt_snapshot_register(vms, snap, errp) &&
              savevm_save(&snap->ss, w, errp);
    if (!snap) {
        error_setg(errp, "out of memory");
    }
    free(snap);
    return ok;
}

/* A run is saved between slices, after every expired timer ran: a stream
 * with a deadline before its clock is not one rivet wrote, and would make a
 * periodic timer catch up one period at a time over the whole gap (from
 * time 0 to the end of time, forever). */
static bool virt_snapshot_check_timers(Error **errp)
{
    int64_t deadline = vclock_next_deadline();
    if (deadline < vclock_get_ns()) {
        error_setg(errp,
                   "a timer is due at %" PRId64 " ns, before the clock's "
                   "time %" PRId64 " ns (section 'vclock')",
                   deadline, vclock_get_ns());
        return false;
    }
    return true;
}

bool virt_snapshot_load(VirtMachine *vms, const uint8_t *data, size_t len,
                        Error **errp)
{
    VirtSnapshot *snap = calloc(1, sizeof(*snap));
    if (!snap) {
        error_setg(errp, "out of memory");
        return false;
    }
    bool ok = virt_snapshot_register(vms, snap, errp) &&
              savevm_load(&snap->ss, data, len, errp) &&
              virt_snapshot_check_timers(errp);
    ram_migration_cleanup(&snap->ram);
    free(snap);
    return ok;
}

bool virt_snapshot_check_target(const char *path, Error **errp)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            return true; /* created by the rename */
        }
        error_setg_errno(errp, errno, "cannot save a snapshot to '%s'", path);
        return false;
    }
    if (S_ISREG(st.st_mode)) {
        return true;
    }
    error_setg(errp,
               "'%s' exists and is not a regular file (%s); refusing to "
               "replace it with a snapshot",
               path,
               S_ISLNK(st.st_mode)    ? "a symbolic link"
               : S_ISDIR(st.st_mode)  ? "a directory"
               : S_ISFIFO(st.st_mode) ? "a FIFO"
               : S_ISSOCK(st.st_mode) ? "a socket"
                                      : "a device");
    return false;
}

bool virt_snapshot_save_file(VirtMachine *vms, const char *path, Error **errp)
{
    if (!virt_snapshot_check_target(path, errp)) {
        return false;
    }
    MigWriter w;
    mig_writer_init(&w);
    if (!virt_snapshot_save(vms, &w, errp)) {
        mig_writer_free(&w);
        return false;
    }
    /* Write beside the target and rename, so a failed save never leaves a
     * truncated snapshot under the requested name (an older snapshot there
     * stays as it was).  O_EXCL: never write through something already at
     * the temporary name (a symbolic link).  The data reaches the disk
     * before the rename, and the rename before success is reported, so a
     * saved snapshot survives a crash of the host.  Errors name the path
     * the user gave: the temporary name is gone by then. */
    size_t tmplen = strlen(path) + 16;
    char *tmp = malloc(tmplen);
    snprintf(tmp, tmplen, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    if (!ok) {
        error_setg_errno(errp, errno, "cannot create snapshot '%s'", path);
    }
    for (size_t done = 0; ok && done < w.len;) {
        ssize_t n = write(fd, w.data + done, w.len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : ENOSPC,
                             "cannot write snapshot '%s'", path);
            ok = false;
            break;
        }
        done += (size_t)n;
    }
    if (ok && fdatasync(fd) != 0) {
        error_setg_errno(errp, errno, "cannot write snapshot '%s'", path);
        ok = false;
    }
    if (fd >= 0 && close(fd) != 0 && ok) {
        error_setg_errno(errp, errno, "cannot write snapshot '%s'", path);
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        error_setg_errno(errp, errno, "cannot create snapshot '%s'", path);
        ok = false;
    }
    if (!ok && fd >= 0) {
        unlink(tmp);
    }
    if (ok && !output_file_sync_directory("snapshot", path, errp)) {
        ok = false;
    }
    free(tmp);
    mig_writer_free(&w);
    return ok;
}

/* Every RAM page in full (an 8-byte record header and the page), plus room
 * for the other sections and the VM description (a few KiB in practice):
 * the largest stream this machine can have saved.  A bigger file is not a
 * snapshot of this machine, so it is refused before any of it is read. */
#define SNAPSHOT_MAX_OVERHEAD (1u << 20)

static uint64_t virt_snapshot_max_size(const VirtMachine *vms)
{
    return vms->ram_size / RAM_PAGE_SIZE * (8 + RAM_PAGE_SIZE) +
           SNAPSHOT_MAX_OVERHEAD;
}

/* Reads exactly size bytes, then checks that nothing follows. */
static bool snapshot_read_exact(int fd, uint8_t *data, size_t size,
                                const char *path, Error **errp)
{
    for (size_t done = 0; done <= size;) {
        uint8_t extra;
        uint8_t *dst = done < size ? data + done : &extra;
        ssize_t n = read(fd, dst, done < size ? size - done : 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error_setg_errno(errp, errno, "cannot read snapshot '%s'", path);
            return false;
        }
        if (n == 0) {
            if (done == size) {
                return true;
            }
            error_setg(errp, "snapshot '%s' became shorter while being read",
                       path);
            return false;
        }
        if (done == size) {
            error_setg(errp, "snapshot '%s' grew while being read", path);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

bool virt_snapshot_load_file(VirtMachine *vms, const char *path, Error **errp)
{
    struct stat st;
    int fd = input_file_open(path, "snapshot", &st, errp);
    if (fd < 0) {
        return false;
    }
    uint64_t max = virt_snapshot_max_size(vms);
    if ((uint64_t)st.st_size > max) {
        error_setg(errp,
                   "snapshot '%s' is %" PRIu64
                   " bytes, more than a snapshot of this machine can be "
                   "(at most %" PRIu64 " bytes with its %" PRIu64 "-byte RAM)",
                   path, (uint64_t)st.st_size, max, vms->ram_size);
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    bool ok = data != NULL;
    if (!ok) {
        error_setg(errp, "snapshot '%s' (%zu bytes) does not fit in memory",
                   path, size);
    }
    ok = ok && snapshot_read_exact(fd, data, size, path, errp);
    close(fd);
    if (ok) {
        ok = virt_snapshot_load(vms, data, size, errp);
        if (!ok) {
            error_prepend(errp, "snapshot '%s': ", path);
        }
    }
    free(data);
    return ok;
}

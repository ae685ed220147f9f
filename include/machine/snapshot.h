/*
 * Whole-machine snapshots of the `virt` board in QEMU's migration stream
 * format: RAM, the CPU, every device, the virtual clock with its timer
 * deadlines, and the board's own state (HTIF mailbox, pending reset, the
 * executed-instruction count).  docs/migration.md describes the format.
 */
#ifndef RIVET_MACHINE_SNAPSHOT_H
#define RIVET_MACHINE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/virt.h"
#include "migration/stream.h"
#include "util/error.h"

/* Append the machine's snapshot to w.  Fails (and writes nothing useful)
 * when a device has no migration description. */
bool virt_snapshot_save(VirtMachine *vms, MigWriter *w, Error **errp);
/* Writes a temporary file beside path and renames it over path, so a
 * failed save leaves no truncated snapshot.  The rename would replace
 * whatever path names, so a path that exists and is not a regular file (a
 * device, a FIFO, a directory, a symbolic link, even one to a regular file)
 * is refused: virt_snapshot_check_target() says so before the run, and the
 * save checks again. */
bool virt_snapshot_save_file(VirtMachine *vms, const char *path, Error **errp);
bool virt_snapshot_check_target(const char *path, Error **errp);

/* Load a snapshot into a freshly realized machine built with the same -m
 * and firmware (the twin implementations may differ).  On failure the
 * machine holds part of the snapshot and must not run. */
bool virt_snapshot_load(VirtMachine *vms, const uint8_t *data, size_t len,
                        Error **errp);
bool virt_snapshot_load_file(VirtMachine *vms, const char *path, Error **errp);

/* The board's own section ("virt"). */
extern const VMStateDescription vmstate_virt_machine;

#endif /* RIVET_MACHINE_SNAPSHOT_H */

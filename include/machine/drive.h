/*
 * Disk images on the command line, in QEMU's spelling:
 *   -drive file=PATH,format=raw,if=none,id=ID[,readonly=on|off]
 *   -device virtio-blk-device,drive=ID
 * A -drive only names an image; a -device puts it behind the board's
 * virtio-mmio transport (docs/virtio.md).  Checked completely before the
 * machine is built; the image itself is opened by the device at realize.
 */
#ifndef RIVET_MACHINE_DRIVE_H
#define RIVET_MACHINE_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DRIVE_MAX 8

typedef struct Drive {
    char *id;
    char *file;
    bool readonly;
    bool used; /* a -device took it */
} Drive;

typedef struct DriveList {
    Drive drives[DRIVE_MAX];
    size_t nr;
    /* The drive of -device virtio-blk-device, NULL without one. */
    const Drive *virtio_blk;
    /* The -device options, applied by drive_list_finish(). */
    const char *devices[DRIVE_MAX];
    size_t nr_devices;
} DriveList;

/* Records one -drive (checks its keys and values). */
bool drive_list_add_drive(DriveList *list, const char *spec, Error **errp);
/* Records one -device, checked by drive_list_finish(). */
bool drive_list_add_device(DriveList *list, const char *spec, Error **errp);
/* Once every option is read: resolves each -device's drive=. */
bool drive_list_finish(DriveList *list, Error **errp);
void drive_list_free(DriveList *list);

#endif /* RIVET_MACHINE_DRIVE_H */

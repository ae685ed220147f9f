/*
 * -drive and -device (include/machine/drive.h): QEMU's key=value lists,
 * of which rivet takes the subset a raw image behind virtio-blk needs.
 * Every refusal is one line naming the option and the fix.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/drive.h"
#include "util/keyval.h"

typedef struct DriveItems {
    Drive *drive;
    bool have_format;
} DriveItems;

static bool drive_item(void *opaque, const char *key, const char *value,
                       Error **errp)
{
    DriveItems *items = opaque;
    Drive *drive = items->drive;
    if (!strcmp(key, "file")) {
        return keyval_set_once(&drive->file, key, value, errp);
    } else if (!strcmp(key, "id")) {
        return keyval_set_once(&drive->id, key, value, errp);
    } else if (!strcmp(key, "format")) {
        if (strcmp(value, "raw") != 0) {
            error_setg(errp,
                       "unknown format '%s' (rivet reads raw images only: "
                       "format=raw)",
                       value);
            return false;
        }
        items->have_format = true;
        return true;
    } else if (!strcmp(key, "if")) {
        if (strcmp(value, "none") != 0) {
            error_setg(errp,
                       "if=%s is not supported (use if=none and -device "
                       "virtio-blk-device,drive=ID)",
                       value);
            return false;
        }
        return true;
    } else if (!strcmp(key, "readonly")) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
            error_setg(errp, "readonly=%s: expected on or off", value);
            return false;
        }
        drive->readonly = value[1] == 'n';
        return true;
    }
    error_setg(errp,
               "unknown key '%s' (expected file, format, if, id or "
               "readonly)",
               key);
    return false;
}

static void drive_free(Drive *drive)
{
    free(drive->id);
    free(drive->file);
    *drive = (Drive){0};
}

bool drive_list_add_drive(DriveList *list, const char *spec, Error **errp)
{
    if (list->nr == DRIVE_MAX) {
        error_setg(errp, "-drive %s: more than %d drives", spec, DRIVE_MAX);
        return false;
    }
    Drive drive = {0};
    DriveItems items = {.drive = &drive};
    if (!keyval_for_each("-drive", spec, spec, drive_item, &items, errp)) {
        drive_free(&drive);
        return false;
    }
    const char *missing = !drive.file          ? "file=PATH"
                          : !items.have_format ? "format=raw"
                          : !drive.id          ? "id=ID"
                                               : NULL;
    if (missing) {
        error_setg(errp, "-drive %s: %s is missing", spec, missing);
        drive_free(&drive);
        return false;
    }
    for (size_t i = 0; i < list->nr; i++) {
        if (!strcmp(list->drives[i].id, drive.id)) {
            error_setg(errp, "-drive %s: a drive with id '%s' exists already",
                       spec, drive.id);
            drive_free(&drive);
            return false;
        }
    }
    list->drives[list->nr++] = drive;
    return true;
}

bool drive_list_add_device(DriveList *list, const char *spec, Error **errp)
{
    if (list->nr_devices == DRIVE_MAX) {
        error_setg(errp, "-device %s: more than %d devices", spec, DRIVE_MAX);
        return false;
    }
    list->devices[list->nr_devices++] = spec;
    return true;
}

typedef struct DeviceItems {
    DriveList *list;
    Drive *drive;
} DeviceItems;

static bool device_item(void *opaque, const char *key, const char *value,
                        Error **errp)
{
    DeviceItems *items = opaque;
    if (strcmp(key, "drive") != 0) {
        error_setg(errp, "unknown property '%s' (expected drive=ID)", key);
        return false;
    }
    if (items->drive) {
        error_setg(errp, "drive= given twice");
        return false;
    }
    for (size_t i = 0; i < items->list->nr; i++) {
        if (!strcmp(items->list->drives[i].id, value)) {
            items->drive = &items->list->drives[i];
            return true;
        }
    }
    error_setg(errp, "no -drive has id '%s'", value);
    return false;
}

static bool device_apply(DriveList *list, const char *spec, Error **errp)
{
    static const char type[] = "virtio-blk-device";
    size_t n = strcspn(spec, ",");
    if (n != strlen(type) || strncmp(spec, type, n) != 0) {
        error_setg(errp,
                   "-device %s: unknown device '%.*s' (rivet has "
                   "virtio-blk-device)",
                   spec, (int)n, spec);
        return false;
    }
    DeviceItems items = {.list = list};
    if (spec[n] == ',' && !keyval_for_each("-device", spec, spec + n + 1,
                                           device_item, &items, errp)) {
        return false;
    }
    if (!items.drive) {
        error_setg(errp, "-device %s: drive=ID is missing", spec);
        return false;
    }
    if (items.drive->used) {
        error_setg(errp,
                   "-device %s: drive '%s' is already used by another "
                   "device",
                   spec, items.drive->id);
        return false;
    }
    if (list->virtio_blk) {
        error_setg(errp,
                   "-device %s: the board has one virtio-mmio slot, "
                   "taken by drive '%s'",
                   spec, list->virtio_blk->id);
        return false;
    }
    items.drive->used = true;
    list->virtio_blk = items.drive;
    return true;
}

bool drive_list_finish(DriveList *list, Error **errp)
{
    for (size_t i = 0; i < list->nr_devices; i++) {
        if (!device_apply(list, list->devices[i], errp)) {
            return false;
        }
    }
    return true;
}

void drive_list_free(DriveList *list)
{
    for (size_t i = 0; i < list->nr; i++) {
        drive_free(&list->drives[i]);
    }
    *list = (DriveList){0};
}

/*
 * The migration stream: QEMU's format (magic QEVM, version 3), written from
 * and loaded into a set of registered sections.
 *
 *   QEVM 00000003
 *   CONFIGURATION (be32 length, machine type name)
 *   SECTION_START/PART/END for iterative sections (RAM)
 *   SECTION_FULL  for each vmstate section (devices, CPU, clock, board)
 *   each record followed by a SECTION_FOOTER (0x7e, be32 section id)
 *   EOF
 *   VMDESCRIPTION (be32 length, JSON) describing every FULL section
 *
 * Loading is strict: every registered section must appear exactly once,
 * nothing unknown may, and errors name the section and field.  docs/
 * migration.md documents the format and the compatibility rules.
 */
#ifndef RIVET_MIGRATION_SAVEVM_H
#define RIVET_MIGRATION_SAVEVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migration/stream.h"
#include "migration/vmstate.h"
#include "util/error.h"

#define QEMU_VM_FILE_MAGIC 0x5145564d /* "QEVM" */
#define QEMU_VM_FILE_VERSION 0x00000003

typedef enum QemuVmRecord {
    QEMU_VM_EOF = 0x00,
    QEMU_VM_SECTION_START = 0x01,
    QEMU_VM_SECTION_PART = 0x02,
    QEMU_VM_SECTION_END = 0x03,
    QEMU_VM_SECTION_FULL = 0x04,
    QEMU_VM_SUBSECTION = 0x05,
    QEMU_VM_VMDESCRIPTION = 0x06,
    QEMU_VM_CONFIGURATION = 0x07,
    QEMU_VM_SECTION_FOOTER = 0x7e,
} QemuVmRecord;

/* Phases of an iterative section, one record each. */
typedef enum SaveLivePhase {
    SAVE_LIVE_START, /* SECTION_START */
    SAVE_LIVE_PART,  /* SECTION_PART */
    SAVE_LIVE_END,   /* SECTION_END */
} SaveLivePhase;

/* An iterative section (RAM): it writes and reads its own payloads. */
typedef struct SaveLiveOps {
    int version_id;
    void (*save)(MigWriter *w, void *opaque, SaveLivePhase phase);
    /* Called before the first record of the section is read. */
    void (*load_begin)(void *opaque);
    bool (*load)(MigReader *r, void *opaque, SaveLivePhase phase, Error **errp);
    /* After END: refuse an incomplete section (e.g. pages missing). */
    bool (*load_end)(void *opaque, Error **errp);
} SaveLiveOps;

#define SAVEVM_MAX_SECTIONS 64

typedef struct SaveStateEntry {
    char idstr[256];
    uint32_t instance_id;
    const VMStateDescription *vmsd; /* either vmsd ... */
    const SaveLiveOps *live;        /* ... or live ops */
    void *opaque;
    /* Load bookkeeping. */
    bool started;
    bool loaded;
} SaveStateEntry;

typedef struct SaveState {
    const char *machine_type; /* written in the configuration section */
    int num_entries;
    SaveStateEntry entries[SAVEVM_MAX_SECTIONS];
} SaveState;

void savevm_init(SaveState *ss, const char *machine_type);
/* Register a vmstate section; idstr is vmsd->name, the instance id counts
 * earlier registrations with the same name.  Fails for a description that
 * vmstate_check_description() refuses. */
bool savevm_register(SaveState *ss, const VMStateDescription *vmsd,
                     void *opaque, Error **errp);
bool savevm_register_live(SaveState *ss, const char *idstr,
                          const SaveLiveOps *ops, void *opaque, Error **errp);

/* Write the whole stream (live sections first, then vmstate sections in
 * registration order, then EOF and the JSON description). */
bool savevm_save(SaveState *ss, MigWriter *w, Error **errp);

/* Load a whole stream into the registered sections.  On failure the
 * objects may hold part of the stream: the caller must not run them. */
bool savevm_load(SaveState *ss, const uint8_t *data, size_t len, Error **errp);

#endif /* RIVET_MIGRATION_SAVEVM_H */

/*
 * Private helpers shared by the migration library's files: the JSON writer
 * for the VM description and printable names for error messages.
 */
#ifndef RIVET_CORE_MIGRATION_INTERNAL_H
#define RIVET_CORE_MIGRATION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "migration/stream.h"
#include "migration/vmstate.h"

#define MIG_JSON_MAX_DEPTH 32

/* A minimal JSON writer: objects, arrays, strings and integers, with the
 * commas tracked per nesting level. */
struct MigJson {
    MigWriter out;
    int depth;
    bool need_comma[MIG_JSON_MAX_DEPTH];
};

void mig_json_init(MigJson *j);
void mig_json_free(MigJson *j);
/* key is NULL inside arrays. */
void mig_json_start_object(MigJson *j, const char *key);
void mig_json_end_object(MigJson *j);
void mig_json_start_array(MigJson *j, const char *key);
void mig_json_end_array(MigJson *j);
void mig_json_str(MigJson *j, const char *key, const char *value);
void mig_json_int(MigJson *j, const char *key, int64_t value);

/* name with anything outside printable ASCII shown as \xNN, truncated to
 * fit out[256]; for messages about names read from a stream. */
const char *mig_printable(const char *name, char out[256]);

/* The description of vmsd (no data), as in the JSON VM description. */
void vmstate_describe(MigJson *j, const VMStateDescription *vmsd);

#endif /* RIVET_CORE_MIGRATION_INTERNAL_H */

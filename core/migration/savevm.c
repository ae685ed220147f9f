/*
 * The migration stream in QEMU's format: header, configuration, sections
 * with footers, EOF and the trailing JSON VM description.
 *
 * The loader is written for hostile input.  It reads from a bounded
 * buffer, checks each record type against the state of its section
 * (START before PART/END, FULL only for vmstate sections, each section
 * once), refuses unknown sections, and only reports success when every
 * registered section was loaded completely and nothing but the VM
 * description follows EOF.
 */
#include "migration/savevm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "migration-internal.h"
#include "probes/migration.h"

void savevm_init(SaveState *ss, const char *machine_type)
{
    memset(ss, 0, sizeof(*ss));
    ss->machine_type = machine_type;
}

static SaveStateEntry *savevm_add(SaveState *ss, const char *idstr,
                                  Error **errp)
{
    if (ss->num_entries >= SAVEVM_MAX_SECTIONS) {
        error_setg(errp, "too many migration sections (at most %d)",
                   SAVEVM_MAX_SECTIONS);
        return NULL;
    }
    if (strlen(idstr) == 0 || strlen(idstr) > 255) {
        error_setg(errp, "migration section name '%s' must be 1..255 bytes",
                   idstr);
        return NULL;
    }
    SaveStateEntry *se = &ss->entries[ss->num_entries];
    memset(se, 0, sizeof(*se));
    snprintf(se->idstr, sizeof(se->idstr), "%s", idstr);
    for (int i = 0; i < ss->num_entries; i++) {
        if (!strcmp(ss->entries[i].idstr, idstr)) {
            se->instance_id++;
        }
    }
    ss->num_entries++;
    return se;
}

bool savevm_register(SaveState *ss, const VMStateDescription *vmsd,
                     void *opaque, Error **errp)
{
    if (!vmstate_check_description(vmsd, true, errp)) {
        return false;
    }
    SaveStateEntry *se = savevm_add(ss, vmsd->name, errp);
    if (!se) {
        return false;
    }
    se->vmsd = vmsd;
    se->opaque = opaque;
    return true;
}

bool savevm_register_live(SaveState *ss, const char *idstr,
                          const SaveLiveOps *ops, void *opaque, Error **errp)
{
    SaveStateEntry *se = savevm_add(ss, idstr, errp);
    if (!se) {
        return false;
    }
    se->live = ops;
    se->opaque = opaque;
    return true;
}

/* ---- saving ----------------------------------------------------------- */

static void savevm_section_header(MigWriter *w, QemuVmRecord type,
                                  uint32_t section_id, const SaveStateEntry *se,
                                  int version)
{
    mig_put_u8(w, type);
    mig_put_be32(w, section_id);
    if (type == QEMU_VM_SECTION_START || type == QEMU_VM_SECTION_FULL) {
        probe_migration_section_save(se->idstr, se->instance_id,
                                     (uint32_t)version);
        mig_put_str8(w, se->idstr);
        mig_put_be32(w, se->instance_id);
        mig_put_be32(w, (uint32_t)version);
    }
}

static void savevm_footer(MigWriter *w, uint32_t section_id)
{
    mig_put_u8(w, QEMU_VM_SECTION_FOOTER);
    mig_put_be32(w, section_id);
}

/* The configuration record: the machine type, as QEMU's
 * vmstate_configuration (uint32 len, buffer name). */
static void savevm_configuration(SaveState *ss, MigWriter *w, MigJson *json)
{
    size_t len = strlen(ss->machine_type);
    mig_put_u8(w, QEMU_VM_CONFIGURATION);
    mig_put_be32(w, (uint32_t)len);
    mig_put_bytes(w, ss->machine_type, len);

    mig_json_start_object(json, "configuration");
    mig_json_str(json, "vmsd_name", "configuration");
    mig_json_int(json, "version", 1);
    mig_json_start_array(json, "fields");
    mig_json_start_object(json, NULL);
    mig_json_str(json, "name", "len");
    mig_json_str(json, "type", "uint32");
    mig_json_int(json, "size", 4);
    mig_json_end_object(json);
    mig_json_start_object(json, NULL);
    mig_json_str(json, "name", "name");
    mig_json_str(json, "type", "buffer");
    mig_json_int(json, "size", (int64_t)len);
    mig_json_end_object(json);
    mig_json_end_array(json);
    mig_json_end_object(json);
}

bool savevm_save(SaveState *ss, MigWriter *w, Error **errp)
{
    MigJson json;
    bool ok = true;
    mig_json_init(&json);
    mig_json_start_object(&json, NULL);
    mig_json_int(&json, "page_size", 4096);

    mig_put_be32(w, QEMU_VM_FILE_MAGIC);
    mig_put_be32(w, QEMU_VM_FILE_VERSION);
    savevm_configuration(ss, w, &json);

    /* Section ids are the registration index, as QEMU numbers them. */
    static const QemuVmRecord live_records[] = {
        QEMU_VM_SECTION_START, QEMU_VM_SECTION_PART, QEMU_VM_SECTION_END};
    static const SaveLivePhase live_phases[] = {SAVE_LIVE_START, SAVE_LIVE_PART,
                                                SAVE_LIVE_END};
    for (int p = 0; p < 3; p++) {
        for (int i = 0; i < ss->num_entries; i++) {
            SaveStateEntry *se = &ss->entries[i];
            if (!se->live) {
                continue;
            }
            savevm_section_header(w, live_records[p], (uint32_t)i, se,
                                  se->live->version_id);
            se->live->save(w, se->opaque, live_phases[p]);
            savevm_footer(w, (uint32_t)i);
        }
    }

    mig_json_start_array(&json, "devices");
    for (int i = 0; i < ss->num_entries && ok; i++) {
        SaveStateEntry *se = &ss->entries[i];
        if (!se->vmsd) {
            continue;
        }
        savevm_section_header(w, QEMU_VM_SECTION_FULL, (uint32_t)i, se,
                              se->vmsd->version_id);
        mig_json_start_object(&json, NULL);
        mig_json_str(&json, "name", se->idstr);
        mig_json_int(&json, "instance_id", se->instance_id);
        ok = vmstate_save(w, se->vmsd, se->opaque, &json, errp);
        mig_json_end_object(&json);
        if (!ok) {
            error_prepend(errp,
                          "section '%s' (instance %" PRIu32 "): ", se->idstr,
                          se->instance_id);
        }
        savevm_footer(w, (uint32_t)i);
    }
    mig_json_end_array(&json);
    mig_json_end_object(&json);

    if (ok) {
        mig_put_u8(w, QEMU_VM_EOF);
        mig_put_u8(w, QEMU_VM_VMDESCRIPTION);
        mig_put_be32(w, (uint32_t)json.out.len);
        mig_put_bytes(w, json.out.data, json.out.len);
    }
    mig_json_free(&json);
    return ok;
}

/* ---- loading ---------------------------------------------------------- */

static bool savevm_truncated(MigReader *r, const char *what, Error **errp)
{
    error_setg(errp, "%s: stream truncated at offset %zu", what, r->pos);
    return false;
}

static bool savevm_load_configuration(SaveState *ss, MigReader *r, Error **errp)
{
    uint32_t len = mig_get_be32(r);
    if (!mig_reader_ok(r)) {
        return savevm_truncated(r, "configuration section", errp);
    }
    if (len > 255) {
        error_setg(errp,
                   "configuration section: machine name of %" PRIu32
                   " bytes (at most 255)",
                   len);
        return false;
    }
    char name[256], shown[256];
    if (!mig_get_bytes(r, name, len)) {
        return savevm_truncated(r, "configuration section", errp);
    }
    name[len] = '\0';
    if (strlen(name) != len || strcmp(name, ss->machine_type) != 0) {
        error_setg(errp,
                   "configuration section: the stream is for machine '%s', "
                   "this is '%s'",
                   mig_printable(name, shown), ss->machine_type);
        return false;
    }
    return true;
}

static bool savevm_load_footer(MigReader *r, uint32_t section_id,
                               const SaveStateEntry *se, Error **errp)
{
    uint8_t type = mig_get_u8(r);
    uint32_t id = mig_get_be32(r);
    if (!mig_reader_ok(r)) {
        error_setg(errp,
                   "section '%s' (instance %" PRIu32
                   "): stream truncated in its footer at offset %zu",
                   se->idstr, se->instance_id, r->pos);
        return false;
    }
    if (type != QEMU_VM_SECTION_FOOTER || id != section_id) {
        error_setg(errp,
                   "section '%s' (instance %" PRIu32
                   "): bad footer (record 0x%02x, id %" PRIu32
                   ", expected 0x%02x, id %" PRIu32
                   "): the section's data has a different length than its "
                   "description",
                   se->idstr, se->instance_id, type, id, QEMU_VM_SECTION_FOOTER,
                   section_id);
        return false;
    }
    return true;
}

/* Stream section ids are chosen by the writer: map each to its entry. */
typedef struct SectionMap {
    uint32_t id[SAVEVM_MAX_SECTIONS];
    SaveStateEntry *se[SAVEVM_MAX_SECTIONS];
    int n;
} SectionMap;

static SaveStateEntry *section_map_find(SectionMap *m, uint32_t id)
{
    for (int i = 0; i < m->n; i++) {
        if (m->id[i] == id) {
            return m->se[i];
        }
    }
    return NULL;
}

static bool savevm_load_section(SaveState *ss, MigReader *r, uint8_t type,
                                SectionMap *map, Error **errp)
{
    uint32_t section_id = mig_get_be32(r);
    SaveStateEntry *se;
    char shown[256];

    if (type == QEMU_VM_SECTION_START || type == QEMU_VM_SECTION_FULL) {
        char idstr[256];
        mig_get_str8(r, idstr);
        uint32_t instance_id = mig_get_be32(r);
        uint32_t version = mig_get_be32(r);
        if (!mig_reader_ok(r)) {
            return savevm_truncated(r, "section header", errp);
        }
        se = NULL;
        for (int i = 0; i < ss->num_entries; i++) {
            if (!strcmp(ss->entries[i].idstr, idstr) &&
                ss->entries[i].instance_id == instance_id) {
                se = &ss->entries[i];
            }
        }
        if (!se) {
            error_setg(errp,
                       "unknown section '%s' (instance %" PRIu32
                       "): this machine has no such device",
                       mig_printable(idstr, shown), instance_id);
            return false;
        }
        if (se->started || se->loaded) {
            error_setg(errp,
                       "section '%s' (instance %" PRIu32 ") appears twice",
                       se->idstr, se->instance_id);
            return false;
        }
        if (section_map_find(map, section_id)) {
            error_setg(errp,
                       "section '%s': section id %" PRIu32 " is already used",
                       se->idstr, section_id);
            return false;
        }
        if ((type == QEMU_VM_SECTION_FULL) != (se->vmsd != NULL)) {
            error_setg(errp,
                       "section '%s' (instance %" PRIu32
                       "): record type 0x%02x does not fit this section",
                       se->idstr, se->instance_id, type);
            return false;
        }
        map->id[map->n] = section_id;
        map->se[map->n] = se;
        map->n++;
        probe_migration_section_load(se->idstr, se->instance_id, version);
        if (se->vmsd) {
            if (version > INT32_MAX ||
                !vmstate_load(r, se->vmsd, se->opaque, (int)version, errp)) {
                if (version > INT32_MAX) {
                    error_setg(errp, "invalid version %" PRIu32, version);
                }
                error_prepend(errp, "section '%s' (instance %" PRIu32 "): ",
                              se->idstr, se->instance_id);
                return false;
            }
            se->loaded = true;
        } else {
            if (version != (uint32_t)se->live->version_id) {
                error_setg(
                    errp,
                    "section '%s' (instance %" PRIu32 "): version %" PRIu32
                    " is not the supported version %d",
                    se->idstr, se->instance_id, version, se->live->version_id);
                return false;
            }
            se->started = true;
            if (se->live->load_begin) {
                se->live->load_begin(se->opaque);
            }
            if (!se->live->load(r, se->opaque, SAVE_LIVE_START, errp)) {
                error_prepend(errp, "section '%s' (instance %" PRIu32 "): ",
                              se->idstr, se->instance_id);
                return false;
            }
        }
    } else {
        if (!mig_reader_ok(r)) {
            return savevm_truncated(r, "section header", errp);
        }
        se = section_map_find(map, section_id);
        if (!se || !se->live || !se->started || se->loaded) {
            error_setg(errp,
                       "record 0x%02x for section id %" PRIu32
                       " without an open SECTION_START",
                       type, section_id);
            return false;
        }
        SaveLivePhase phase =
            type == QEMU_VM_SECTION_PART ? SAVE_LIVE_PART : SAVE_LIVE_END;
        if (!se->live->load(r, se->opaque, phase, errp)) {
            error_prepend(errp,
                          "section '%s' (instance %" PRIu32 "): ", se->idstr,
                          se->instance_id);
            return false;
        }
        if (phase == SAVE_LIVE_END) {
            if (se->live->load_end && !se->live->load_end(se->opaque, errp)) {
                error_prepend(errp, "section '%s' (instance %" PRIu32 "): ",
                              se->idstr, se->instance_id);
                return false;
            }
            se->loaded = true;
        }
    }
    return savevm_load_footer(r, section_id, se, errp);
}

bool savevm_load(SaveState *ss, const uint8_t *data, size_t len, Error **errp)
{
    MigReader r;
    SectionMap map = {.n = 0};
    mig_reader_init(&r, data, len);
    for (int i = 0; i < ss->num_entries; i++) {
        ss->entries[i].started = false;
        ss->entries[i].loaded = false;
    }

    uint32_t magic = mig_get_be32(&r);
    uint32_t version = mig_get_be32(&r);
    if (!mig_reader_ok(&r)) {
        return savevm_truncated(&r, "stream header", errp);
    }
    if (magic != QEMU_VM_FILE_MAGIC) {
        error_setg(errp,
                   "not a migration stream: magic 0x%08" PRIx32
                   ", expected 0x%08x (\"QEVM\")",
                   magic, QEMU_VM_FILE_MAGIC);
        return false;
    }
    if (version != QEMU_VM_FILE_VERSION) {
        error_setg(errp,
                   "stream format version %" PRIu32
                   " is not supported (only version %d)",
                   version, QEMU_VM_FILE_VERSION);
        return false;
    }
    uint8_t type = mig_get_u8(&r);
    if (!mig_reader_ok(&r)) {
        return savevm_truncated(&r, "configuration section", errp);
    }
    if (type != QEMU_VM_CONFIGURATION) {
        error_setg(errp,
                   "record 0x%02x where the configuration section must come "
                   "first",
                   type);
        return false;
    }
    if (!savevm_load_configuration(ss, &r, errp)) {
        return false;
    }

    for (;;) {
        type = mig_get_u8(&r);
        if (!mig_reader_ok(&r)) {
            return savevm_truncated(&r, "record type", errp);
        }
        if (type == QEMU_VM_EOF) {
            break;
        }
        switch (type) {
        case QEMU_VM_SECTION_START:
        case QEMU_VM_SECTION_PART:
        case QEMU_VM_SECTION_END:
        case QEMU_VM_SECTION_FULL:
            if (map.n >= SAVEVM_MAX_SECTIONS &&
                (type == QEMU_VM_SECTION_START ||
                 type == QEMU_VM_SECTION_FULL)) {
                error_setg(errp, "more sections than this machine has");
                return false;
            }
            if (!savevm_load_section(ss, &r, type, &map, errp)) {
                return false;
            }
            break;
        default:
            error_setg(errp, "unknown record type 0x%02x at offset %zu", type,
                       r.pos - 1);
            return false;
        }
    }

    for (int i = 0; i < ss->num_entries; i++) {
        SaveStateEntry *se = &ss->entries[i];
        if (!se->loaded) {
            error_setg(errp,
                       "section '%s' (instance %" PRIu32 ") is %s the stream",
                       se->idstr, se->instance_id,
                       se->started ? "incomplete in" : "missing from");
            return false;
        }
    }

    /* What follows EOF is the JSON description (optional for us; QEMU
     * tools need it), and nothing else. */
    if (mig_reader_remaining(&r) > 0) {
        type = mig_get_u8(&r);
        uint32_t json_len = mig_get_be32(&r);
        if (type != QEMU_VM_VMDESCRIPTION) {
            error_setg(errp,
                       "record 0x%02x after EOF (only the VM description may "
                       "follow)",
                       type);
            return false;
        }
        if (!mig_reader_ok(&r) || json_len != mig_reader_remaining(&r)) {
            error_setg(errp,
                       "VM description: length %" PRIu32
                       " does not match the %zu bytes that follow",
                       json_len, mig_reader_remaining(&r));
            return false;
        }
    }
    return true;
}

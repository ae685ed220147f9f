/*
 * vmstate: declarative descriptions of device state for migration.
 *
 * A VMStateDescription lists the fields of a C struct (offset, wire type,
 * array shape, the section version that introduced it, validation limits),
 * optional subsections sent only when their `needed` test says so, and
 * pre-save / post-load hooks.  The same description drives saving, loading
 * with validation, and the JSON VM description at the end of the stream,
 * so a device never hand-writes its encoding.  The wire encoding follows
 * QEMU's (big-endian integers, one byte per bool, structs inline,
 * subsections as QEMU_VM_SUBSECTION records); docs/migration.md has the
 * rules.  Descriptions are plain data so the Rust side can build identical
 * ones (c-bridge).
 */
#ifndef RIVET_MIGRATION_VMSTATE_H
#define RIVET_MIGRATION_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migration/stream.h"
#include "util/error.h"
#include "util/vclock.h"

/* The wire type of one element. */
typedef enum VMStateType {
    VMS_TYPE_BOOL,   /* 1 byte, 0 or 1 (anything else is refused) */
    VMS_TYPE_UINT8,  /* 1 byte */
    VMS_TYPE_UINT16, /* 2 bytes */
    VMS_TYPE_UINT32, /* 4 bytes */
    VMS_TYPE_UINT64, /* 8 bytes */
    VMS_TYPE_INT64,  /* 8 bytes, two's complement */
    /* A util/vclock.h Timer, as QEMU writes one: its deadline, or -1 when
     * it is not pending (8 bytes).  The arming sequence numbers of a
     * section's timers, which order equal deadlines, follow in the
     * section's "<name>/timer-order" subsection whenever one of them is
     * pending, so loading re-arms every timer exactly. */
    VMS_TYPE_TIMER,
    VMS_TYPE_STRUCT, /* a nested description (field.vmsd), inline */
} VMStateType;

/* How many elements a field has. */
typedef enum VMStateShape {
    VMS_SHAPE_SINGLE, /* one element at offset */
    VMS_SHAPE_ARRAY,  /* num elements */
    /* A variable-length array: capacity num, the element count is the
     * uint8/uint32 field at count_offset, which must come earlier in the
     * same description.  Counts above num are refused. */
    VMS_SHAPE_VARRAY_UINT8,
    VMS_SHAPE_VARRAY_UINT32,
} VMStateShape;

typedef struct VMStateDescription VMStateDescription;

typedef struct VMStateField {
    const char *name; /* NULL ends the list */
    VMStateType type;
    VMStateShape shape;
    size_t offset;                  /* of the (first) element in the struct */
    size_t elem_size;               /* bytes between elements in memory */
    uint32_t num;                   /* ARRAY length or VARRAY capacity */
    size_t count_offset;            /* VARRAY: offset of the count field */
    const VMStateDescription *vmsd; /* STRUCT: the element's description */
    int version_id; /* first section version that carries the field */
    /* Validation of integer fields on load (0: no limit): the value may
     * only have bits of mask set and must not exceed max. */
    uint64_t mask;
    uint64_t max;
    /* The stream must carry the value the device already has (e.g. a
     * property fixing the hardware's shape); it is compared, not stored. */
    bool must_equal;
} VMStateField;

/* Hooks.  pre_save may prepare fields from derived state; post_load
 * checks what fields cannot check alone and rebuilds derived state (timers,
 * caches).  Either fails with *errp set; the loader names the section. */
typedef bool VMStatePreSave(void *opaque, Error **errp);
typedef bool VMStatePostLoad(void *opaque, int version_id, Error **errp);
typedef bool VMStateNeeded(void *opaque);

struct VMStateDescription {
    const char *name; /* section idstr / subsection name */
    int version_id;
    int minimum_version_id;
    const VMStateField *fields; /* terminated by VMSTATE_END_OF_LIST() */
    /* NULL-terminated; only on a section's top-level description. */
    const VMStateDescription *const *subsections;
    VMStateNeeded *needed; /* subsections: send only when true */
    VMStatePreSave *pre_save;
    VMStatePostLoad *post_load;
};

/* Field constructors.  _state is the struct type, _field a member. */
#define VMSTATE_FIELD_(_name, _type, _shape, _off, _esize, _num, _v)           \
    {                                                                          \
        .name = (_name), .type = (_type), .shape = (_shape), .offset = (_off), \
        .elem_size = (_esize), .num = (_num), .version_id = (_v)               \
    }
#define VMSTATE_SCALAR_V(_f, _state, _type, _v)                                \
    VMSTATE_FIELD_(#_f, _type, VMS_SHAPE_SINGLE, offsetof(_state, _f),         \
                   sizeof(((_state *)0)->_f), 1, _v)

#define VMSTATE_BOOL(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_BOOL, 0)
#define VMSTATE_UINT8(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT8, 0)
#define VMSTATE_UINT16(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT16, 0)
#define VMSTATE_UINT32(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT32, 0)
#define VMSTATE_UINT64(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT64, 0)
#define VMSTATE_INT64(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_INT64, 0)
#define VMSTATE_TIMER(_f, _s) VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_TIMER, 0)
#define VMSTATE_UINT32_V(_f, _s, _v)                                           \
    VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT32, _v)
#define VMSTATE_UINT64_V(_f, _s, _v)                                           \
    VMSTATE_SCALAR_V(_f, _s, VMS_TYPE_UINT64, _v)

/* An integer field whose loaded value is checked against mask and max. */
#define VMSTATE_CHECKED(_f, _s, _type, _mask, _max)                            \
    {                                                                          \
        .name = #_f, .type = (_type), .shape = VMS_SHAPE_SINGLE,               \
        .offset = offsetof(_s, _f), .elem_size = sizeof(((_s *)0)->_f),        \
        .num = 1, .mask = (_mask), .max = (_max)                               \
    }
#define VMSTATE_UINT32_CHECKED(_f, _s, _mask, _max)                            \
    VMSTATE_CHECKED(_f, _s, VMS_TYPE_UINT32, _mask, _max)
#define VMSTATE_UINT64_CHECKED(_f, _s, _mask, _max)                            \
    VMSTATE_CHECKED(_f, _s, VMS_TYPE_UINT64, _mask, _max)

#define VMSTATE_UINT8_EQUAL(_f, _s)                                            \
    {                                                                          \
        .name = #_f, .type = VMS_TYPE_UINT8, .shape = VMS_SHAPE_SINGLE,        \
        .offset = offsetof(_s, _f), .elem_size = 1, .num = 1,                  \
        .must_equal = true                                                     \
    }
#define VMSTATE_UINT32_EQUAL(_f, _s)                                           \
    {                                                                          \
        .name = #_f, .type = VMS_TYPE_UINT32, .shape = VMS_SHAPE_SINGLE,       \
        .offset = offsetof(_s, _f), .elem_size = 4, .num = 1,                  \
        .must_equal = true                                                     \
    }

/* A fixed array of scalars: _f is an array member. */
#define VMSTATE_ARRAY(_f, _s, _type)                                           \
    VMSTATE_FIELD_(#_f, _type, VMS_SHAPE_ARRAY, offsetof(_s, _f),              \
                   sizeof(((_s *)0)->_f[0]),                                   \
                   sizeof(((_s *)0)->_f) / sizeof(((_s *)0)->_f[0]), 0)
#define VMSTATE_UINT32_ARRAY(_f, _s) VMSTATE_ARRAY(_f, _s, VMS_TYPE_UINT32)
#define VMSTATE_UINT64_ARRAY(_f, _s) VMSTATE_ARRAY(_f, _s, VMS_TYPE_UINT64)

/* A nested struct member described by _vmsd. */
#define VMSTATE_STRUCT(_f, _s, _vmsd)                                          \
    {                                                                          \
        .name = #_f, .type = VMS_TYPE_STRUCT, .shape = VMS_SHAPE_SINGLE,       \
        .offset = offsetof(_s, _f), .elem_size = sizeof(((_s *)0)->_f),        \
        .num = 1, .vmsd = &(_vmsd)                                             \
    }

/* The first _count (a uint8 member) elements of struct array _f. */
#define VMSTATE_STRUCT_VARRAY_UINT8(_f, _s, _count, _vmsd)                     \
    {                                                                          \
        .name = #_f, .type = VMS_TYPE_STRUCT, .shape = VMS_SHAPE_VARRAY_UINT8, \
        .offset = offsetof(_s, _f), .elem_size = sizeof(((_s *)0)->_f[0]),     \
        .num = sizeof(((_s *)0)->_f) / sizeof(((_s *)0)->_f[0]),               \
        .count_offset = offsetof(_s, _count), .vmsd = &(_vmsd)                 \
    }
/* The first _count (a uint32 member) elements of scalar array _f. */
#define VMSTATE_VARRAY_UINT32(_f, _s, _count, _type)                           \
    {                                                                          \
        .name = #_f, .type = (_type), .shape = VMS_SHAPE_VARRAY_UINT32,        \
        .offset = offsetof(_s, _f), .elem_size = sizeof(((_s *)0)->_f[0]),     \
        .num = sizeof(((_s *)0)->_f) / sizeof(((_s *)0)->_f[0]),               \
        .count_offset = offsetof(_s, _count)                                   \
    }

#define VMSTATE_END_OF_LIST()                                                  \
    {                                                                          \
        .name = NULL                                                           \
    }

/* The name of a section's subsection of timer sequence numbers is the
 * section's name with this suffix ("hpet/timer-order"). */
#define VMSTATE_TIMER_ORDER_SUFFIX "/timer-order"

/* The JSON VM description being built while saving (may be NULL). */
typedef struct MigJson MigJson;

/* Bytes one element takes on the wire (STRUCT: 0, it varies). */
size_t vmstate_wire_size(VMStateType type);
/* The type's name in the JSON description ("uint32", "timer" ...). */
const char *vmstate_type_name(VMStateType type);

/* Check a description for mistakes a compiler cannot see (unknown types,
 * sizes that do not match the type, a VARRAY whose count field comes later
 * or is not declared, subsections below the top level).  Registration calls
 * it so a bad description fails at start-up, not in a migration. */
bool vmstate_check_description(const VMStateDescription *vmsd, bool top,
                               Error **errp);

/* Save opaque's state (fields, then needed subsections).  json, when not
 * NULL, receives the description object body of what was written. */
bool vmstate_save(MigWriter *w, const VMStateDescription *vmsd, void *opaque,
                  MigJson *json, Error **errp);

/* Load opaque's state written by version_id of the description.  Errors
 * name the field path ("field 'timers[2].comparator'"); the caller
 * prepends the section. */
bool vmstate_load(MigReader *r, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp);

#endif /* RIVET_MIGRATION_VMSTATE_H */

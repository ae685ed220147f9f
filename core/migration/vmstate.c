/*
 * vmstate: save, load and describe state from VMStateDescriptions.
 *
 * Loading validates as it goes: every value is checked against its field's
 * limits before it is stored, variable-length array counts against their
 * capacity, versions against the description, and subsection names against
 * the list the description declares.  Errors name the field path
 * ("timers[2].config") so a bad stream can be traced to one value.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "migration-internal.h"
#include "migration/savevm.h"

size_t vmstate_wire_size(VMStateType type)
{
    switch (type) {
    case VMS_TYPE_BOOL:
    case VMS_TYPE_UINT8:
        return 1;
    case VMS_TYPE_UINT16:
        return 2;
    case VMS_TYPE_UINT32:
        return 4;
    case VMS_TYPE_UINT64:
    case VMS_TYPE_INT64:
    case VMS_TYPE_TIMER:
        return 8;
    case VMS_TYPE_STRUCT:
        break;
    }
    return 0;
}

/* Bytes of one element in memory, for the scalar types. */
static size_t vmstate_host_size(VMStateType type)
{
    switch (type) {
    case VMS_TYPE_BOOL:
        return sizeof(bool);
    case VMS_TYPE_TIMER:
        return sizeof(Timer);
    case VMS_TYPE_STRUCT:
        return 0;
    default:
        return vmstate_wire_size(type);
    }
}

const char *vmstate_type_name(VMStateType type)
{
    switch (type) {
    case VMS_TYPE_BOOL:
        return "bool";
    case VMS_TYPE_UINT8:
        return "uint8";
    case VMS_TYPE_UINT16:
        return "uint16";
    case VMS_TYPE_UINT32:
        return "uint32";
    case VMS_TYPE_UINT64:
        return "uint64";
    case VMS_TYPE_INT64:
        return "int64";
    case VMS_TYPE_TIMER:
        return "timer";
    case VMS_TYPE_STRUCT:
        return "struct";
    }
    return "unknown";
}

/* The type name QEMU gives a field in the JSON description: an
 * equality-checked field is "<type> equal", except that QEMU's 64-bit one
 * (vmstate_info_uint64_equal) is named "int64 equal". */
static const char *vmstate_field_type_name(const VMStateField *f)
{
    if (!f->must_equal) {
        return vmstate_type_name(f->type);
    }
    switch (f->type) {
    case VMS_TYPE_UINT8:
        return "uint8 equal";
    case VMS_TYPE_UINT16:
        return "uint16 equal";
    case VMS_TYPE_UINT32:
        return "uint32 equal";
    case VMS_TYPE_UINT64:
        return "int64 equal";
    default:
        return "unknown";
    }
}

static bool vmstate_is_integer(VMStateType type)
{
    return type == VMS_TYPE_UINT8 || type == VMS_TYPE_UINT16 ||
           type == VMS_TYPE_UINT32 || type == VMS_TYPE_UINT64 ||
           type == VMS_TYPE_INT64;
}

static bool vmstate_is_varray(const VMStateField *f)
{
    return f->shape == VMS_SHAPE_VARRAY_UINT8 ||
           f->shape == VMS_SHAPE_VARRAY_UINT32;
}

/* Wire bytes of a description without variable parts (nested structs). */
static size_t vmstate_fixed_wire_size(const VMStateDescription *vmsd)
{
    size_t total = 0;
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        size_t one = f->type == VMS_TYPE_STRUCT
                         ? vmstate_fixed_wire_size(f->vmsd)
                         : vmstate_wire_size(f->type);
        total += one * (f->shape == VMS_SHAPE_SINGLE ? 1 : f->num);
    }
    return total;
}

static bool vmstate_has_timer(const VMStateDescription *vmsd)
{
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        if (f->type == VMS_TYPE_TIMER ||
            (f->type == VMS_TYPE_STRUCT && vmstate_has_timer(f->vmsd))) {
            return true;
        }
    }
    return false;
}

/* The subsection carrying the tie order of a section's timers. */
static const char *vmstate_timer_order_name(const VMStateDescription *vmsd,
                                            char buf[256])
{
    snprintf(buf, 256, "%s%s", vmsd->name, VMSTATE_TIMER_ORDER_SUFFIX);
    return buf;
}

static uint32_t vmstate_count(const VMStateField *f, const uint8_t *base);

typedef void VMStateTimerFn(Timer *t, void *opaque);

/* Call fn on every timer that version_id of the description carries in
 * the fields of opaque, in stream order (arrays by their current counts,
 * which loading has already checked). */
static void vmstate_for_each_timer(const VMStateDescription *vmsd,
                                   int version_id, uint8_t *base,
                                   VMStateTimerFn *fn, void *opaque)
{
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        if ((f->type != VMS_TYPE_TIMER && f->type != VMS_TYPE_STRUCT) ||
            f->version_id > version_id) {
            continue;
        }
        uint32_t n = vmstate_count(f, base);
        if (n > f->num) {
            n = f->num;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *p = base + f->offset + (size_t)i * f->elem_size;
            if (f->type == VMS_TYPE_TIMER) {
                fn((Timer *)p, opaque);
            } else {
                vmstate_for_each_timer(f->vmsd, f->vmsd->version_id, p, fn,
                                       opaque);
            }
        }
    }
}

bool vmstate_check_description(const VMStateDescription *vmsd, bool top,
                               Error **errp)
{
    if (!vmsd->name || !vmsd->name[0] || strlen(vmsd->name) > 255) {
        error_setg(errp, "vmstate description without a valid name");
        return false;
    }
    if (vmsd->version_id < 1 || vmsd->minimum_version_id < 0 ||
        vmsd->minimum_version_id > vmsd->version_id) {
        error_setg(errp,
                   "vmstate '%s': version %d / minimum %d are inconsistent",
                   vmsd->name, vmsd->version_id, vmsd->minimum_version_id);
        return false;
    }
    if (!vmsd->fields) {
        error_setg(errp, "vmstate '%s': no field list", vmsd->name);
        return false;
    }
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        if (f->type > VMS_TYPE_STRUCT || f->shape > VMS_SHAPE_VARRAY_UINT32) {
            error_setg(errp, "vmstate '%s' field '%s': unknown type or shape",
                       vmsd->name, f->name);
            return false;
        }
        if (f->version_id > vmsd->version_id) {
            error_setg(errp,
                       "vmstate '%s' field '%s': version %d is above the "
                       "description's %d",
                       vmsd->name, f->name, f->version_id, vmsd->version_id);
            return false;
        }
        if (f->type == VMS_TYPE_STRUCT) {
            if (!f->vmsd || f->elem_size == 0 ||
                !vmstate_check_description(f->vmsd, false, errp)) {
                error_prepend(errp, "vmstate '%s' field '%s': ", vmsd->name,
                              f->name);
                return false;
            }
        } else if (f->elem_size != vmstate_host_size(f->type)) {
            error_setg(errp,
                       "vmstate '%s' field '%s': member is %zu bytes, a %s "
                       "is %zu",
                       vmsd->name, f->name, f->elem_size,
                       vmstate_type_name(f->type), vmstate_host_size(f->type));
            return false;
        }
        if ((f->mask || f->max || f->must_equal) &&
            !vmstate_is_integer(f->type)) {
            error_setg(errp,
                       "vmstate '%s' field '%s': limits apply to integers "
                       "only",
                       vmsd->name, f->name);
            return false;
        }
        if (f->must_equal && f->type == VMS_TYPE_INT64) {
            /* QEMU has no such type: its "int64 equal" is unsigned. */
            error_setg(errp,
                       "vmstate '%s' field '%s': an equality-checked field "
                       "must be unsigned",
                       vmsd->name, f->name);
            return false;
        }
        if (f->shape != VMS_SHAPE_SINGLE && f->num == 0) {
            error_setg(errp, "vmstate '%s' field '%s': array of 0 entries",
                       vmsd->name, f->name);
            return false;
        }
        if (vmstate_is_varray(f)) {
            if (!top) {
                /* The JSON description of a nested struct is written once
                 * for every element, so its shape must not vary. */
                error_setg(errp,
                           "vmstate '%s' field '%s': variable-length arrays "
                           "are only allowed at a section's top level",
                           vmsd->name, f->name);
                return false;
            }
            VMStateType want = f->shape == VMS_SHAPE_VARRAY_UINT8
                                   ? VMS_TYPE_UINT8
                                   : VMS_TYPE_UINT32;
            const VMStateField *c = vmsd->fields;
            while (c != f && !(c->offset == f->count_offset &&
                               c->shape == VMS_SHAPE_SINGLE &&
                               c->type == want && c->version_id == 0)) {
                c++;
            }
            if (c == f) {
                error_setg(errp,
                           "vmstate '%s' field '%s': its %s count field must "
                           "be an earlier field of the same description",
                           vmsd->name, f->name, vmstate_type_name(want));
                return false;
            }
        }
    }
    if (top && vmstate_has_timer(vmsd) &&
        strlen(vmsd->name) + strlen(VMSTATE_TIMER_ORDER_SUFFIX) > 255) {
        error_setg(errp,
                   "vmstate '%s': name too long for its timer-order "
                   "subsection",
                   vmsd->name);
        return false;
    }
    if (vmsd->subsections) {
        char name[256];
        if (!top) {
            error_setg(errp,
                       "vmstate '%s': subsections are only allowed on a "
                       "section's top-level description",
                       vmsd->name);
            return false;
        }
        int n = 0;
        for (const VMStateDescription *const *sub = vmsd->subsections; *sub;
             sub++, n++) {
            if (!(*sub)->needed) {
                error_setg(errp, "vmstate '%s' subsection '%s': no needed()",
                           vmsd->name, (*sub)->name);
                return false;
            }
            if (!vmstate_check_description(*sub, false, errp)) {
                return false;
            }
            /* A timer's tie order travels in the timer-order subsection,
             * which covers the section's own fields only. */
            if (vmstate_has_timer(*sub)) {
                error_setg(errp,
                           "vmstate '%s' subsection '%s': timers belong in "
                           "the section's fields, not in a subsection",
                           vmsd->name, (*sub)->name);
                return false;
            }
            if (!strcmp((*sub)->name, vmstate_timer_order_name(vmsd, name))) {
                error_setg(errp,
                           "vmstate '%s' subsection '%s': the name is "
                           "reserved for the timers' tie order",
                           vmsd->name, (*sub)->name);
                return false;
            }
        }
        if (n > 32) {
            error_setg(errp, "vmstate '%s': more than 32 subsections",
                       vmsd->name);
            return false;
        }
    }
    return true;
}

/* Element count of a field in the struct at base. */
static uint32_t vmstate_count(const VMStateField *f, const uint8_t *base)
{
    switch (f->shape) {
    case VMS_SHAPE_SINGLE:
        return 1;
    case VMS_SHAPE_ARRAY:
        return f->num;
    case VMS_SHAPE_VARRAY_UINT8:
        return *(const uint8_t *)(base + f->count_offset);
    case VMS_SHAPE_VARRAY_UINT32: {
        uint32_t n;
        memcpy(&n, base + f->count_offset, sizeof(n));
        return n;
    }
    }
    return 0;
}

static uint64_t vmstate_get_int(const uint8_t *p, VMStateType type)
{
    switch (type) {
    case VMS_TYPE_UINT8:
        return *p;
    case VMS_TYPE_UINT16: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case VMS_TYPE_UINT32: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static void vmstate_set_int(uint8_t *p, VMStateType type, uint64_t value)
{
    switch (type) {
    case VMS_TYPE_UINT8:
        *p = (uint8_t)value;
        break;
    case VMS_TYPE_UINT16: {
        uint16_t v = (uint16_t)value;
        memcpy(p, &v, 2);
        break;
    }
    case VMS_TYPE_UINT32: {
        uint32_t v = (uint32_t)value;
        memcpy(p, &v, 4);
        break;
    }
    default:
        memcpy(p, &value, 8);
        break;
    }
}

static void vmstate_put_int(MigWriter *w, VMStateType type, uint64_t v)
{
    switch (vmstate_wire_size(type)) {
    case 1:
        mig_put_u8(w, (uint8_t)v);
        break;
    case 2:
        mig_put_be16(w, (uint16_t)v);
        break;
    case 4:
        mig_put_be32(w, (uint32_t)v);
        break;
    default:
        mig_put_be64(w, v);
        break;
    }
}

/* ---- describing ------------------------------------------------------- */

static void vmstate_describe_field(MigJson *j, const VMStateField *f,
                                   uint32_t count)
{
    mig_json_start_object(j, NULL);
    mig_json_str(j, "name", f->name);
    if (f->type == VMS_TYPE_STRUCT) {
        mig_json_str(j, "type", "struct");
        mig_json_start_object(j, "struct");
        vmstate_describe(j, f->vmsd);
        mig_json_end_object(j);
        mig_json_int(j, "size", (int64_t)vmstate_fixed_wire_size(f->vmsd));
    } else {
        mig_json_str(j, "type", vmstate_field_type_name(f));
        mig_json_int(j, "size", (int64_t)vmstate_wire_size(f->type));
    }
    if (f->shape != VMS_SHAPE_SINGLE) {
        mig_json_int(j, "array_len", count);
    }
    mig_json_end_object(j);
}

void vmstate_describe(MigJson *j, const VMStateDescription *vmsd)
{
    mig_json_str(j, "vmsd_name", vmsd->name);
    mig_json_int(j, "version", vmsd->version_id);
    mig_json_start_array(j, "fields");
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        vmstate_describe_field(j, f, f->num);
    }
    mig_json_end_array(j);
}

/* ---- saving ----------------------------------------------------------- */

static bool vmstate_save_fields(MigWriter *w, const VMStateDescription *vmsd,
                                void *opaque, MigJson *json, Error **errp);

static bool vmstate_save_elem(MigWriter *w, const VMStateField *f, uint8_t *p,
                              Error **errp)
{
    switch (f->type) {
    case VMS_TYPE_BOOL:
        mig_put_u8(w, *(bool *)p ? 1 : 0);
        return true;
    case VMS_TYPE_TIMER: {
        /* QEMU's timer_put(): the expiry time, or -1 when not pending. */
        const Timer *t = (const Timer *)p;
        mig_put_be64(w, timer_pending(t) ? (uint64_t)t->expire_ns : UINT64_MAX);
        return true;
    }
    case VMS_TYPE_STRUCT:
        return vmstate_save_fields(w, f->vmsd, p, NULL, errp);
    default:
        vmstate_put_int(w, f->type, vmstate_get_int(p, f->type));
        return true;
    }
}

static bool vmstate_save_fields(MigWriter *w, const VMStateDescription *vmsd,
                                void *opaque, MigJson *json, Error **errp)
{
    uint8_t *base = opaque;
    if (vmsd->pre_save && !vmsd->pre_save(opaque, errp)) {
        return false;
    }
    if (json) {
        mig_json_str(json, "vmsd_name", vmsd->name);
        mig_json_int(json, "version", vmsd->version_id);
        mig_json_start_array(json, "fields");
    }
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        uint32_t n = vmstate_count(f, base);
        if (n > f->num && f->shape != VMS_SHAPE_SINGLE) {
            error_setg(errp,
                       "field '%s': count %" PRIu32 " exceeds the array's "
                       "%" PRIu32 " entries",
                       f->name, n, f->num);
            return false;
        }
        /* A zero-length array has no bytes; QEMU leaves it out of the
         * description too. */
        if (json && !(vmstate_is_varray(f) && n == 0)) {
            vmstate_describe_field(json, f, n);
        }
        for (uint32_t i = 0; i < n; i++) {
            if (!vmstate_save_elem(w, f, base + f->offset + i * f->elem_size,
                                   errp)) {
                error_prepend(errp, "field '%s[%" PRIu32 "]': ", f->name, i);
                return false;
            }
        }
    }
    if (json) {
        mig_json_end_array(json);
    }
    return true;
}

/* What the timer-order subsection needs to know of a section's timers. */
typedef struct TimerOrderSave {
    MigWriter *w; /* NULL: only count */
    uint32_t count;
    bool any_pending;
} TimerOrderSave;

static void timer_order_save_one(Timer *t, void *opaque)
{
    TimerOrderSave *o = opaque;
    o->count++;
    o->any_pending |= timer_pending(t);
    if (o->w) {
        mig_put_be64(o->w, timer_pending(t) ? t->seq : 0);
    }
}

/* The "<name>/timer-order" subsection: one uint64 per timer of the
 * section, in stream order, its arming sequence number (0 when not
 * pending).  Sent, like any subsection, only when needed: when a timer is
 * pending, so a section without one reads as QEMU writes it. */
static void vmstate_save_timer_order(MigWriter *w,
                                     const VMStateDescription *vmsd,
                                     void *opaque, MigJson *json, bool *any)
{
    TimerOrderSave o = {.w = NULL};
    char name[256];
    vmstate_for_each_timer(vmsd, vmsd->version_id, opaque, timer_order_save_one,
                           &o);
    if (!o.any_pending) {
        return;
    }
    vmstate_timer_order_name(vmsd, name);
    if (json) {
        if (!*any) {
            mig_json_start_array(json, "subsections");
        }
        mig_json_start_object(json, NULL);
        mig_json_str(json, "vmsd_name", name);
        mig_json_int(json, "version", 1);
        mig_json_start_array(json, "fields");
        mig_json_start_object(json, NULL);
        mig_json_str(json, "name", "seq");
        mig_json_str(json, "type", "uint64");
        mig_json_int(json, "size", 8);
        mig_json_int(json, "array_len", o.count);
        mig_json_end_object(json);
        mig_json_end_array(json);
        mig_json_end_object(json);
    }
    *any = true;
    mig_put_u8(w, QEMU_VM_SUBSECTION);
    mig_put_str8(w, name);
    mig_put_be32(w, 1);
    o = (TimerOrderSave){.w = w};
    vmstate_for_each_timer(vmsd, vmsd->version_id, opaque, timer_order_save_one,
                           &o);
}

bool vmstate_save(MigWriter *w, const VMStateDescription *vmsd, void *opaque,
                  MigJson *json, Error **errp)
{
    if (!vmstate_save_fields(w, vmsd, opaque, json, errp)) {
        return false;
    }
    bool any = false;
    for (const VMStateDescription *const *sub = vmsd->subsections; sub && *sub;
         sub++) {
        if (!(*sub)->needed(opaque)) {
            continue;
        }
        if (json && !any) {
            mig_json_start_array(json, "subsections");
        }
        any = true;
        mig_put_u8(w, QEMU_VM_SUBSECTION);
        mig_put_str8(w, (*sub)->name);
        mig_put_be32(w, (uint32_t)(*sub)->version_id);
        if (json) {
            mig_json_start_object(json, NULL);
        }
        if (!vmstate_save_fields(w, *sub, opaque, json, errp)) {
            error_prepend(errp, "subsection '%s': ", (*sub)->name);
            return false;
        }
        if (json) {
            mig_json_end_object(json);
        }
    }
    vmstate_save_timer_order(w, vmsd, opaque, json, &any);
    if (json && any) {
        mig_json_end_array(json);
    }
    return true;
}

/* ---- loading ---------------------------------------------------------- */

/* The dotted path of the field being loaded, for messages. */
typedef struct FieldPath {
    char text[512];
    size_t len;
} FieldPath;

static size_t path_push(FieldPath *path, const char *name, uint32_t index,
                        bool indexed)
{
    size_t saved = path->len;
    int n = snprintf(path->text + path->len, sizeof(path->text) - path->len,
                     indexed ? "%s%s[%" PRIu32 "]" : "%s%s",
                     path->len ? "." : "", name, index);
    if (n > 0) {
        path->len += (size_t)n;
        if (path->len >= sizeof(path->text)) {
            path->len = sizeof(path->text) - 1;
        }
    }
    return saved;
}

static void path_pop(FieldPath *path, size_t saved)
{
    path->len = saved;
    path->text[saved] = '\0';
}

/* The timers a section load armed from their deadlines alone, each with a
 * provisional sequence number in stream order: the timer-order subsection
 * replaces them with the saved ones; without it they stay, as QEMU's
 * timer_get() arms timers in stream order. */
typedef struct TimerLoad {
    uint64_t seq_base; /* the clock's next sequence number before the load */
    uint64_t armed;
} TimerLoad;

static bool vmstate_load_fields(MigReader *r, const VMStateDescription *vmsd,
                                void *opaque, int version_id, FieldPath *path,
                                TimerLoad *tl, Error **errp);

static bool vmstate_truncated(MigReader *r, FieldPath *path, Error **errp)
{
    error_setg(errp, "field '%s': stream truncated at offset %zu", path->text,
               r->pos);
    return false;
}

static bool vmstate_load_elem(MigReader *r, const VMStateField *f, uint8_t *p,
                              FieldPath *path, TimerLoad *tl, Error **errp)
{
    switch (f->type) {
    case VMS_TYPE_BOOL: {
        uint8_t v = mig_get_u8(r);
        if (!mig_reader_ok(r)) {
            return vmstate_truncated(r, path, errp);
        }
        if (v > 1) {
            error_setg(errp, "field '%s': invalid bool value %u", path->text,
                       v);
            return false;
        }
        *(bool *)p = v;
        return true;
    }
    case VMS_TYPE_TIMER: {
        int64_t expire = (int64_t)mig_get_be64(r);
        if (!mig_reader_ok(r)) {
            return vmstate_truncated(r, path, errp);
        }
        if (expire < -1) {
            error_setg(errp, "field '%s': invalid timer deadline %" PRId64,
                       path->text, expire);
            return false;
        }
        if (expire == -1) {
            timer_del((Timer *)p);
        } else {
            timer_restore((Timer *)p, expire, tl->seq_base + tl->armed++);
        }
        return true;
    }
    case VMS_TYPE_STRUCT:
        return vmstate_load_fields(r, f->vmsd, p, f->vmsd->version_id, path, tl,
                                   errp);
    default:
        break;
    }
    uint64_t v;
    switch (vmstate_wire_size(f->type)) {
    case 1:
        v = mig_get_u8(r);
        break;
    case 2:
        v = mig_get_be16(r);
        break;
    case 4:
        v = mig_get_be32(r);
        break;
    default:
        v = mig_get_be64(r);
        break;
    }
    if (!mig_reader_ok(r)) {
        return vmstate_truncated(r, path, errp);
    }
    if (f->must_equal) {
        uint64_t have = vmstate_get_int(p, f->type);
        if (have != v) {
            error_setg(errp,
                       "field '%s': the stream has %" PRIu64
                       ", this device has %" PRIu64 " (it must match)",
                       path->text, v, have);
            return false;
        }
        return true;
    }
    if (f->mask && (v & ~f->mask)) {
        error_setg(
            errp, "field '%s': value 0x%" PRIx64 " has bits outside 0x%" PRIx64,
            path->text, v, f->mask);
        return false;
    }
    if (f->max && v > f->max) {
        error_setg(
            errp, "field '%s': value %" PRIu64 " is above the maximum %" PRIu64,
            path->text, v, f->max);
        return false;
    }
    vmstate_set_int(p, f->type, v);
    return true;
}

static bool vmstate_load_fields(MigReader *r, const VMStateDescription *vmsd,
                                void *opaque, int version_id, FieldPath *path,
                                TimerLoad *tl, Error **errp)
{
    uint8_t *base = opaque;
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        if (f->version_id > version_id) {
            continue; /* added after the version that wrote the stream */
        }
        uint32_t n = vmstate_count(f, base);
        if (n > f->num && f->shape != VMS_SHAPE_SINGLE) {
            size_t saved = path_push(path, f->name, 0, false);
            error_setg(errp,
                       "field '%s': count %" PRIu32 " exceeds the array's "
                       "%" PRIu32 " entries",
                       path->text, n, f->num);
            path_pop(path, saved);
            return false;
        }
        for (uint32_t i = 0; i < n; i++) {
            size_t saved =
                path_push(path, f->name, i, f->shape != VMS_SHAPE_SINGLE);
            bool ok = vmstate_load_elem(
                r, f, base + f->offset + (size_t)i * f->elem_size, path, tl,
                errp);
            path_pop(path, saved);
            if (!ok) {
                return false;
            }
        }
    }
    if (vmsd->post_load && !vmsd->post_load(opaque, version_id, errp)) {
        return false;
    }
    return true;
}

static bool vmstate_check_version(const VMStateDescription *vmsd,
                                  int version_id, Error **errp)
{
    if (version_id > vmsd->version_id) {
        error_setg(errp,
                   "'%s' version %d is newer than this build supports "
                   "(version %d)",
                   vmsd->name, version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp,
                   "'%s' version %d is older than this build accepts "
                   "(minimum version %d)",
                   vmsd->name, version_id, vmsd->minimum_version_id);
        return false;
    }
    return true;
}

typedef struct TimerOrderLoad {
    MigReader *r;
    const char *name;
    uint64_t next_seq; /* every saved sequence number is below it */
    uint32_t index;
    Error **errp;
    bool failed;
} TimerOrderLoad;

static void timer_order_load_one(Timer *t, void *opaque)
{
    TimerOrderLoad *o = opaque;
    uint32_t i = o->index++;
    if (o->failed) {
        return;
    }
    uint64_t seq = mig_get_be64(o->r);
    o->failed = true;
    if (!mig_reader_ok(o->r)) {
        error_setg(o->errp,
                   "field '%s.seq[%" PRIu32 "]': stream truncated at offset "
                   "%zu",
                   o->name, i, o->r->pos);
    } else if (!timer_pending(t) && seq != 0) {
        error_setg(o->errp,
                   "field '%s.seq[%" PRIu32 "]': sequence %" PRIu64
                   " for a timer that is not pending",
                   o->name, i, seq);
    } else if (timer_pending(t) && seq >= o->next_seq) {
        error_setg(o->errp,
                   "field '%s.seq[%" PRIu32 "]': sequence %" PRIu64
                   " is not below the clock's next sequence %" PRIu64,
                   o->name, i, seq, o->next_seq);
    } else {
        o->failed = false;
        if (timer_pending(t)) {
            timer_restore(t, t->expire_ns, seq);
        }
    }
}

bool vmstate_load(MigReader *r, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp)
{
    FieldPath path = {.text = "", .len = 0};
    TimerLoad tl = {.seq_base = vclock_get_next_seq(), .armed = 0};
    char order_name[256];
    bool order_seen = false;
    vmstate_timer_order_name(vmsd, order_name);
    if (!vmstate_check_version(vmsd, version_id, errp)) {
        return false;
    }
    if (!vmstate_load_fields(r, vmsd, opaque, version_id, &path, &tl, errp)) {
        return false;
    }
    uint32_t seen = 0;
    while (mig_peek_u8(r) == QEMU_VM_SUBSECTION) {
        char name[256], shown[256];
        mig_get_u8(r);
        mig_get_str8(r, name);
        uint32_t sub_version = mig_get_be32(r);
        if (!mig_reader_ok(r)) {
            error_setg(errp,
                       "subsection header: stream truncated at offset "
                       "%zu",
                       r->pos);
            return false;
        }
        if (vmstate_has_timer(vmsd) && !strcmp(name, order_name)) {
            if (order_seen) {
                error_setg(errp, "subsection '%s' appears twice", name);
                return false;
            }
            if (sub_version != 1) {
                error_setg(errp,
                           "subsection '%s': version %" PRIu32
                           " is not supported (only version 1)",
                           name, sub_version);
                return false;
            }
            order_seen = true;
            TimerOrderLoad o = {
                .r = r, .name = name, .next_seq = tl.seq_base, .errp = errp};
            vmstate_for_each_timer(vmsd, version_id, opaque,
                                   timer_order_load_one, &o);
            if (o.failed) {
                return false;
            }
            continue;
        }
        int index = 0;
        const VMStateDescription *const *sub = vmsd->subsections;
        while (sub && *sub && strcmp((*sub)->name, name) != 0) {
            sub++;
            index++;
        }
        if (!sub || !*sub) {
            error_setg(errp, "unknown subsection '%s'",
                       mig_printable(name, shown));
            return false;
        }
        if (seen & (1u << index)) {
            error_setg(errp, "subsection '%s' appears twice", name);
            return false;
        }
        seen |= 1u << index;
        if (sub_version > INT32_MAX ||
            !vmstate_check_version(*sub, (int)sub_version, errp)) {
            if (sub_version > INT32_MAX) {
                error_setg(errp, "subsection '%s': invalid version %" PRIu32,
                           name, sub_version);
            }
            return false;
        }
        FieldPath subpath;
        snprintf(subpath.text, sizeof(subpath.text), "%s", name);
        subpath.len = strlen(subpath.text);
        if (!vmstate_load_fields(r, *sub, opaque, (int)sub_version, &subpath,
                                 &tl, errp)) {
            return false;
        }
    }
    if (!order_seen && tl.armed) {
        /* Armed in stream order, as timer_mod() would have numbered them. */
        vclock_restore(vclock_get_ns(), tl.seq_base + tl.armed);
    }
    return true;
}

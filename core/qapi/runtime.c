/*
 * The hand-written half of the QAPI visitors (qapi/runtime.h): builtin
 * types, member lookup and the unexpected-member check, with QEMU's
 * error messages, and the event hook.
 */
#include "qapi/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qapi_out_of_memory(void)
{
    fputs("rivet: out of memory\n", stderr);
    abort();
}

static char *checked_asprintf(const char *fmt, const char *a, size_t n)
{
    char *out = NULL;
    if (asprintf(&out, fmt, a, n) < 0) {
        qapi_out_of_memory();
    }
    return out;
}

char *qapi_path_member(const char *path, const char *member)
{
    if (!path || !*path) {
        char *copy = strdup(member);
        if (!copy) {
            qapi_out_of_memory();
        }
        return copy;
    }
    char *out = NULL;
    if (asprintf(&out, "%s.%s", path, member) < 0) {
        qapi_out_of_memory();
    }
    return out;
}

char *qapi_path_index(const char *path, size_t index)
{
    return checked_asprintf("%s[%zu]", path ? path : "", index);
}

/* QEMU says 'null' for a value that has no name. */
static const char *shown(const char *path)
{
    return path && *path ? path : "null";
}

void qapi_error_type(const char *path, const char *expected, Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               shown(path), expected);
}

QObject *qapi_member(QDict *dict, const char *path, const char *name,
                     bool required, Error **errp)
{
    QObject *value = qdict_get(dict, name);
    if (!value && required) {
        char *full = qapi_path_member(path, name);
        error_setg(errp, "Parameter '%s' is missing", full);
        free(full);
    }
    return value;
}

static bool in_names(const char *const *names, const char *key)
{
    for (; names && *names; names++) {
        if (strcmp(*names, key) == 0) {
            return true;
        }
    }
    return false;
}

bool qapi_check_no_extra(QDict *dict, const char *path,
                         const char *const *names,
                         const char *const *more_names, Error **errp)
{
    for (const QDictEntry *e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        const char *key = qdict_entry_key(e);
        if (!in_names(names, key) && !in_names(more_names, key)) {
            char *full = qapi_path_member(path, key);
            error_setg(errp, "Parameter '%s' is unexpected", full);
            free(full);
            return false;
        }
    }
    return true;
}

QDict *qapi_in_dict(QObject *obj, const char *path, Error **errp)
{
    QDict *dict = qobject_to_qdict(obj);
    if (!dict) {
        qapi_error_type(path, "object", errp);
    }
    return dict;
}

QList *qapi_in_list(QObject *obj, const char *path, Error **errp)
{
    QList *list = qobject_to_qlist(obj);
    if (!list) {
        qapi_error_type(path, "array", errp);
    }
    return list;
}

QObject *qapi_out_enum(const char *const *names, int count, int value)
{
    if (value < 0 || value >= count) {
        fprintf(stderr, "rivet: bug: enum value %d out of range\n", value);
        abort();
    }
    return QOBJECT(qstring_from_str(names[value]));
}

bool qapi_in_enum(QObject *obj, const char *path, const char *const *names,
                  int count, int *out, Error **errp)
{
    QString *s = qobject_to_qstring(obj);
    if (!s) {
        qapi_error_type(path, "string", errp);
        return false;
    }
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], qstring_get_str(s)) == 0) {
            *out = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", shown(path),
               qstring_get_str(s));
    return false;
}

QObject *qapi_out_str(const char *value)
{
    return QOBJECT(qstring_from_str(value ? value : ""));
}

bool qapi_in_str(QObject *obj, const char *path, char **out, Error **errp)
{
    QString *s = qobject_to_qstring(obj);
    if (!s) {
        qapi_error_type(path, "string", errp);
        return false;
    }
    *out = strdup(qstring_get_str(s));
    if (!*out) {
        qapi_out_of_memory();
    }
    return true;
}

void qapi_free_str(char *value)
{
    free(value);
}

QObject *qapi_out_any(QObject *value)
{
    return qobject_ref(value);
}

bool qapi_in_any(QObject *obj, const char *path, QObject **out, Error **errp)
{
    (void)path;
    (void)errp;
    *out = qobject_ref(obj);
    return true;
}

void qapi_free_any(QObject *value)
{
    qobject_unref(value);
}

QObject *qapi_out_null(QNull *value)
{
    (void)value;
    return QOBJECT(qnull());
}

bool qapi_in_null(QObject *obj, const char *path, QNull **out, Error **errp)
{
    QNull *n = qobject_to_qnull(obj);
    if (!n) {
        qapi_error_type(path, "null", errp);
        return false;
    }
    *out = (QNull *)qobject_ref(QOBJECT(n));
    return true;
}

void qapi_free_null(QNull *value)
{
    qobject_unref(value ? QOBJECT(value) : NULL);
}

QObject *qapi_out_bool(bool value)
{
    return QOBJECT(qbool_from_bool(value));
}

bool qapi_in_bool(QObject *obj, const char *path, bool *out, Error **errp)
{
    QBool *b = qobject_to_qbool(obj);
    if (!b) {
        qapi_error_type(path, "boolean", errp);
        return false;
    }
    *out = qbool_get_bool(b);
    return true;
}

QObject *qapi_out_number(double value)
{
    return QOBJECT(qnum_from_double(value));
}

bool qapi_in_number(QObject *obj, const char *path, double *out, Error **errp)
{
    QNum *n = qobject_to_qnum(obj);
    if (!n) {
        qapi_error_type(path, "number", errp);
        return false;
    }
    *out = qnum_get_double(n);
    return true;
}

/* An integer in [min, max]: a non-integer is a type error, one out of
 * range "Parameter 'PATH' expects TYPE", as QEMU's input visitor says. */
static bool in_signed(QObject *obj, const char *path, int64_t min, int64_t max,
                      const char *type, int64_t *out, Error **errp)
{
    QNum *n = qobject_to_qnum(obj);
    int64_t v;
    if (!n || n->kind == QNUM_DOUBLE) {
        qapi_error_type(path, "integer", errp);
        return false;
    }
    if (!qnum_get_try_int(n, &v) || v < min || v > max) {
        error_setg(errp, "Parameter '%s' expects %s", shown(path), type);
        return false;
    }
    *out = v;
    return true;
}

static bool in_unsigned(QObject *obj, const char *path, uint64_t max,
                        const char *type, uint64_t *out, Error **errp)
{
    QNum *n = qobject_to_qnum(obj);
    uint64_t v;
    if (!n || n->kind == QNUM_DOUBLE) {
        qapi_error_type(path, "integer", errp);
        return false;
    }
    if (!qnum_get_try_uint(n, &v) || v > max) {
        error_setg(errp, "Parameter '%s' expects %s", shown(path), type);
        return false;
    }
    *out = v;
    return true;
}

#define SIGNED_VISITORS(name, ctype, min, max)                                 \
    QObject *qapi_out_##name(ctype value)                                      \
    {                                                                          \
        return QOBJECT(qnum_from_int(value));                                  \
    }                                                                          \
    bool qapi_in_##name(QObject *obj, const char *path, ctype *out,            \
                        Error **errp)                                          \
    {                                                                          \
        int64_t v;                                                             \
        if (!in_signed(obj, path, min, max, #name, &v, errp)) {                \
            return false;                                                      \
        }                                                                      \
        *out = (ctype)v;                                                       \
        return true;                                                           \
    }

#define UNSIGNED_VISITORS(name, ctype, max)                                    \
    QObject *qapi_out_##name(ctype value)                                      \
    {                                                                          \
        return QOBJECT(qnum_from_uint(value));                                 \
    }                                                                          \
    bool qapi_in_##name(QObject *obj, const char *path, ctype *out,            \
                        Error **errp)                                          \
    {                                                                          \
        uint64_t v;                                                            \
        if (!in_unsigned(obj, path, max, #name, &v, errp)) {                   \
            return false;                                                      \
        }                                                                      \
        *out = (ctype)v;                                                       \
        return true;                                                           \
    }

SIGNED_VISITORS(int, int64_t, INT64_MIN, INT64_MAX)
SIGNED_VISITORS(int8, int8_t, INT8_MIN, INT8_MAX)
SIGNED_VISITORS(int16, int16_t, INT16_MIN, INT16_MAX)
SIGNED_VISITORS(int32, int32_t, INT32_MIN, INT32_MAX)
SIGNED_VISITORS(int64, int64_t, INT64_MIN, INT64_MAX)
UNSIGNED_VISITORS(uint8, uint8_t, UINT8_MAX)
UNSIGNED_VISITORS(uint16, uint16_t, UINT16_MAX)
UNSIGNED_VISITORS(uint32, uint32_t, UINT32_MAX)
UNSIGNED_VISITORS(uint64, uint64_t, UINT64_MAX)
UNSIGNED_VISITORS(size, uint64_t, UINT64_MAX)

static QapiEventEmitter *event_emitter;
static void *event_opaque;

void qapi_event_set_emitter(QapiEventEmitter *emitter, void *opaque)
{
    event_emitter = emitter;
    event_opaque = opaque;
}

void qapi_event_emit(const char *event, QDict *data)
{
    if (event_emitter) {
        event_emitter(event, data, event_opaque);
    } else {
        qobject_unref(data ? QOBJECT(data) : NULL);
    }
}

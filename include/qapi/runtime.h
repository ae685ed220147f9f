/*
 * What the code generated from the QAPI schema (qapi/, docs/qapi.md) calls:
 * visitors of the builtin types to and from QObject, the checks every
 * struct visitor shares, and the event hook.
 *
 * Input visitors read a QObject into C and fail with QEMU's messages, the
 * ones QEMU's clients parse: "Invalid parameter type for 'PATH', expected:
 * TYPE", "Parameter 'PATH' is missing", "Parameter 'PATH' is unexpected",
 * "Parameter 'PATH' expects uint8", "Parameter 'PATH' does not accept
 * value 'V'".  PATH names the member as QEMU does: "a.b", "list[2]".
 */
#ifndef RIVET_QAPI_RUNTIME_H
#define RIVET_QAPI_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qobject.h"
#include "util/error.h"

/* Abort with one line: the generated code allocates with calloc. */
_Noreturn void qapi_out_of_memory(void);

/* "path.member" (or "member" at the top), "path[i]"; caller frees. */
char *qapi_path_member(const char *path, const char *member);
char *qapi_path_index(const char *path, size_t index);

/* "Invalid parameter type for 'PATH', expected: EXPECTED". */
void qapi_error_type(const char *path, const char *expected, Error **errp);

/* The value of member `name` of dict; NULL when absent, which is an error
 * (set) only when required. */
QObject *qapi_member(QDict *dict, const char *path, const char *name,
                     bool required, Error **errp);
/* Every key of dict is in one of the NULL-terminated name lists (either
 * list may be NULL); else "Parameter 'KEY' is unexpected". */
bool qapi_check_no_extra(QDict *dict, const char *path,
                         const char *const *names,
                         const char *const *more_names, Error **errp);
QDict *qapi_in_dict(QObject *obj, const char *path, Error **errp);
QList *qapi_in_list(QObject *obj, const char *path, Error **errp);

QObject *qapi_out_enum(const char *const *names, int count, int value);
bool qapi_in_enum(QObject *obj, const char *path, const char *const *names,
                  int count, int *out, Error **errp);

/* The builtin types: qapi_out_T / qapi_in_T / qapi_free_T as generated
 * types have them. */
QObject *qapi_out_str(const char *value);
bool qapi_in_str(QObject *obj, const char *path, char **out, Error **errp);
void qapi_free_str(char *value);
QObject *qapi_out_any(QObject *value);
bool qapi_in_any(QObject *obj, const char *path, QObject **out, Error **errp);
void qapi_free_any(QObject *value);
QObject *qapi_out_null(QNull *value);
bool qapi_in_null(QObject *obj, const char *path, QNull **out, Error **errp);
void qapi_free_null(QNull *value);
QObject *qapi_out_bool(bool value);
bool qapi_in_bool(QObject *obj, const char *path, bool *out, Error **errp);
QObject *qapi_out_number(double value);
bool qapi_in_number(QObject *obj, const char *path, double *out, Error **errp);

#define QAPI_INT_VISITORS(name, ctype)                                         \
    QObject *qapi_out_##name(ctype value);                                     \
    bool qapi_in_##name(QObject *obj, const char *path, ctype *out,            \
                        Error **errp);
QAPI_INT_VISITORS(int, int64_t)
QAPI_INT_VISITORS(int8, int8_t)
QAPI_INT_VISITORS(int16, int16_t)
QAPI_INT_VISITORS(int32, int32_t)
QAPI_INT_VISITORS(int64, int64_t)
QAPI_INT_VISITORS(uint8, uint8_t)
QAPI_INT_VISITORS(uint16, uint16_t)
QAPI_INT_VISITORS(uint32, uint32_t)
QAPI_INT_VISITORS(uint64, uint64_t)
QAPI_INT_VISITORS(size, uint64_t)
#undef QAPI_INT_VISITORS

/* Where the generated qapi_event_send_*() functions deliver an event: the
 * emitter gets the event's name and its data (NULL when it has none; the
 * emitter takes the reference).  Without an emitter events are dropped.
 * QMP monitors install theirs. */
typedef void QapiEventEmitter(const char *event, QDict *data, void *opaque);
void qapi_event_set_emitter(QapiEventEmitter *emitter, void *opaque);
void qapi_event_emit(const char *event, QDict *data);

#endif /* RIVET_QAPI_RUNTIME_H */

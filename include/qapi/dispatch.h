/*
 * QMP command dispatch: a request QDict ({"execute", "arguments", "id"})
 * in, QEMU's response shape out ({"return": ...} or {"error": {"class",
 * "desc"}}, with "id" echoed).  The table is generated from the schema
 * and qapi/implementations (docs/qapi.md): only implemented commands are
 * in it.
 */
#ifndef RIVET_QAPI_DISPATCH_H
#define RIVET_QAPI_DISPATCH_H

#include <stddef.h>

#include "qobject/qdict.h"
#include "util/error.h"

/* A command's marshaller: reads args (checked against the schema), runs
 * the command, sets *ret to its return value or errp. */
typedef void QmpMarshalFn(QDict *args, QObject **ret, Error **errp);

typedef struct QmpCommand {
    const char *name;
    QmpMarshalFn *fn;
    const char *lang; /* "c" or "rust": the language implementing it */
} QmpCommand;

/* The generated table (qapi-commands-table.c), in schema order. */
extern const QmpCommand qmp_commands[];
extern const size_t qmp_commands_count;

const QmpCommand *qmp_find_command(const char *name);

/* The request's command name and arguments (borrowed from dict; args
 * NULL when absent), or false with QEMU's message for a request of the
 * wrong shape (its qmp_dispatch_check_obj()). */
bool qmp_check_request(QDict *dict, const char **name, QDict **args,
                       Error **errp);

/* Run one request (any QObject: a non-dict is answered with an error).
 * Returns the response; never NULL. */
QDict *qmp_dispatch(QObject *request);

/* {"error": {"class": cls, "desc": desc}}, plus "id" when id is non-NULL. */
QDict *qmp_error_response(const char *cls, const char *desc, QObject *id);

#endif /* RIVET_QAPI_DISPATCH_H */

/*
 * qmp_dispatch(): checks a request's shape as QEMU does, finds the
 * command in the generated table and builds the response.  A bad request
 * is a GenericError, an unknown command CommandNotFound; a failing
 * command's error carries its own class (util/error.h), as in QEMU.
 */
#include "qapi/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QDict *qmp_error_response(const char *cls, const char *desc, QObject *id)
{
    QDict *error = qdict_new();
    qdict_put_str(error, "class", cls);
    qdict_put_str(error, "desc", desc);
    QDict *rsp = qdict_new();
    qdict_put_obj(rsp, "error", QOBJECT(error));
    if (id) {
        qdict_put_obj(rsp, "id", qobject_ref(id));
    }
    return rsp;
}

const QmpCommand *qmp_find_command(const char *name)
{
    for (size_t i = 0; i < qmp_commands_count; i++) {
        if (strcmp(qmp_commands[i].name, name) == 0) {
            return &qmp_commands[i];
        }
    }
    return NULL;
}

bool qmp_check_request(QDict *dict, const char **name, QDict **args,
                       Error **errp)
{
    *name = NULL;
    *args = NULL;
    for (const QDictEntry *e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        const char *key = qdict_entry_key(e);
        QObject *value = qdict_entry_value(e);
        if (strcmp(key, "execute") == 0) {
            QString *s = qobject_to_qstring(value);
            if (!s) {
                error_setg(errp, "QMP input member 'execute' must be a string");
                return false;
            }
            *name = qstring_get_str(s);
        } else if (strcmp(key, "arguments") == 0) {
            *args = qobject_to_qdict(value);
            if (!*args) {
                error_setg(errp,
                           "QMP input member 'arguments' must be an object");
                return false;
            }
        } else if (strcmp(key, "id") != 0) {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return false;
        }
    }
    if (!*name) {
        error_setg(errp, "Expected 'execute' in QMP input");
        return false;
    }
    return true;
}

QDict *qmp_dispatch(QObject *request)
{
    QDict *dict = qobject_to_qdict(request);
    if (!dict) {
        return qmp_error_response("GenericError",
                                  "QMP input must be a JSON object", NULL);
    }
    QObject *id = qdict_get(dict, "id");
    const char *name;
    QDict *args;
    Error *err = NULL;
    if (!qmp_check_request(dict, &name, &args, &err)) {
        QDict *rsp =
            qmp_error_response("GenericError", error_get_message(err), id);
        error_free(err);
        return rsp;
    }
    const QmpCommand *cmd = qmp_find_command(name);
    if (!cmd) {
        char *desc = NULL;
        if (asprintf(&desc, "The command %s has not been found", name) < 0) {
            fputs("rivet: out of memory\n", stderr);
            abort();
        }
        QDict *rsp = qmp_error_response(
            error_class_name(ERROR_CLASS_COMMAND_NOT_FOUND), desc, id);
        free(desc);
        return rsp;
    }
    QDict *no_args = args ? NULL : qdict_new();
    QObject *ret = NULL;
    cmd->fn(args ? args : no_args, &ret, &err);
    qobject_unref(no_args ? QOBJECT(no_args) : NULL);
    if (err) {
        qobject_unref(ret);
        QDict *rsp = qmp_error_response(error_class_name(error_get_class(err)),
                                        error_get_message(err), id);
        error_free(err);
        return rsp;
    }
    if (!ret) {
        fprintf(stderr, "rivet: bug: command %s returned nothing\n", name);
        abort();
    }
    QDict *rsp = qdict_new();
    qdict_put_obj(rsp, "return", ret);
    if (id) {
        qdict_put_obj(rsp, "id", qobject_ref(id));
    }
    return rsp;
}

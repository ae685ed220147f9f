/*
 * The commands of qapi/control.json that need nothing but the build:
 * query-version and query-commands (from the generated table, so it
 * lists exactly what this build dispatches).
 */
#include <stdlib.h>
#include <string.h>

#include "qapi-commands-control.h"

static char *copy_str(const char *s)
{
    char *copy = strdup(s);
    if (!copy) {
        qapi_out_of_memory();
    }
    return copy;
}

static void *zalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p) {
        qapi_out_of_memory();
    }
    return p;
}

VersionInfo *qmp_query_version(Error **errp)
{
    (void)errp;
    VersionInfo *info = zalloc(sizeof(*info));
    info->qemu = zalloc(sizeof(*info->qemu));
    info->qemu->major = RIVET_VERSION_MAJOR;
    info->qemu->minor = RIVET_VERSION_MINOR;
    info->qemu->micro = RIVET_VERSION_MICRO;
    info->package = copy_str("rivet");
    return info;
}

CommandInfoList *qmp_query_commands(Error **errp)
{
    (void)errp;
    CommandInfoList *head = NULL, **tail = &head;
    for (size_t i = 0; i < qmp_commands_count; i++) {
        CommandInfoList *item = zalloc(sizeof(*item));
        item->value = zalloc(sizeof(*item->value));
        item->value->name = copy_str(qmp_commands[i].name);
        *tail = item;
        tail = &item->next;
    }
    return head;
}

/* Negotiation itself is the monitor's (qmp/monitor.h): it answers this
 * command only before negotiation, and then leaves that mode.  rivet
 * offers no capability, so enabling one fails as in QEMU. */
void qmp_qmp_capabilities(QMPCapabilityList *enable, Error **errp)
{
    if (enable) {
        error_setg(errp, "Capability '%s' not available",
                   QMPCapability_str[enable->value]);
    }
}

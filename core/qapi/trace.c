/*
 * trace-event-get-state and trace-event-set-state, in C: the -trace log
 * backend's events (probes/registry.h) read and switched while the
 * machine runs.  A name with a glob character ('*', '?', '[') is a
 * pattern and may match nothing; a plain name must be an event ("unknown
 * event \"NAME\"", QEMU's words).  Every event of the build is compiled
 * in, so none is "unavailable" and ignore-unavailable changes nothing.
 * rivet has one vCPU: the deprecated vcpu argument may only name it.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "probes/registry.h"
#include "qapi-commands-trace.h"

static bool check_request(const char *name, bool has_vcpu, int64_t vcpu,
                          Error **errp)
{
    if (has_vcpu && vcpu != 0) {
        error_setg(errp, "invalid vCPU index %" PRId64, vcpu);
        return false;
    }
    if (strpbrk(name, "*?[")) {
        return true;
    }
    for (unsigned i = 0; i < probes_count(); i++) {
        if (strcmp(probes_name(i), name) == 0) {
            return true;
        }
    }
    error_setg(errp, "unknown event \"%s\"", name);
    return false;
}

static bool matches(const char *pattern, unsigned i)
{
    return fnmatch(pattern, probes_name(i), 0) == 0;
}

TraceEventInfoList *qmp_trace_event_get_state(const char *name, bool has_vcpu,
                                              int64_t vcpu, Error **errp)
{
    if (!check_request(name, has_vcpu, vcpu, errp)) {
        return NULL;
    }
    TraceEventInfoList *head = NULL, **tail = &head;
    for (unsigned i = 0; i < probes_count(); i++) {
        if (!matches(name, i)) {
            continue;
        }
        TraceEventInfoList *item = calloc(1, sizeof(*item));
        TraceEventInfo *info = calloc(1, sizeof(*info));
        char *event = strdup(probes_name(i));
        if (!item || !info || !event) {
            qapi_out_of_memory();
        }
        info->name = event;
        info->state = probes_log_enabled(i) ? TRACE_EVENT_STATE_ENABLED
                                            : TRACE_EVENT_STATE_DISABLED;
        item->value = info;
        *tail = item;
        tail = &item->next;
    }
    return head;
}

void qmp_trace_event_set_state(const char *name, bool enable,
                               bool has_ignore_unavailable,
                               bool ignore_unavailable, bool has_vcpu,
                               int64_t vcpu, Error **errp)
{
    (void)has_ignore_unavailable;
    (void)ignore_unavailable;
    if (!check_request(name, has_vcpu, vcpu, errp)) {
        return;
    }
    for (unsigned i = 0; i < probes_count(); i++) {
        if (matches(name, i)) {
            probes_set_log_enabled(i, enable);
        }
    }
}

/*
 * The probe registry: what the command line needs to know about the probes
 * defined in probes/<group>.probes (probegen.py writes registry.c).
 */
#ifndef RIVET_PROBES_REGISTRY_H
#define RIVET_PROBES_REGISTRY_H

#include <stdbool.h>

#include "util/error.h"

/* -trace PATTERN: make the log backend print every event whose name
 * matches the glob (fnmatch), to stderr or the -D file.  "help" lists the
 * events on stdout and sets *help_shown.  A pattern that matches nothing is
 * an error, and then nothing is enabled. */
bool probes_trace_option(const char *pattern, bool *help_shown, Error **errp);

/* How many events this build defines (0 with -Dprobes=disabled). */
unsigned probes_count(void);

/* Event i (below probes_count()) by name, and whether the log backend
 * prints it: what QMP's trace-event-get-state/-set-state read and change
 * while the machine runs.  Enabling takes the event's semaphore as -trace
 * does, disabling gives it back (an attached tracer keeps its own). */
const char *probes_name(unsigned i);
bool probes_log_enabled(unsigned i);
void probes_set_log_enabled(unsigned i, bool enabled);

#endif /* RIVET_PROBES_REGISTRY_H */

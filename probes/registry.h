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

#endif /* RIVET_PROBES_REGISTRY_H */

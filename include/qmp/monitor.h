/*
 * QMP monitors: a QMP session (qmp/session.h) on a chardev, as QEMU's
 * -qmp makes them.  Each monitor serves one client at a time; a socket
 * monitor takes the next client when it leaves.  Output to a client is
 * queued without blocking the machine; a client that lets more than
 * QMP_OUTPUT_QUEUE_MAX bytes pile up is disconnected (one line on stderr).
 * Events (qapi_event_emit) go to every negotiated client.
 */
#ifndef RIVET_QMP_MONITOR_H
#define RIVET_QMP_MONITOR_H

#include <stdbool.h>

#include "util/error.h"

#define QMP_OUTPUT_QUEUE_MAX (1u << 20)
/* How many -qmp options a run takes. */
#define QMP_MAX_MONITORS 8

/* -qmp SPEC: "unix:PATH,server=on[,wait=off]", "tcp:[HOST]:PORT,server=on
 * [,wait=off]" (no HOST: 127.0.0.1) or "stdio".  Opens the listener (or
 * takes stdin/stdout) and installs the event emitter; errors name the
 * spec. */
bool monitor_add(const char *spec, Error **errp);
/* Whether any monitor exists. */
bool monitor_any(void);
/* At exit: give clients what is queued for them (at most a second for one
 * that does not read), then close every monitor. */
void monitor_close_all(void);

#endif /* RIVET_QMP_MONITOR_H */

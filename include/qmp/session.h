/*
 * One QMP conversation, without its transport: the byte stream a client
 * sends is cut into JSON messages, each answered as QEMU does (greeting,
 * capabilities negotiation, dispatch through qmp_dispatch()), and the
 * answers go to an output function.  The monitor (qmp/monitor.h) puts it
 * on a chardev; the fuzzer (fuzz/fuzz-qmp.c) feeds it directly.
 */
#ifndef RIVET_QMP_SESSION_H
#define RIVET_QMP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qobject/qdict.h"

/* The largest message a client may send (QEMU's JSON token limit is 64
 * MiB; no rivet command takes more than a few hundred bytes).  Past it the
 * client is told so and the connection is closed. */
#define QMP_MAX_MESSAGE (1u << 20)

/* Where a session's output goes: one complete message, "\r\n"-ended. */
typedef void QmpOutputFn(void *opaque, const char *text, size_t len);

typedef struct QmpSession {
    QmpOutputFn *output;
    void *opaque;
    bool negotiated; /* qmp_capabilities was accepted */
    /* The message being read. */
    char *buf;
    size_t len;
    size_t cap;
    uint64_t depth; /* open { and [ */
    bool in_string;
    bool escaped;
    bool in_scalar; /* a bare top-level literal (42, true, garbage) */
    /* Nested deeper than QOBJECT_JSON_MAX_DEPTH: refused at once, and the
     * rest of that message dropped until its brackets balance. */
    bool skipping;
} QmpSession;

void qmp_session_init(QmpSession *s, QmpOutputFn *output, void *opaque);
/* A client arrived: forget any earlier one and send the greeting. */
void qmp_session_start(QmpSession *s);
/* Process what the client sent; false when a message went over
 * QMP_MAX_MESSAGE (an error was sent; close the connection). */
bool qmp_session_feed(QmpSession *s, const uint8_t *data, size_t len);
/* The client left: drop the partial message and the negotiation. */
void qmp_session_reset(QmpSession *s);

/* An event as QEMU sends it ({"timestamp": {"seconds", "microseconds"},
 * "event", "data"}; host wall-clock time), "\r\n"-ended; caller frees.
 * data is borrowed and may be NULL. */
char *qmp_event_message(const char *event, QDict *data, size_t *len);

#endif /* RIVET_QMP_SESSION_H */

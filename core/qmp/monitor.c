/*
 * QMP monitors on chardevs (qmp/monitor.h).
 *
 * A monitor is the chardev's frontend: the chardev tells it when a client
 * connects (greeting) and leaves (forget the negotiation), hands it the
 * client's bytes, and takes its output as fast as the client reads.  What
 * the chardev does not take yet waits in the monitor's queue, which the
 * chardev's write_ready drains; the machine never waits for a client.
 */
#include "qmp/monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chardev/char.h"
#include "qapi/runstate.h"
#include "qapi/runtime.h"
#include "qmp/session.h"
#include "util/main-loop.h"

typedef struct Monitor {
    Chardev *chr;
    CharFrontend fe;
    QmpSession session;
    char *spec;
    char *out; /* output the chardev has not taken yet */
    size_t out_len;
    size_t out_cap;
    bool in_receive; /* inside the chardev's receive handler */
    bool overflowed; /* disconnect the client at the next safe point */
    bool closing;    /* exiting: read nothing more */
} Monitor;

static Monitor *monitors[QMP_MAX_MONITORS];
static int monitor_count;

static void monitor_flush(Monitor *m)
{
    while (m->out_len > 0) {
        int n = char_fe_write(&m->fe, (const uint8_t *)m->out,
                              m->out_len > (size_t)INT32_MAX ? INT32_MAX
                                                             : (int)m->out_len);
        if (n <= 0) {
            return; /* write_ready calls us again */
        }
        m->out_len -= (size_t)n;
        memmove(m->out, m->out + n, m->out_len);
    }
}

static void monitor_disconnect(Monitor *m)
{
    m->overflowed = false;
    m->out_len = 0;
    char_fe_disconnect(&m->fe);
}

static void monitor_output(void *opaque, const char *text, size_t len)
{
    Monitor *m = opaque;
    if (!m->chr->connected || m->overflowed) {
        return;
    }
    if (m->out_len + len > QMP_OUTPUT_QUEUE_MAX) {
        fprintf(stderr,
                "rivet: -qmp %s: the client does not read its output (%zu "
                "bytes queued); disconnecting it\n",
                m->spec, m->out_len);
        m->overflowed = true;
        if (!m->in_receive) {
            monitor_disconnect(m);
        }
        return;
    }
    if (m->out_len + len > m->out_cap) {
        size_t cap = m->out_cap ? m->out_cap : 4096;
        while (cap < m->out_len + len) {
            cap *= 2;
        }
        char *grown = realloc(m->out, cap);
        if (!grown) {
            qapi_out_of_memory();
        }
        m->out = grown;
        m->out_cap = cap;
    }
    memcpy(m->out + m->out_len, text, len);
    m->out_len += len;
    monitor_flush(m);
}

static int monitor_can_receive(void *opaque)
{
    Monitor *m = opaque;
    return m->closing ? 0 : 4096;
}

static void monitor_receive(void *opaque, const uint8_t *buf, int size)
{
    Monitor *m = opaque;
    m->in_receive = true;
    bool ok = qmp_session_feed(&m->session, buf, (size_t)size);
    m->in_receive = false;
    if (!ok) {
        /* Over the size limit: the error is queued; close cleanly. */
        monitor_flush(m);
        monitor_disconnect(m);
    } else if (m->overflowed) {
        monitor_disconnect(m);
    }
}

static void monitor_event(void *opaque, ChardevEvent event)
{
    Monitor *m = opaque;
    m->out_len = 0;
    m->overflowed = false;
    if (event == CHR_EVENT_OPENED) {
        qmp_session_start(&m->session);
    } else {
        qmp_session_reset(&m->session);
    }
}

static void monitor_write_ready(void *opaque)
{
    monitor_flush(opaque);
}

static void monitor_emit_event(const char *event, QDict *data, void *opaque)
{
    (void)opaque;
    size_t len;
    char *text = qmp_event_message(event, data, &len);
    qobject_unref(data ? QOBJECT(data) : NULL);
    for (int i = 0; i < monitor_count; i++) {
        if (monitors[i]->session.negotiated) {
            monitor_output(monitors[i], text, len);
        }
    }
    free(text);
}

static bool valid_spec(const char *spec)
{
    return strcmp(spec, "stdio") == 0 || strncmp(spec, "unix:", 5) == 0 ||
           strncmp(spec, "tcp:", 4) == 0;
}

bool monitor_add(const char *spec, Error **errp)
{
    if (!valid_spec(spec)) {
        error_setg(errp,
                   "-qmp %s: expected unix:PATH,server=on[,wait=off], "
                   "tcp:[HOST]:PORT,server=on[,wait=off] or stdio",
                   spec);
        return false;
    }
    if (monitor_count == QMP_MAX_MONITORS) {
        error_setg(errp, "-qmp %s: at most %d monitors", spec,
                   QMP_MAX_MONITORS);
        return false;
    }
    char label[16];
    snprintf(label, sizeof(label), "qmp%d", monitor_count);
    Chardev *chr = chardev_new_from_spec(label, spec, errp);
    if (!chr) {
        error_prepend(errp, "-qmp %s: ", spec);
        return false;
    }
    Monitor *m = calloc(1, sizeof(*m));
    if (!m) {
        qapi_out_of_memory();
    }
    m->chr = chr;
    m->spec = strdup(spec);
    qmp_session_init(&m->session, monitor_output, m);
    if (!chardev_start(chr, errp) || !char_fe_init(&m->fe, chr, errp)) {
        error_prepend(errp, "-qmp %s: ", spec);
        chardev_destroy(chr);
        free(m->spec);
        free(m);
        return false;
    }
    monitors[monitor_count++] = m;
    qapi_event_set_emitter(monitor_emit_event, NULL);
    runstate_set_monitored(true);
    /* stdio, or a socket whose client came with wait=on, is connected
     * already: OPENED comes now, with the greeting. */
    char_fe_set_handlers(&m->fe, monitor_can_receive, monitor_receive,
                         monitor_event, monitor_write_ready, m);
    return true;
}

bool monitor_any(void)
{
    return monitor_count > 0;
}

/* How long queued output waits at exit for a client that does not read
 * (the socket chardev then waits as long for its own queue). */
#define MONITOR_EXIT_LINGER_POLLS 20
#define MONITOR_EXIT_POLL_MS 50

void monitor_close_all(void)
{
    for (int i = 0; i < monitor_count; i++) {
        monitors[i]->closing = true;
    }
    for (int polls = 0; polls < MONITOR_EXIT_LINGER_POLLS; polls++) {
        bool pending = false;
        for (int i = 0; i < monitor_count; i++) {
            monitor_flush(monitors[i]);
            pending |= monitors[i]->out_len > 0 && monitors[i]->chr->connected;
        }
        if (!pending) {
            break;
        }
        main_loop_poll(MONITOR_EXIT_POLL_MS);
    }
    qapi_event_set_emitter(NULL, NULL);
    runstate_set_monitored(false);
    for (int i = 0; i < monitor_count; i++) {
        Monitor *m = monitors[i];
        char_fe_deinit(&m->fe);
        chardev_destroy(m->chr);
        qmp_session_reset(&m->session);
        free(m->out);
        free(m->spec);
        free(m);
    }
    monitor_count = 0;
}

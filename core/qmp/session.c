/*
 * A QMP conversation (qmp/session.h): message framing, the greeting,
 * negotiation, dispatch, and the text of events.
 *
 * Framing follows QEMU's JSON streamer: a message ends where its braces
 * and brackets balance outside strings; a bare top-level literal ends at
 * whitespace or at the next structural character.  Each message is then
 * parsed by qobject_from_json(), so a message that frames but does not
 * parse gets jansson's reason in a GenericError, as QEMU answers a JSON
 * parse error, and the conversation goes on.
 */
#include "qmp/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "qapi-commands-control.h"
#include "qapi-visit-control.h"
#include "qapi/dispatch.h"
#include "qobject/qjson.h"

void qmp_session_init(QmpSession *s, QmpOutputFn *output, void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->output = output;
    s->opaque = opaque;
}

static void reset_framing(QmpSession *s)
{
    s->len = 0;
    s->depth = 0;
    s->in_string = false;
    s->escaped = false;
    s->in_scalar = false;
}

void qmp_session_reset(QmpSession *s)
{
    reset_framing(s);
    s->skipping = false;
    s->negotiated = false;
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

/* obj (consumed) as one line of QMP's wire form, "\r\n" ended as QEMU's
 * monitor ends it; caller frees. */
static char *json_line(QObject *obj, size_t *len)
{
    char *json = qobject_to_json(obj, false);
    qobject_unref(obj);
    size_t n = strlen(json);
    char *line = realloc(json, n + 3);
    if (!line) {
        qapi_out_of_memory();
    }
    memcpy(line + n, "\r\n", 3);
    *len = n + 2;
    return line;
}

static void send_object(QmpSession *s, QObject *obj)
{
    size_t len;
    char *line = json_line(obj, &len);
    s->output(s->opaque, line, len);
    free(line);
}

static void send_error(QmpSession *s, const char *cls, const char *desc,
                       QObject *id)
{
    send_object(s, QOBJECT(qmp_error_response(cls, desc, id)));
}

void qmp_session_start(QmpSession *s)
{
    qmp_session_reset(s);
    QDict *qmp = qdict_new();
    VersionInfo *version = qmp_query_version(NULL);
    qdict_put_obj(qmp, "version", qapi_out_VersionInfo(version));
    qapi_free_VersionInfo(version);
    /* QEMU offers "oob" only on monitors that can run commands out of
     * band; rivet's cannot. */
    qdict_put_obj(qmp, "capabilities", QOBJECT(qlist_new()));
    QDict *greeting = qdict_new();
    qdict_put_obj(greeting, "QMP", QOBJECT(qmp));
    send_object(s, QOBJECT(greeting));
}

/* Mode checks QEMU makes after the request's shape: before negotiation
 * only qmp_capabilities exists, after it qmp_capabilities is refused.
 * Returns the error response, or NULL when dispatch may go on. */
static QDict *check_mode(QmpSession *s, QDict *request)
{
    const char *name;
    QDict *args;
    if (!qmp_check_request(request, &name, &args, NULL)) {
        return NULL; /* qmp_dispatch() answers the shape error */
    }
    bool negotiating = strcmp(name, "qmp_capabilities") == 0;
    const char *desc = NULL;
    if (!s->negotiated && !negotiating) {
        desc = "Expecting capabilities negotiation with 'qmp_capabilities'";
    } else if (s->negotiated && negotiating) {
        desc = "Capabilities negotiation is already complete, command ignored";
    }
    return desc ? qmp_error_response("CommandNotFound", desc,
                                     qdict_get(request, "id"))
                : NULL;
}

static void handle_message(QmpSession *s, const char *text, size_t len)
{
    Error *err = NULL;
    QObject *request = qobject_from_json(text, len, &err);
    if (!request) {
        send_error(s, "GenericError", error_get_message(err), NULL);
        error_free(err);
        return;
    }
    QDict *dict = qobject_to_qdict(request);
    QDict *rsp = dict ? check_mode(s, dict) : NULL;
    if (!rsp) {
        rsp = qmp_dispatch(request);
        if (!s->negotiated && !qdict_get(rsp, "error")) {
            s->negotiated = true; /* qmp_capabilities succeeded */
        }
    }
    qobject_unref(request);
    send_object(s, QOBJECT(rsp));
}

static bool append(QmpSession *s, char c)
{
    if (s->len >= QMP_MAX_MESSAGE) {
        return false;
    }
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char *grown = realloc(s->buf, cap);
        if (!grown) {
            qapi_out_of_memory();
        }
        s->buf = grown;
        s->cap = cap;
    }
    s->buf[s->len++] = c;
    return true;
}

static void emit(QmpSession *s)
{
    size_t len = s->len;
    reset_framing(s);
    handle_message(s, s->buf, len);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_structural(char c)
{
    return c == '{' || c == '}' || c == '[' || c == ']' || c == '"' ||
           c == ',' || c == ':';
}

/* Strings and bracket depth, shared by reading and skipping.  Returns true
 * when c closed the outermost bracket. */
static bool track(QmpSession *s, char c)
{
    if (s->in_string) {
        if (s->escaped) {
            s->escaped = false;
        } else if (c == '\\') {
            s->escaped = true;
        } else if (c == '"') {
            s->in_string = false;
            return s->depth == 0;
        }
        return false;
    }
    switch (c) {
    case '"':
        s->in_string = true;
        return false;
    case '{':
    case '[':
        s->depth++;
        return false;
    case '}':
    case ']':
        if (s->depth == 0) {
            return true; /* a stray closer: a message of its own */
        }
        return --s->depth == 0;
    default:
        return false;
    }
}

bool qmp_session_feed(QmpSession *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = (char)data[i];
        if (s->skipping) {
            if (track(s, c) || s->depth == 0) {
                reset_framing(s);
                s->skipping = false;
            }
            continue;
        }
        if (s->in_scalar && (is_space(c) || is_structural(c))) {
            emit(s); /* the literal ended before c */
        }
        if (s->len == 0 && !s->in_scalar && is_space(c)) {
            continue; /* between messages */
        }
        if (!append(s, c)) {
            send_error(s, "GenericError", "JSON message size limit exceeded",
                       NULL);
            qmp_session_reset(s);
            return false;
        }
        if (!s->in_string && s->depth == 0 && !is_structural(c)) {
            s->in_scalar = true;
            continue;
        }
        bool complete = track(s, c);
        if (s->depth > QOBJECT_JSON_MAX_DEPTH) {
            char desc[80];
            snprintf(desc, sizeof(desc),
                     "JSON parse error, nesting deeper than %d levels",
                     QOBJECT_JSON_MAX_DEPTH);
            send_error(s, "GenericError", desc, NULL);
            s->len = 0;
            s->skipping = true;
        } else if (complete) {
            emit(s);
        }
    }
    return true;
}

char *qmp_event_message(const char *event, QDict *data, size_t *len)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    QDict *timestamp = qdict_new();
    qdict_put_int(timestamp, "seconds", (int64_t)now.tv_sec);
    qdict_put_int(timestamp, "microseconds", (int64_t)now.tv_usec);
    QDict *msg = qdict_new();
    qdict_put_obj(msg, "timestamp", QOBJECT(timestamp));
    qdict_put_str(msg, "event", event);
    if (data) {
        qdict_put_obj(msg, "data", qobject_ref(QOBJECT(data)));
    }
    return json_line(QOBJECT(msg), len);
}

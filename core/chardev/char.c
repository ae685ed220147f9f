/*
 * Character devices: the abstract chardev type, the frontend API, spec
 * parsing, and the fd plumbing shared by the backends (flow-controlled
 * input through main-loop watches, output flow control).
 */
#include "chardev/char.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chardev-internal.h"
#include "probes/chardev.h"
#include "util/main-loop.h"

/* ---------------------------------------------------------------------- */
/* Input                                                                   */

static int receiver_room(CharFrontend *fe)
{
    if (!fe || !fe->receive || !fe->can_receive) {
        return 0;
    }
    int room = fe->can_receive(fe->opaque);
    return room > 0 ? room : 0;
}

/* Who takes the next input: the tap while it wants some, else the
 * frontend.  *room receives how much it takes. */
static CharFrontend *input_receiver(Chardev *chr, int *room)
{
    *room = receiver_room(chr->tap);
    if (*room > 0) {
        return chr->tap;
    }
    *room = receiver_room(chr->fe);
    return chr->fe;
}

static int frontend_room(Chardev *chr)
{
    int room;
    input_receiver(chr, &room);
    return room;
}

/* Main-loop check: only ask for readability when the frontend can take at
 * least one byte, so unread input stays in the host fd. */
static bool chardev_can_read(void *opaque)
{
    return frontend_room(opaque) > 0;
}

static void chardev_read_ready(void *opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[CHARDEV_READ_CHUNK];
    int room;
    CharFrontend *receiver = input_receiver(chr, &room);
    if (room <= 0) {
        return;
    }
    size_t want = (size_t)room < sizeof(buf) ? (size_t)room : sizeof(buf);
    ssize_t n = read(chr->in_fd, buf, want);
    if (n > 0) {
        probe_chardev_read(chr->label, (uint32_t)n);
        receiver->receive(receiver->opaque, buf, (int)n);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    /* EOF or a hard error: the input is gone. */
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    if (cc->input_closed) {
        cc->input_closed(chr);
    } else {
        chardev_stop_input(chr);
        chardev_set_connected(chr, false);
    }
}

bool chardev_start_input(Chardev *chr, Error **errp)
{
    if (chr->in_fd < 0) {
        return true;
    }
    return main_loop_add_fd(chr->in_fd, chardev_can_read, chardev_read_ready,
                            chr, errp);
}

void chardev_stop_input(Chardev *chr)
{
    if (chr->in_fd >= 0) {
        main_loop_remove_fd(chr->in_fd);
    }
}

void chardev_set_connected(Chardev *chr, bool connected)
{
    if (chr->connected == connected) {
        return;
    }
    chr->connected = connected;
    probe_chardev_connect(chr->label, connected);
    CharFrontend *fe = chr->fe;
    if (fe && fe->event) {
        fe->event(fe->opaque, connected ? CHR_EVENT_OPENED : CHR_EVENT_CLOSED);
    }
}

void chardev_write_ready(Chardev *chr)
{
    chr->write_blocked = false;
    CharFrontend *fe = chr->fe;
    if (fe && fe->write_ready) {
        fe->write_ready(fe->opaque);
    }
}

int chardev_fd_write_all(int fd, const uint8_t *buf, int len)
{
    int done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, (size_t)(len - done));
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -1;
        }
        done += (int)n;
    }
    return len;
}

/* ---------------------------------------------------------------------- */
/* The abstract type                                                       */

static void chardev_instance_init(Object *obj)
{
    Chardev *chr = (Chardev *)obj;
    chr->in_fd = -1;
    chr->out_fd = -1;
}

static void chardev_instance_finalize(Object *obj)
{
    Chardev *chr = (Chardev *)obj;
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    if (chr->fe) {
        chr->fe->chr = NULL;
        chr->fe = NULL;
    }
    if (chr->tap) {
        chr->tap->chr = NULL;
        chr->tap = NULL;
    }
    probe_chardev_close(chr->label);
    if (cc->close) {
        cc->close(chr);
    }
    free(chr->label);
    chr->label = NULL;
}

static const TypeInfo chardev_type = {
    .name = TYPE_CHARDEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Chardev),
    .class_size = sizeof(ChardevClass),
    .abstract = true,
    .instance_init = chardev_instance_init,
    .instance_finalize = chardev_instance_finalize,
};

/* Registered before main() so object_class_by_name() finds the backends
 * even before the first chardev_new_from_spec(). */
__attribute__((constructor)) static void chardev_register_types(void)
{
    static bool done;
    if (!done) {
        done = true;
        type_register_static(&chardev_type);
        chardev_register_backends();
    }
}

/* ---------------------------------------------------------------------- */
/* Creation from a -serial spec                                            */

static const char *const spec_help =
    "expected stdio, null, file:PATH, unix:PATH,server or "
    "tcp:HOST:PORT,server";

Chardev *chardev_new_from_spec(const char *label, const char *spec,
                               Error **errp)
{
    chardev_register_types();

    /* "name" or "name:options"; the backend parses its own options. */
    size_t name_len = strcspn(spec, ":");
    const char *options = spec + name_len + (spec[name_len] == ':');
    const char *typename = NULL;
    static const struct {
        const char *name;
        const char *typename;
    } backends[] = {
        {"stdio", TYPE_CHARDEV_STDIO},    {"null", TYPE_CHARDEV_NULL},
        {"file", TYPE_CHARDEV_FILE},      {"unix", TYPE_CHARDEV_SOCKET},
        {"tcp", TYPE_CHARDEV_SOCKET_TCP},
    };
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strlen(backends[i].name) == name_len &&
            strncmp(spec, backends[i].name, name_len) == 0) {
            typename = backends[i].typename;
        }
    }
    if (!typename) {
        error_setg(errp, "-serial: unknown backend '%.*s' (%s)",
                   (int)strcspn(spec, ":,"), spec, spec_help);
        return NULL;
    }

    Object *container = container_get(NULL, "/chardevs");
    if (object_child(container, label)) {
        error_setg(errp, "chardev '%s' already exists", label);
        return NULL;
    }

    Object *obj = object_new(typename, errp);
    if (!obj) {
        return NULL;
    }
    Chardev *chr = CHARDEV(obj);
    chr->label = strdup(label);
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    if (!cc->open(chr, options, errp)) {
        object_unref(obj);
        return NULL;
    }
    probe_chardev_open(chr->label, typename);
    if (!object_property_add_child(container, label, obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    /* The tree now holds the chardev; chardev_destroy() drops it. */
    object_unref(obj);
    return chr;
}

bool chardev_start(Chardev *chr, Error **errp)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    return !cc->start || cc->start(chr, errp);
}

void chardev_destroy(Chardev *chr)
{
    if (!chr) {
        return;
    }
    Object *obj = OBJECT(chr);
    if (obj->parent) {
        object_unparent(obj);
    } else {
        object_unref(obj);
    }
}

/* ---------------------------------------------------------------------- */
/* Frontend                                                                */

bool char_fe_init(CharFrontend *fe, Chardev *chr, Error **errp)
{
    if (chr && chr->fe) {
        error_setg(errp, "chardev '%s' is already used by another device",
                   chr->label);
        return false;
    }
    memset(fe, 0, sizeof(*fe));
    fe->chr = chr;
    if (chr) {
        chr->fe = fe;
    }
    return true;
}

bool char_fe_init_tap(CharFrontend *tap, Chardev *chr, Error **errp)
{
    if (chr->tap) {
        error_setg(errp, "chardev '%s' already has a tap", chr->label);
        return false;
    }
    memset(tap, 0, sizeof(*tap));
    tap->chr = chr;
    chr->tap = tap;
    return true;
}

void char_fe_deinit(CharFrontend *fe)
{
    if (fe->chr && fe->chr->tap == fe) {
        fe->chr->tap = NULL;
    } else if (fe->chr) {
        fe->chr->fe = NULL;
    }
    memset(fe, 0, sizeof(*fe));
}

void char_fe_set_handlers(CharFrontend *fe, CharCanReceive *can_receive,
                          CharReceive *receive, CharEventHandler *event,
                          CharWriteReady *write_ready, void *opaque)
{
    fe->can_receive = can_receive;
    fe->receive = receive;
    fe->event = event;
    fe->write_ready = write_ready;
    fe->opaque = opaque;
    /* A frontend arriving after the backend opened still hears about it. */
    if (fe->chr && fe->chr->connected && event) {
        event(opaque, CHR_EVENT_OPENED);
    }
}

int char_fe_write(CharFrontend *fe, const uint8_t *buf, int len)
{
    if (!fe->chr) {
        return len;
    }
    ChardevClass *cc = CHARDEV_GET_CLASS(fe->chr);
    int ret = cc->write(fe->chr, buf, len);
    probe_chardev_write(fe->chr->label, (uint32_t)len, ret);
    return ret;
}

void char_fe_accept_input(CharFrontend *fe)
{
    if (!fe->chr) {
        return;
    }
    ChardevClass *cc = CHARDEV_GET_CLASS(fe->chr);
    if (cc->accept_input) {
        cc->accept_input(fe->chr);
    }
}

bool char_fe_backend_connected(CharFrontend *fe)
{
    return fe->chr && fe->chr->connected;
}

void char_fe_disconnect(CharFrontend *fe)
{
    if (!fe->chr) {
        return;
    }
    ChardevClass *cc = CHARDEV_GET_CLASS(fe->chr);
    if (cc->disconnect) {
        cc->disconnect(fe->chr);
    }
}

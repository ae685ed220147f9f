/*
 * Character devices: host-side backends (stdio, file, unix-socket server,
 * null) that a device frontend (a UART) writes to and receives from.
 *
 * Input is flow-controlled: the backend only reads from its fd when the
 * frontend's can_receive says how many bytes it can take, so a full FIFO
 * leaves the data in the host fd instead of dropping it.
 */
#ifndef RIVET_CHARDEV_CHAR_H
#define RIVET_CHARDEV_CHAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qom/object.h"
#include "util/error.h"

#define TYPE_CHARDEV "chardev"
#define TYPE_CHARDEV_NULL "chardev-null"
#define TYPE_CHARDEV_STDIO "chardev-stdio"
#define TYPE_CHARDEV_FILE "chardev-file"
#define TYPE_CHARDEV_SOCKET "chardev-socket"

typedef enum ChardevEvent {
    CHR_EVENT_OPENED, /* a peer connected (sockets) or the backend opened */
    CHR_EVENT_CLOSED, /* the peer went away or input reached EOF */
} ChardevEvent;

typedef struct Chardev Chardev;
typedef struct CharFrontend CharFrontend;

/* How many bytes the frontend can accept right now (0: none). */
typedef int CharCanReceive(void *opaque);
typedef void CharReceive(void *opaque, const uint8_t *buf, int size);
typedef void CharEventHandler(void *opaque, ChardevEvent event);

struct Chardev {
    Object parent_obj;
    char *label;
    CharFrontend *fe; /* at most one frontend */
    int in_fd;        /* -1 when the backend has no input */
    int out_fd;       /* -1 when output is discarded */
    bool connected;
};

typedef struct ChardevClass {
    ObjectClass parent_class;
    /* Parse the backend options (the text after "stdio", "file:" ...) and
     * open the backend. */
    bool (*open)(Chardev *chr, const char *options, Error **errp);
    /* Take what open only checked (create or truncate an output file),
     * once the whole configuration is valid (NULL: open did it all). */
    bool (*start)(Chardev *chr, Error **errp);
    /* Write up to len bytes; returns bytes written or -1. */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    void (*close)(Chardev *chr);
    /* Called when the frontend can accept input again (NULL: nothing to
     * do, the main loop re-asks can_receive before every poll). */
    void (*accept_input)(Chardev *chr);
    /* Input reached EOF or failed (NULL: stop reading, report CLOSED). */
    void (*input_closed)(Chardev *chr);
} ChardevClass;

#define CHARDEV(obj) OBJECT_CHECK(Chardev, (obj), TYPE_CHARDEV)
#define CHARDEV_GET_CLASS(obj)                                                 \
    OBJECT_GET_CLASS(ChardevClass, (obj), TYPE_CHARDEV)

/* Create and open a backend from a -serial style spec: "stdio", "null",
 * "file:PATH" (output only, truncated by chardev_start()),
 * "unix:PATH,server[,wait=on|off]" (listens; accepts one client at a time and
 * goes back to listening when it leaves).  Unlike QEMU, wait defaults to off so
 * start-up never blocks; "wait=on" blocks until the first client connects.  The
 * chardev is added under /chardevs/<label>.  Errors name the spec and the
 * failure. stdio puts a terminal stdin into raw-ish mode (no echo, no line
 * editing, signals kept) and restores it at exit. */
Chardev *chardev_new_from_spec(const char *label, const char *spec,
                               Error **errp);
/* Start a backend made by chardev_new_from_spec(), once nothing else can
 * make the start fail: "file:PATH" is only checked by the spec and created
 * or truncated here, so a failed start leaves PATH as it was. */
bool chardev_start(Chardev *chr, Error **errp);
/* Close the backend and drop it from the tree. */
void chardev_destroy(Chardev *chr);

struct CharFrontend {
    Chardev *chr;
    CharCanReceive *can_receive;
    CharReceive *receive;
    CharEventHandler *event;
    void *opaque;
};

/* Attach fe to chr (fails if chr already has a frontend). */
bool char_fe_init(CharFrontend *fe, Chardev *chr, Error **errp);
void char_fe_deinit(CharFrontend *fe);
void char_fe_set_handlers(CharFrontend *fe, CharCanReceive *can_receive,
                          CharReceive *receive, CharEventHandler *event,
                          void *opaque);
/* Write all of buf, blocking if needed; returns len or -1.  A frontend with
 * no backend discards the data and returns len. */
int char_fe_write_all(CharFrontend *fe, const uint8_t *buf, int len);
/* Tell the backend the frontend has room again (e.g. after a FIFO read). */
void char_fe_accept_input(CharFrontend *fe);
bool char_fe_backend_connected(CharFrontend *fe);

#endif /* RIVET_CHARDEV_CHAR_H */

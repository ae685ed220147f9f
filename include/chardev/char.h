/*
 * Character devices: host-side backends (stdio, file, unix-socket server,
 * null) that a device frontend (a UART) writes to and receives from.
 *
 * Input is flow-controlled: the backend only reads from its fd when the
 * frontend's can_receive says how many bytes it can take, so a full FIFO
 * leaves the data in the host fd instead of dropping it.
 *
 * Output is flow-controlled too: a socket backend never blocks on a peer
 * that does not read.  It queues a bounded amount, then refuses bytes
 * (char_fe_can_write() is false) until the peer takes some, and then calls
 * the frontend's write_ready handler.  A UART shows that as a full
 * transmit FIFO.  The stdio, file and null backends always take every
 * byte, so a run with them never depends on host timing.
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
#define TYPE_CHARDEV_SOCKET_TCP "chardev-socket-tcp"

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
/* The backend takes output again after refusing some. */
typedef void CharWriteReady(void *opaque);

struct Chardev {
    Object parent_obj;
    char *label;
    CharFrontend *fe; /* at most one frontend */
    int in_fd;        /* -1 when the backend has no input */
    int out_fd;       /* -1 when output is discarded */
    bool connected;
    /* A second frontend asked first for input (char_fe_init_tap). */
    CharFrontend *tap;
    /* The backend's output queue is full: write takes nothing until it
     * calls chardev_write_ready() (a plain field: UARTs read it per FR
     * read). */
    bool write_blocked;
};

typedef struct ChardevClass {
    ObjectClass parent_class;
    /* Parse the backend options (the text after "stdio", "file:" ...) and
     * open the backend. */
    bool (*open)(Chardev *chr, const char *options, Error **errp);
    /* Take what open only checked (create or truncate an output file),
     * once the whole configuration is valid (NULL: open did it all). */
    bool (*start)(Chardev *chr, Error **errp);
    /* Write up to len bytes; returns bytes taken or -1.  Never waits for a
     * peer (socket); may block on a local file or terminal. */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    void (*close)(Chardev *chr);
    /* Called when the frontend can accept input again (NULL: nothing to
     * do, the main loop re-asks can_receive before every poll). */
    void (*accept_input)(Chardev *chr);
    /* Input reached EOF or failed (NULL: stop reading, report CLOSED). */
    void (*input_closed)(Chardev *chr);
    /* Drop the client, as when it leaves (NULL: the backend has none). */
    void (*disconnect)(Chardev *chr);
} ChardevClass;

#define CHARDEV(obj) OBJECT_CHECK(Chardev, (obj), TYPE_CHARDEV)
#define CHARDEV_GET_CLASS(obj)                                                 \
    OBJECT_GET_CLASS(ChardevClass, (obj), TYPE_CHARDEV)

/* Create and open a backend from a -serial style spec: "stdio", "null",
 * "file:PATH" (output only, truncated by chardev_start()),
 * "unix:PATH,server[,wait=on|off]" (listens; accepts one client at a time and
 * goes back to listening when it leaves; the socket file is owner-only),
 * "tcp:[HOST]:PORT,server[,wait=on|off]" (the same over TCP; no HOST
 * means 127.0.0.1).  Unlike QEMU, wait defaults to off so
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
    CharWriteReady *write_ready;
    void *opaque;
};

/* Attach fe to chr (fails if chr already has a frontend). */
bool char_fe_init(CharFrontend *fe, Chardev *chr, Error **errp);
/* Attach tap to chr as its tap: a second frontend whose can_receive is
 * asked before the frontend's, so it takes input ahead of it while it
 * wants some, and which writes to the backend like the frontend.  It gets
 * no events.  For the HTIF console, which shares the serial port with the
 * UART (fails if chr already has a tap). */
bool char_fe_init_tap(CharFrontend *tap, Chardev *chr, Error **errp);
/* Detach a frontend or a tap. */
void char_fe_deinit(CharFrontend *fe);
void char_fe_set_handlers(CharFrontend *fe, CharCanReceive *can_receive,
                          CharReceive *receive, CharEventHandler *event,
                          CharWriteReady *write_ready, void *opaque);
/* Write what the backend takes now: returns the bytes taken (fewer than
 * len when a socket peer is not reading; the rest is the caller's to keep
 * or drop) or -1 on error.  A frontend with no backend discards the data
 * and returns len. */
int char_fe_write(CharFrontend *fe, const uint8_t *buf, int len);
/* Whether char_fe_write would take at least one byte now; when it was
 * false, write_ready runs once it turns true again.  Inline: a UART asks
 * on every UARTFR read, and polling drivers read it per byte. */
static inline bool char_fe_can_write(const CharFrontend *fe)
{
    return !fe->chr || !fe->chr->write_blocked;
}
/* Drop the backend's client as if it had left (CLOSED follows; a socket
 * listens again); nothing for backends without clients.  Not from inside
 * the backend's own callbacks. */
void char_fe_disconnect(CharFrontend *fe);
/* Tell the backend the frontend has room again (e.g. after a FIFO read). */
void char_fe_accept_input(CharFrontend *fe);
bool char_fe_backend_connected(CharFrontend *fe);

#endif /* RIVET_CHARDEV_CHAR_H */

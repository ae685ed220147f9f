/*
 * The chardev backends: null (discards), stdio (the terminal), file (output
 * to a file, truncated when the machine starts) and socket (a unix or TCP
 * socket server taking one client at a time, with non-blocking, bounded
 * output).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "chardev-internal.h"
#include "util/main-loop.h"
#include "util/output-file.h"

/* ---------------------------------------------------------------------- */
/* null                                                                    */

static bool null_open(Chardev *chr, const char *options, Error **errp)
{
    if (*options) {
        error_setg(errp, "null: takes no options, got '%s'", options);
        return false;
    }
    chr->connected = true;
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    (void)chr;
    (void)buf;
    return len;
}

static void null_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ChardevClass *cc = (ChardevClass *)klass;
    cc->open = null_open;
    cc->write = null_write;
}

/* ---------------------------------------------------------------------- */
/* Output to an fd, shared by stdio and file                               */

/* A write error (a full disk, a closed stdout) is reported once, naming
 * the output (path, NULL for stdout), and the guest's later output is
 * discarded: the machine runs on, and the exit status says output was lost
 * (error_output_lost()). */
static int fd_write(Chardev *chr, const uint8_t *buf, int len, const char *path)
{
    if (chr->out_fd < 0) {
        return len;
    }
    if (chardev_fd_write_all(chr->out_fd, buf, len) < 0) {
        chr->out_fd = -1;
        error_report_output_lost(errno,
                                 "cannot write the guest output of %s to "
                                 "%s%s%s; later output is discarded",
                                 chr->label, path ? "'" : "",
                                 path ? path : "stdout", path ? "'" : "");
    }
    return len;
}

/* ---------------------------------------------------------------------- */
/* stdio                                                                   */

static Chardev *stdio_owner;
static bool stdio_termios_saved;
static struct termios stdio_saved_termios;

static void stdio_restore_terminal(void)
{
    if (stdio_termios_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_termios);
    }
}

/* Every signal whose default action ends the process: a terminal left
 * without echo and line editing is unusable, whatever killed us. */
static const int stdio_fatal_signals[] = {
    SIGHUP,  SIGINT,  SIGQUIT,   SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
    SIGFPE,  SIGUSR1, SIGSEGV,   SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
    SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS,
};
#define STDIO_FATAL_SIGNAL_COUNT                                               \
    (sizeof(stdio_fatal_signals) / sizeof(stdio_fatal_signals[0]))
static struct sigaction stdio_previous_actions[STDIO_FATAL_SIGNAL_COUNT];

/* These signals end the process without running atexit handlers: put the
 * terminal back first, then let the signal do what it did before (die, or
 * a sanitizer's report), by re-raising it under the previous action.
 * Only async-signal-safe calls: tcsetattr, sigaction, raise. */
static void stdio_restore_on_signal(int sig)
{
    stdio_restore_terminal();
    for (size_t i = 0; i < STDIO_FATAL_SIGNAL_COUNT; i++) {
        if (stdio_fatal_signals[i] == sig) {
            sigaction(sig, &stdio_previous_actions[i], NULL);
        }
    }
    /* Blocked while this handler runs: delivered as soon as it returns (a
     * fault re-executes the faulting instruction and comes back anyway). */
    raise(sig);
}

static void stdio_catch_fatal_signals(void)
{
    for (size_t i = 0; i < STDIO_FATAL_SIGNAL_COUNT; i++) {
        struct sigaction *previous = &stdio_previous_actions[i];
        sigaction(stdio_fatal_signals[i], NULL, previous);
        /* An ignored signal (nohup's SIGHUP, a parent's SIGPIPE) stays
         * ignored: it cannot end the process. */
        if (!(previous->sa_flags & SA_SIGINFO) &&
            previous->sa_handler == SIG_IGN) {
            continue;
        }
        struct sigaction sa = {.sa_handler = stdio_restore_on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(stdio_fatal_signals[i], &sa, NULL);
    }
}

/* Hand keys to the guest as they are typed (no line editing, no echo: the
 * guest echoes), but keep ^C etc. working so the user can always quit. */
static void stdio_setup_terminal(void)
{
    if (!isatty(STDIN_FILENO) ||
        tcgetattr(STDIN_FILENO, &stdio_saved_termios) != 0) {
        return;
    }
    static bool atexit_registered;
    if (!atexit_registered) {
        atexit_registered = true;
        atexit(stdio_restore_terminal);
        stdio_catch_fatal_signals();
    }
    stdio_termios_saved = true;
    struct termios raw = stdio_saved_termios;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
    raw.c_lflag |= ISIG;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

static bool stdio_open(Chardev *chr, const char *options, Error **errp)
{
    if (*options) {
        error_setg(errp, "stdio: takes no options, got '%s'", options);
        return false;
    }
    if (stdio_owner) {
        error_setg(errp, "stdio is already used by chardev '%s'",
                   stdio_owner->label);
        return false;
    }
    /* A closed stdin (e.g. `rivet <&-`) just means no input. */
    chr->in_fd = fcntl(STDIN_FILENO, F_GETFD) >= 0 ? STDIN_FILENO : -1;
    chr->out_fd = STDOUT_FILENO;
    if (!chardev_start_input(chr, errp)) {
        chr->in_fd = -1;
        return false;
    }
    if (chr->in_fd >= 0) {
        stdio_setup_terminal();
    }
    stdio_owner = chr;
    chr->connected = true;
    return true;
}

static void stdio_close(Chardev *chr)
{
    if (stdio_owner != chr) {
        return; /* never opened */
    }
    chardev_stop_input(chr);
    stdio_restore_terminal();
    stdio_termios_saved = false;
    stdio_owner = NULL;
    chr->in_fd = -1;
    chr->out_fd = -1;
}

static int stdio_write(Chardev *chr, const uint8_t *buf, int len)
{
    return fd_write(chr, buf, len, NULL);
}

static void stdio_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ChardevClass *cc = (ChardevClass *)klass;
    cc->open = stdio_open;
    cc->write = stdio_write;
    cc->close = stdio_close;
}

/* ---------------------------------------------------------------------- */
/* file                                                                    */

typedef struct FileChardev {
    Chardev parent_obj;
    OutputFile pending; /* checked by open, created or truncated by start */
    char *path;
    int fd;
} FileChardev;

static void file_instance_init(Object *obj)
{
    FileChardev *s = (FileChardev *)obj;
    s->fd = -1;
    s->pending.fd = -1;
}

static bool file_open(Chardev *chr, const char *path, Error **errp)
{
    FileChardev *s = (FileChardev *)chr;
    if (!*path) {
        error_setg(errp, "file: needs a path (file:PATH)");
        return false;
    }
    if (!output_file_check(&s->pending, path, errp)) {
        return false;
    }
    s->path = strdup(path);
    chr->connected = true;
    return true;
}

static bool file_start(Chardev *chr, Error **errp)
{
    FileChardev *s = (FileChardev *)chr;
    s->fd = output_file_open(&s->pending, errp);
    chr->out_fd = s->fd;
    return s->fd >= 0;
}

static int file_write(Chardev *chr, const uint8_t *buf, int len)
{
    FileChardev *s = (FileChardev *)chr;
    return fd_write(chr, buf, len, s->path);
}

static void file_close(Chardev *chr)
{
    FileChardev *s = (FileChardev *)chr;
    output_file_discard(&s->pending);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    chr->out_fd = -1;
    free(s->path);
    s->path = NULL;
}

static void file_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ChardevClass *cc = (ChardevClass *)klass;
    cc->open = file_open;
    cc->start = file_start;
    cc->write = file_write;
    cc->close = file_close;
}

/* ---------------------------------------------------------------------- */
/* socket (unix, server)                                                   */

/* Output queued for the client: sent in batches (one send() per byte
 * would cost more than the guest's work), and what waits for a client
 * that reads slower than the guest writes.  When it is full and the
 * client takes nothing, the backend refuses bytes and the UART shows a
 * full transmit FIFO: output never blocks the machine. */
#define SOCKET_OUT_QUEUE 4096
/* At exit, how long queued output waits for a client that stopped reading
 * before it is dropped and counted on stderr. */
#define SOCKET_EXIT_LINGER_MS 1000

typedef struct SocketChardev {
    Chardev parent_obj;
    char *path; /* unix: the socket file; NULL for TCP */
    char *name; /* "unix:PATH" or "tcp:HOST:PORT", for messages */
    int listen_fd;
    uint8_t out_queue[SOCKET_OUT_QUEUE];
    size_t out_len;
    bool out_watched; /* the main loop sends the queue when it can */
    struct SocketChardev *next_open; /* the list the exit hook closes */
} SocketChardev;

/* Open sockets: closed at exit (queued output flushed, the path removed)
 * even when nobody destroys the chardev. */
static SocketChardev *open_sockets;

static void socket_instance_init(Object *obj)
{
    ((SocketChardev *)obj)->listen_fd = -1;
}

static void socket_accept(void *opaque);

static bool socket_listen_again(SocketChardev *s, Error **errp)
{
    return main_loop_add_fd(s->listen_fd, NULL, socket_accept, s, errp);
}

static void socket_attach_client(SocketChardev *s, int fd)
{
    Chardev *chr = &s->parent_obj;
    chr->in_fd = fd;
    chr->out_fd = fd;
    if (!chardev_start_input(chr, NULL)) {
        close(fd);
        chr->in_fd = chr->out_fd = -1;
        return;
    }
    /* One client at a time: others wait in the backlog until it leaves. */
    main_loop_remove_fd(s->listen_fd);
    chardev_set_connected(chr, true);
}

static void socket_accept(void *opaque)
{
    SocketChardev *s = opaque;
    /* Non-blocking: a client that does not read must never stall us. */
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
        socket_attach_client(s, fd);
    }
}

/* The client is gone: its queued output goes with it (a UART with no
 * cable), and a frontend waiting for room may send again. */
static void socket_drop_client(SocketChardev *s)
{
    Chardev *chr = &s->parent_obj;
    if (chr->in_fd < 0) {
        return;
    }
    chardev_stop_input(chr);
    main_loop_remove_fd_writable(chr->out_fd);
    s->out_watched = false;
    s->out_len = 0;
    close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
    chardev_set_connected(chr, false);
    if (chr->write_blocked) {
        chardev_write_ready(chr);
    }
}

static void socket_input_closed(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    socket_drop_client(s);
    socket_listen_again(s, NULL);
}

/* Send what the client takes of the queue; false when it is gone. */
static bool socket_send_queued(SocketChardev *s)
{
    Chardev *chr = &s->parent_obj;
    ssize_t n = send(chr->out_fd, s->out_queue, s->out_len,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
    s->out_len -= (size_t)n;
    memmove(s->out_queue, s->out_queue + n, s->out_len);
    return true;
}

/* Main-loop write watch, armed while output is queued. */
static void socket_output_ready(void *opaque)
{
    SocketChardev *s = opaque;
    Chardev *chr = &s->parent_obj;
    if (!socket_send_queued(s)) {
        socket_input_closed(chr);
        return;
    }
    if (s->out_len == 0) {
        main_loop_remove_fd_writable(chr->out_fd);
        s->out_watched = false;
    }
    if (chr->write_blocked && s->out_len < SOCKET_OUT_QUEUE) {
        chardev_write_ready(chr);
    }
}

/* Queues the bytes and sends them in batches: when the queue fills, and
 * from the main loop's write watch (at the latest at the end of the CPU
 * slice, or when the guest idles).  Never waits: what does not fit while
 * the client is not reading is refused.  With no client the bytes are
 * dropped, like a UART with no cable.  Never drops the client here: the
 * frontend is in the middle of a register write. */
static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (chr->out_fd < 0 || len <= 0) {
        return len;
    }
    size_t total = (size_t)len;
    size_t done = 0;
    for (;;) {
        size_t take = total - done;
        if (take > SOCKET_OUT_QUEUE - s->out_len) {
            take = SOCKET_OUT_QUEUE - s->out_len;
        }
        memcpy(s->out_queue + s->out_len, buf + done, take);
        s->out_len += take;
        done += take;
        if (s->out_len < SOCKET_OUT_QUEUE) {
            break;
        }
        if (!socket_send_queued(s)) {
            s->out_len = 0; /* gone: the read watch sees the hangup */
            return len;
        }
        if (s->out_len == SOCKET_OUT_QUEUE) {
            break; /* the client is not reading */
        }
    }
    if (s->out_len > 0 && !s->out_watched) {
        s->out_watched = main_loop_add_fd_writable(
            chr->out_fd, socket_output_ready, s, NULL);
        if (!s->out_watched) {
            /* Out of memory for the watch: nothing would ever send the
             * queue, so drop it rather than stall the frontend forever. */
            s->out_len = 0;
        }
    }
    chr->write_blocked = s->out_len == SOCKET_OUT_QUEUE;
    return (int)done;
}

static int64_t socket_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Before closing: give a reading client the queued output (what the guest
 * already wrote), but wait at most SOCKET_EXIT_LINGER_MS for one that does
 * not read, and say how much it lost. */
static void socket_flush_before_close(SocketChardev *s)
{
    Chardev *chr = &s->parent_obj;
    int64_t deadline = socket_monotonic_ms() + SOCKET_EXIT_LINGER_MS;
    while (s->out_len > 0 && chr->out_fd >= 0) {
        int64_t left = deadline - socket_monotonic_ms();
        if (left <= 0) {
            break;
        }
        struct pollfd pfd = {.fd = chr->out_fd, .events = POLLOUT};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
            break;
        }
        if (!socket_send_queued(s)) {
            return; /* the client left: nothing more was expected */
        }
    }
    if (s->out_len > 0 && chr->out_fd >= 0) {
        error_report("%s: %zu bytes of guest output not delivered: the "
                     "client stopped reading",
                     s->name, s->out_len);
        s->out_len = 0;
    }
}

/* options: "WHERE,server[,wait=on|off]" after "SCHEME:"; *where is
 * WHERE (malloc'd), the path or HOST:PORT. */
static bool socket_parse(const char *scheme, const char *options, bool *wait,
                         char **where, Error **errp)
{
    char *copy = strdup(options);
    char *save = NULL;
    bool server = false;
    bool ok = true;
    *wait = false;
    *where = NULL;

    char *first = strtok_r(copy, ",", &save);
    if (!first || options[0] == ',') {
        error_setg(errp, "%s: needs %s (%s:%s,server)", scheme,
                   strcmp(scheme, "unix") == 0 ? "a path" : "an address",
                   scheme, strcmp(scheme, "unix") == 0 ? "PATH" : "HOST:PORT");
        free(copy);
        return false;
    }
    for (char *opt = strtok_r(NULL, ",", &save); opt && ok;
         opt = strtok_r(NULL, ",", &save)) {
        if (strcmp(opt, "server") == 0 || strcmp(opt, "server=on") == 0) {
            server = true;
        } else if (strcmp(opt, "wait=off") == 0 || strcmp(opt, "nowait") == 0) {
            *wait = false;
        } else if (strcmp(opt, "wait=on") == 0 || strcmp(opt, "wait") == 0) {
            *wait = true;
        } else {
            error_setg(errp,
                       "%s:%s: unknown option '%s' (expected server, "
                       "wait=on or wait=off)",
                       scheme, options, opt);
            ok = false;
        }
    }
    if (ok && !server) {
        error_setg(errp,
                   "%s:%s: only server mode is supported (add "
                   "',server')",
                   scheme, options);
        ok = false;
    }
    if (ok) {
        *where = strdup(first);
    }
    free(copy);
    return ok;
}

/* Make the path free for bind(): a socket file nobody listens on is left
 * over from a run that did not clean up and is removed; a live server's
 * socket, and anything that is not a socket, are refused and kept. */
static bool socket_claim_path(const struct sockaddr_un *addr, Error **errp)
{
    const char *path = addr->sun_path;
    struct stat st;
    if (lstat(path, &st) != 0) {
        return true; /* absent (or unreachable: bind() says why) */
    }
    if (!S_ISSOCK(st.st_mode)) {
        error_setg(errp,
                   "unix:%s: exists and is not a socket; not replacing it",
                   path);
        return false;
    }
    /* Non-blocking, so a live server with a full backlog answers EAGAIN
     * instead of holding us up. */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (probe < 0) {
        error_setg_errno(errp, errno, "unix:%s: cannot create socket", path);
        return false;
    }
    int rc = connect(probe, (const struct sockaddr *)addr, sizeof(*addr));
    int err = rc == 0 ? 0 : errno;
    close(probe);
    if (err == 0 || err == EAGAIN || err == EINPROGRESS) {
        error_setg(errp,
                   "unix:%s: another process is listening on this socket "
                   "(a second rivet?)",
                   path);
        return false;
    }
    if (err != ECONNREFUSED) {
        error_setg_errno(errp, err,
                         "unix:%s: cannot tell whether the socket is in use",
                         path);
        return false;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        error_setg_errno(errp, errno, "unix:%s: cannot remove the stale socket",
                         path);
        return false;
    }
    return true;
}

static void socket_close(Chardev *chr);

static void socket_close_all_at_exit(void)
{
    while (open_sockets) {
        socket_close(&open_sockets->parent_obj); /* unlinks it from the list */
    }
}

/* Listen on the bound fd and wait for the first client if asked to. */
static bool socket_start_listening(SocketChardev *s, int fd, bool wait,
                                   Error **errp)
{
    if (listen(fd, 1) != 0) {
        error_setg_errno(errp, errno, "could not listen on '%s'", s->name);
        close(fd);
        if (s->path) {
            unlink(s->path);
        }
        return false;
    }
    s->listen_fd = fd;
    static bool exit_hook_registered;
    if (!exit_hook_registered) {
        exit_hook_registered = true;
        atexit(socket_close_all_at_exit);
    }
    s->next_open = open_sockets;
    open_sockets = s;

    if (wait) {
        fprintf(stderr, "rivet: waiting for a connection on %s\n", s->name);
        int cfd;
        do {
            cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        } while (cfd < 0 && errno == EINTR);
        if (cfd < 0) {
            error_setg_errno(errp, errno, "accept on '%s' failed", s->name);
            return false;
        }
        if (!socket_listen_again(s, errp)) {
            close(cfd);
            return false;
        }
        socket_attach_client(s, cfd);
        return true;
    }
    return socket_listen_again(s, errp);
}

static char *socket_name(const char *scheme, const char *where)
{
    char *name = NULL;
    if (asprintf(&name, "%s:%s", scheme, where) < 0) {
        return NULL;
    }
    return name;
}

static bool unix_open(Chardev *chr, const char *options, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    bool wait;
    char *path;
    if (!socket_parse("unix", options, &wait, &path, errp)) {
        return false;
    }
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        error_setg(errp, "unix:%s: socket path is too long", path);
        free(path);
        return false;
    }
    s->path = path;
    s->name = socket_name("unix", path);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, s->path);
    if (!socket_claim_path(&addr, errp)) {
        return false;
    }

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "unix:%s: cannot create socket", s->path);
        return false;
    }
    /* Owner-only from its creation: whoever connects drives the machine
     * (a monitor) or reads the guest's console. */
    mode_t old_umask = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    int bind_errno = errno;
    umask(old_umask);
    if (rc != 0) {
        error_setg_errno(errp, bind_errno, "could not listen on '%s'", s->path);
        close(fd);
        return false;
    }
    return socket_start_listening(s, fd, wait, errp);
}

/* "HOST:PORT" (HOST may be empty: loopback; an IPv6 address in [...]). */
static bool tcp_split(const char *where, char **host, char **port, Error **errp)
{
    const char *colon = strrchr(where, ':');
    if (!colon || colon[1] == '\0') {
        error_setg(errp, "tcp:%s: expected HOST:PORT", where);
        return false;
    }
    const char *h = where;
    size_t hlen = (size_t)(colon - where);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    *host = hlen ? strndup(h, hlen) : NULL;
    *port = strdup(colon + 1);
    return true;
}

static bool tcp_open(Chardev *chr, const char *options, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    bool wait;
    char *where, *host, *port;
    if (!socket_parse("tcp", options, &wait, &where, errp)) {
        return false;
    }
    s->name = socket_name("tcp", where);
    bool split = tcp_split(where, &host, &port, errp);
    free(where);
    if (!split) {
        return false;
    }
    /* No host named: loopback only (QEMU would listen on every address;
     * a monitor drives the machine, so rivet does not by default). */
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
    };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host ? host : "127.0.0.1", port, &hints, &res);
    free(host);
    free(port);
    if (gai != 0) {
        error_setg(errp, "%s: %s", s->name, gai_strerror(gai));
        return false;
    }
    int fd = -1;
    int err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "could not listen on '%s'", s->name);
        return false;
    }
    return socket_start_listening(s, fd, wait, errp);
}

/* The frontend drops its client (a QMP monitor: a message over its size
 * limit, output the client does not read).  What is queued goes out first
 * if the client takes it now (the error telling it why); never waits. */
static void socket_disconnect(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (chr->out_fd >= 0 && s->out_len > 0) {
        socket_send_queued(s);
    }
    socket_input_closed(chr);
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    for (SocketChardev **p = &open_sockets; *p; p = &(*p)->next_open) {
        if (*p == s) {
            *p = s->next_open;
            break;
        }
    }
    if (chr->in_fd >= 0) {
        socket_flush_before_close(s);
        chardev_stop_input(chr);
        main_loop_remove_fd_writable(chr->out_fd);
        s->out_watched = false;
        close(chr->in_fd);
        chr->in_fd = chr->out_fd = -1;
    }
    if (s->listen_fd >= 0) {
        main_loop_remove_fd(s->listen_fd);
        close(s->listen_fd);
        s->listen_fd = -1;
        if (s->path) {
            unlink(s->path);
        }
    }
    free(s->path);
    s->path = NULL;
    free(s->name);
    s->name = NULL;
}

static void socket_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ChardevClass *cc = (ChardevClass *)klass;
    cc->open = unix_open;
    cc->write = socket_write;
    cc->close = socket_close;
    cc->input_closed = socket_input_closed;
    cc->disconnect = socket_disconnect;
}

static void tcp_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ((ChardevClass *)klass)->open = tcp_open;
}

/* ---------------------------------------------------------------------- */

static const TypeInfo backend_types[] = {
    {
        .name = TYPE_CHARDEV_NULL,
        .parent = TYPE_CHARDEV,
        .class_init = null_class_init,
    },
    {
        .name = TYPE_CHARDEV_STDIO,
        .parent = TYPE_CHARDEV,
        .class_init = stdio_class_init,
    },
    {
        .name = TYPE_CHARDEV_FILE,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(FileChardev),
        .instance_init = file_instance_init,
        .class_init = file_class_init,
    },
    {
        .name = TYPE_CHARDEV_SOCKET,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(SocketChardev),
        .instance_init = socket_instance_init,
        .class_init = socket_class_init,
    },
    {
        .name = TYPE_CHARDEV_SOCKET_TCP,
        .parent = TYPE_CHARDEV_SOCKET,
        .class_init = tcp_class_init,
    },
};

void chardev_register_backends(void)
{
    type_register_static_array(
        backend_types, (int)(sizeof(backend_types) / sizeof(backend_types[0])));
}

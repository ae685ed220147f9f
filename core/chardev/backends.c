/*
 * The chardev backends: null (discards), stdio (the terminal), file (output
 * to a file, truncated when the machine starts) and socket (a unix-socket
 * server taking one client at a time).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
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

typedef struct SocketChardev {
    Chardev parent_obj;
    char *path;
    int listen_fd;
} SocketChardev;

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
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        socket_attach_client(s, fd);
    }
}

static void socket_drop_client(SocketChardev *s)
{
    Chardev *chr = &s->parent_obj;
    if (chr->in_fd < 0) {
        return;
    }
    chardev_stop_input(chr);
    close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
    chardev_set_connected(chr, false);
}

static void socket_input_closed(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    socket_drop_client(s);
    socket_listen_again(s, NULL);
}

/* options: "PATH,server[,wait=on|off]" */
static bool socket_parse(SocketChardev *s, const char *options, bool *wait,
                         Error **errp)
{
    char *copy = strdup(options);
    char *save = NULL;
    bool server = false;
    bool ok = true;
    *wait = false;

    char *path = strtok_r(copy, ",", &save);
    if (!path || options[0] == ',') {
        error_setg(errp, "unix: needs a path (unix:PATH,server)");
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
                       "unix:%s: unknown option '%s' (expected server, "
                       "wait=on or wait=off)",
                       options, opt);
            ok = false;
        }
    }
    if (ok && !server) {
        error_setg(errp,
                   "unix:%s: only server mode is supported (add "
                   "',server')",
                   options);
        ok = false;
    }
    if (ok && strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        error_setg(errp, "unix:%s: socket path is too long", path);
        ok = false;
    }
    if (ok) {
        s->path = strdup(path);
    }
    free(copy);
    return ok;
}

static bool socket_open(Chardev *chr, const char *options, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    bool wait;
    if (!socket_parse(s, options, &wait, errp)) {
        return false;
    }

    /* A socket file left by an earlier run would make bind() fail. */
    struct stat st;
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);
    }

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "unix:%s: cannot create socket", s->path);
        return false;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, s->path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        error_setg_errno(errp, errno, "could not listen on '%s'", s->path);
        close(fd);
        return false;
    }
    if (listen(fd, 1) != 0) {
        error_setg_errno(errp, errno, "could not listen on '%s'", s->path);
        close(fd);
        unlink(s->path);
        return false;
    }
    s->listen_fd = fd;

    if (wait) {
        fprintf(stderr, "rivet: waiting for a connection on unix:%s\n",
                s->path);
        int cfd;
        do {
            cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        } while (cfd < 0 && errno == EINTR);
        if (cfd < 0) {
            error_setg_errno(errp, errno, "accept on '%s' failed", s->path);
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

/* Data for a peer that is not there is dropped, like a UART with no cable. */
static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    int done = 0;
    while (chr->out_fd >= 0 && done < len) {
        ssize_t n =
            send(chr->out_fd, buf + done, (size_t)(len - done), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            break; /* the reader will see the hangup and clean up */
        }
        done += (int)n;
    }
    return len;
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (chr->in_fd >= 0) {
        chardev_stop_input(chr);
        close(chr->in_fd);
        chr->in_fd = chr->out_fd = -1;
    }
    if (s->listen_fd >= 0) {
        main_loop_remove_fd(s->listen_fd);
        close(s->listen_fd);
        s->listen_fd = -1;
        unlink(s->path);
    }
    free(s->path);
    s->path = NULL;
}

static void socket_class_init(ObjectClass *klass, const void *data)
{
    (void)data;
    ChardevClass *cc = (ChardevClass *)klass;
    cc->open = socket_open;
    cc->write = socket_write;
    cc->close = socket_close;
    cc->input_closed = socket_input_closed;
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
};

void chardev_register_backends(void)
{
    type_register_static_array(
        backend_types, (int)(sizeof(backend_types) / sizeof(backend_types[0])));
}

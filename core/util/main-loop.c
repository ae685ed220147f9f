/*
 * The main loop: poll() over the fds of chardev backends, dispatch their
 * read and write handlers, then run expired virtual-clock timers.  It also
 * holds the "stop the machine" request that devices (power/test, HTIF) raise
 * and the CPU loop checks between slices.
 */
#include "util/main-loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/vclock.h"

/* A read watch (POLLIN, with can_read flow control) or a write watch
 * (POLLOUT); an fd may have one of each. */
typedef struct FdWatch {
    int fd;
    short events;
    FdPollCheck *can_read;
    FdHandler *cb;
    void *opaque;
} FdWatch;

static FdWatch *watches;
static int watch_count;
static int watch_capacity;

static bool exit_requested;
static uint64_t exit_code;

static int find_watch(int fd, short events)
{
    for (int i = 0; i < watch_count; i++) {
        if (watches[i].fd == fd && watches[i].events == events) {
            return i;
        }
    }
    return -1;
}

static bool add_watch(int fd, short events, FdPollCheck *can_read,
                      FdHandler *cb, void *opaque, Error **errp)
{
    const char *what = events == POLLIN ? "read" : "write";
    if (fd < 0 || !cb) {
        error_setg(errp, "cannot watch fd %d without a %s handler", fd, what);
        return false;
    }
    if (find_watch(fd, events) >= 0) {
        error_setg(errp, "fd %d is already watched for %s by the main loop", fd,
                   what);
        return false;
    }
    if (watch_count == watch_capacity) {
        int capacity = watch_capacity ? watch_capacity * 2 : 8;
        FdWatch *grown = realloc(watches, sizeof(*watches) * capacity);
        if (!grown) {
            error_setg(errp, "out of memory watching fd %d", fd);
            return false;
        }
        watches = grown;
        watch_capacity = capacity;
    }
    watches[watch_count++] = (FdWatch){fd, events, can_read, cb, opaque};
    return true;
}

bool main_loop_add_fd(int fd, FdPollCheck *can_read, FdHandler *read_cb,
                      void *opaque, Error **errp)
{
    return add_watch(fd, POLLIN, can_read, read_cb, opaque, errp);
}

bool main_loop_add_fd_writable(int fd, FdHandler *write_cb, void *opaque,
                               Error **errp)
{
    return add_watch(fd, POLLOUT, NULL, write_cb, opaque, errp);
}

static void remove_watch(int fd, short events)
{
    int i = find_watch(fd, events);
    if (i < 0) {
        return;
    }
    watches[i] = watches[--watch_count];
    if (watch_count == 0) {
        /* Release the array so a clean shutdown leaves nothing behind. */
        free(watches);
        watches = NULL;
        watch_capacity = 0;
    }
}

void main_loop_remove_fd(int fd)
{
    remove_watch(fd, POLLIN);
}

void main_loop_remove_fd_writable(int fd)
{
    remove_watch(fd, POLLOUT);
}

static bool watch_wants_input(const FdWatch *w)
{
    return !w->can_read || w->can_read(w->opaque);
}

int main_loop_active_fds(void)
{
    int active = 0;
    for (int i = 0; i < watch_count; i++) {
        active += watch_wants_input(&watches[i]);
    }
    return active;
}

/* Handlers may add or remove watches (a socket closing on EOF), so look the
 * fd up again for each ready entry instead of holding pointers. */
static bool dispatch_ready(const struct pollfd *fds, int nfds)
{
    bool ran = false;
    for (int i = 0; i < nfds; i++) {
        if (!fds[i].revents) {
            continue;
        }
        int w = find_watch(fds[i].fd, fds[i].events);
        if (w < 0) {
            continue;
        }
        if (fds[i].revents & POLLNVAL) {
            /* Closed behind our back: drop it instead of spinning on it. */
            log_msg(LOG_LEVEL_WARN,
                    "main loop: fd %d was closed while "
                    "watched; no longer polling it",
                    fds[i].fd);
            remove_watch(fds[i].fd, fds[i].events);
            continue;
        }
        FdWatch watch = watches[w];
        /* An earlier handler may have filled the frontend since poll(). */
        if (!watch_wants_input(&watch)) {
            continue;
        }
        watch.cb(watch.opaque);
        ran = true;
    }
    return ran;
}

/* The pollfd array of the watches that can fire now (NULL when none). */
static struct pollfd *collect_fds(int *nfds)
{
    struct pollfd *fds = NULL;
    *nfds = 0;
    if (watch_count) {
        fds = calloc(watch_count, sizeof(*fds));
    }
    for (int i = 0; fds && i < watch_count; i++) {
        if (watch_wants_input(&watches[i])) {
            fds[*nfds].fd = watches[i].fd;
            fds[*nfds].events = watches[i].events;
            (*nfds)++;
        }
    }
    return fds;
}

bool main_loop_wait_ready(int timeout_ms)
{
    int nfds;
    struct pollfd *fds = collect_fds(&nfds);
    int ready = poll(fds, nfds, timeout_ms);
    free(fds);
    return ready > 0;
}

bool main_loop_poll(int timeout_ms)
{
    int nfds;
    struct pollfd *fds = collect_fds(&nfds);

    /* With nothing to wait for, blocking forever would hang the machine:
     * the caller's timers are virtual and cannot wake poll(). */
    if (nfds == 0 && timeout_ms < 0) {
        timeout_ms = 0;
    }

    bool ran = false;
    /* Skip the syscall when there is nothing to look at: the CPU loop calls
     * this between every slice. */
    int ready =
        (nfds == 0 && timeout_ms == 0) ? 0 : poll(fds, nfds, timeout_ms);
    if (ready > 0) {
        ran = dispatch_ready(fds, nfds);
    } else if (ready < 0 && errno != EINTR) {
        log_msg(LOG_LEVEL_WARN, "main loop: poll failed (errno %d)", errno);
    }
    free(fds);

    if (vclock_run_expired()) {
        ran = true;
    }
    return ran;
}

void main_loop_request_exit(uint64_t code)
{
    /* The first request is the real reason the machine stops (e.g. a test
     * failure code); later ones must not mask it. */
    if (exit_requested) {
        return;
    }
    exit_requested = true;
    exit_code = code;
}

bool main_loop_exit_requested(void)
{
    return exit_requested;
}

uint64_t main_loop_exit_code(void)
{
    return exit_code;
}

int main_loop_exit_status(void)
{
    /* A process exit status keeps only 8 bits: 256 would read as success.
     * Saturate instead, so every failure stays a failure. */
    return exit_code > MAIN_LOOP_EXIT_STATUS_MAX ? MAIN_LOOP_EXIT_STATUS_MAX
                                                 : (int)exit_code;
}

void main_loop_reset(void)
{
    exit_requested = false;
    exit_code = 0;
}

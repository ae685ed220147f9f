/*
 * The main loop: file descriptors of chardev backends are polled here, and
 * expired virtual-clock timers run here, between slices of guest execution.
 */
#ifndef RIVET_UTIL_MAIN_LOOP_H
#define RIVET_UTIL_MAIN_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

typedef void FdHandler(void *opaque);
/* Returns true when the handler wants to be told about readability now
 * (can-receive flow control: a full device FIFO answers false). */
typedef bool FdPollCheck(void *opaque);

/* Watch fd for readability: read_cb runs when data (or EOF/hangup) is
 * available and can_read (if non-NULL) returns true.  One watch per fd. */
bool main_loop_add_fd(int fd, FdPollCheck *can_read, FdHandler *read_cb,
                      void *opaque, Error **errp);
void main_loop_remove_fd(int fd);

/* Watch fd for writability: write_cb runs when it can take data (or hung
 * up), until main_loop_remove_fd_writable().  Independent of the read
 * watch of the same fd.  A backend with output queued for a slow peer
 * uses it, so output never blocks the machine. */
bool main_loop_add_fd_writable(int fd, FdHandler *write_cb, void *opaque,
                               Error **errp);
void main_loop_remove_fd_writable(int fd);

/* Poll watched fds for up to timeout_ms (0: just look, -1: block until
 * something is ready; never blocks when no watch can fire),
 * dispatch handlers, then run expired timers.  Handlers may add and remove
 * watches.
 * Returns true if any handler or timer ran. */
bool main_loop_poll(int timeout_ms);

/* Wait up to timeout_ms (>= 0) for a watch to become ready, without
 * dispatching it; with no watch that can fire, just sleep that long.
 * Returns true if one is ready (false also when a signal interrupted the
 * wait).  The pacing of an idle guest waits here (util/pace.h). */
bool main_loop_wait_ready(int timeout_ms);

/* Number of watches that can still fire: fds willing to read, and fds
 * waiting to take queued output. */
int main_loop_active_fds(void);

/* The largest process exit status. */
#define MAIN_LOOP_EXIT_STATUS_MAX 255

/* Request that the machine stop with the guest's result: 0 for success,
 * any other code for a failure (the power device's `fail` code, the HTIF
 * exit code).  The CPU loop checks main_loop_exit_requested() between
 * slices.  The first request wins: later ones do not change the code.
 * main_loop_reset() clears the request (fd watches are kept). */
void main_loop_request_exit(uint64_t code);
bool main_loop_exit_requested(void);
/* The code as the guest gave it. */
uint64_t main_loop_exit_code(void);
/* The process exit status for it: the code, or MAIN_LOOP_EXIT_STATUS_MAX
 * when the code does not fit (so a failure never reads as 0). */
int main_loop_exit_status(void);
void main_loop_reset(void);

#endif /* RIVET_UTIL_MAIN_LOOP_H */

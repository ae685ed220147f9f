/*
 * Helpers shared between the chardev core (char.c) and the backends
 * (backends.c); not part of the public API.
 */
#ifndef RIVET_CHARDEV_INTERNAL_H
#define RIVET_CHARDEV_INTERNAL_H

#include "chardev/char.h"

/* Largest single read from a backend fd (further bounded by can_receive). */
#define CHARDEV_READ_CHUNK 4096

/* Register the concrete backend types (called once from char.c). */
void chardev_register_backends(void);

/* Watch chr->in_fd in the main loop, delivering input to the frontend. */
bool chardev_start_input(Chardev *chr, Error **errp);
void chardev_stop_input(Chardev *chr);

/* Record the connection state, telling the frontend when it changes. */
void chardev_set_connected(Chardev *chr, bool connected);

/* The output queue has room again: clear write_blocked and tell the
 * frontend that output refused earlier can go now. */
void chardev_write_ready(Chardev *chr);

/* write() until all of buf went out; returns len or -1. */
int chardev_fd_write_all(int fd, const uint8_t *buf, int len);

#endif /* RIVET_CHARDEV_INTERNAL_H */

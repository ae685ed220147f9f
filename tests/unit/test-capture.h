/*
 * Test helper: capture what code writes to stdout or stderr (fd 1 or 2)
 * into a string, so tests can check user-facing output exactly without
 * disturbing the TAP stream on stdout.
 */
#ifndef RIVET_UTIL_TEST_CAPTURE_H
#define RIVET_UTIL_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct Capture {
    FILE *stream;
    int fd;
    int saved_fd;
    FILE *tmp;
} Capture;

static inline void capture_begin(Capture *c, FILE *stream)
{
    c->stream = stream;
    c->fd = fileno(stream);
    fflush(stream);
    c->tmp = tmpfile();
    c->saved_fd = dup(c->fd);
    dup2(fileno(c->tmp), c->fd);
}

/* Returns the captured text (caller frees) and restores the stream. */
static inline char *capture_end(Capture *c)
{
    fflush(c->stream);
    dup2(c->saved_fd, c->fd);
    close(c->saved_fd);
    long len = ftell(c->tmp);
    if (len < 0) {
        len = 0;
    }
    char *text = calloc(1, (size_t)len + 1);
    rewind(c->tmp);
    size_t got = fread(text, 1, (size_t)len, c->tmp);
    text[got] = '\0';
    fclose(c->tmp);
    return text;
}

#endif /* RIVET_UTIL_TEST_CAPTURE_H */

/*
 * Error objects: a heap-allocated message travels from where a failure is
 * detected to the caller that knows how to report it (usually main, as one
 * line on stderr).
 */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Error {
    char *msg;
};

/* Out of memory while describing an error leaves nothing sensible to do. */
static char *checked_vasprintf(const char *fmt, va_list ap)
{
    char *text;
    if (vasprintf(&text, fmt, ap) < 0) {
        fputs("rivet: out of memory\n", stderr);
        abort();
    }
    return text;
}

void error_vsetg(Error **errp, const char *fmt, va_list ap)
{
    if (!errp) {
        return;
    }
    /* Overwriting would lose the first (usually most precise) failure;
     * it is always a bug in the caller, so make it loud. */
    if (*errp) {
        fprintf(stderr, "rivet: bug: error '%s' overwritten\n", (*errp)->msg);
        abort();
    }
    Error *err = malloc(sizeof(*err));
    if (!err) {
        fputs("rivet: out of memory\n", stderr);
        abort();
    }
    err->msg = checked_vasprintf(fmt, ap);
    *errp = err;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vsetg(errp, fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
{
    if (!errp) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *text = checked_vasprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "%s: %s", text, strerror(errnum));
    free(text);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    if (!errp || !*errp) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *prefix = checked_vasprintf(fmt, ap);
    va_end(ap);

    char *joined;
    if (asprintf(&joined, "%s%s", prefix, (*errp)->msg) < 0) {
        fputs("rivet: out of memory\n", stderr);
        abort();
    }
    free(prefix);
    free((*errp)->msg);
    (*errp)->msg = joined;
}

void error_propagate(Error **dst, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (!dst) {
        error_free(local_err);
        return;
    }
    if (*dst) {
        /* Keep the first error, as QEMU does: it is the root cause. */
        error_free(local_err);
        return;
    }
    *dst = local_err;
}

const char *error_get_message(const Error *err)
{
    return err ? err->msg : NULL;
}

void error_free(Error *err)
{
    if (!err) {
        return;
    }
    free(err->msg);
    free(err);
}

void error_report_err(Error *err)
{
    if (!err) {
        return;
    }
    fprintf(stderr, "rivet: %s\n", err->msg);
    error_free(err);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = checked_vasprintf(fmt, ap);
    va_end(ap);
    /* One fprintf so the line is not interleaved with other output. */
    fprintf(stderr, "rivet: %s\n", text);
    free(text);
}

static bool output_lost;

void error_report_output_lost(int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = checked_vasprintf(fmt, ap);
    va_end(ap);
    output_lost = true;
    error_report("%s: %s", text, strerror(errnum));
    free(text);
}

bool error_output_lost(void)
{
    return output_lost;
}

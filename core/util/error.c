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
    ErrorClass cls;
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

static void error_vset(Error **errp, ErrorClass cls, const char *fmt,
                       va_list ap)
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
    err->cls = cls;
    *errp = err;
}

void error_vsetg(Error **errp, const char *fmt, va_list ap)
{
    error_vset(errp, ERROR_CLASS_GENERIC_ERROR, fmt, ap);
}

void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(errp, cls, fmt, ap);
    va_end(ap);
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

ErrorClass error_get_class(const Error *err)
{
    return err ? err->cls : ERROR_CLASS_GENERIC_ERROR;
}

const char *error_class_name(ErrorClass cls)
{
    static const char *const names[] = {
        [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
        [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
        [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
        [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
        [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
    };
    if ((unsigned)cls >= sizeof(names) / sizeof(names[0])) {
        return names[ERROR_CLASS_GENERIC_ERROR];
    }
    return names[cls];
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

void error_report_err_output_lost(Error *err)
{
    output_lost = true;
    error_report_err(err);
}

bool error_output_lost(void)
{
    return output_lost;
}

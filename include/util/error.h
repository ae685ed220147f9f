/*
 * Error objects: every fallible API boundary reports failure through an
 * Error carrying a human-readable message, never a bare error code.
 *
 * Convention (as in QEMU): functions take a trailing `Error **errp`, return
 * false/NULL on failure and set *errp when errp is non-NULL.  Passing NULL
 * ignores the error; passing &error_fatal-like handling is up to the caller.
 */
#ifndef RIVET_UTIL_ERROR_H
#define RIVET_UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef struct Error Error;

/* Set *errp to a new error formatted from fmt; no-op when errp is NULL.
 * *errp must be NULL on entry (an error is never silently overwritten). */
void error_setg(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void error_vsetg(Error **errp, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Like error_setg, appending ": <strerror(errnum)>". */
void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message of *errp (if any) with the formatted text. */
void error_prepend(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Move local_err into *dst (or free it when dst is NULL). */
void error_propagate(Error **dst, Error *local_err);

const char *error_get_message(const Error *err);
void error_free(Error *err);

/* Print "rivet: <message>" as one line on stderr and free the error. */
void error_report_err(Error *err);

/* Print "rivet: <formatted>" as one line on stderr. */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Output the user asked for (guest output, the log) could not be written:
 * print "rivet: <formatted>: <strerror(errnum)>" as one line on stderr and
 * remember it, so that the exit status says so (error_output_lost()).  The
 * caller reports each output once and stops writing to it. */
void error_report_output_lost(int errnum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool error_output_lost(void);

#endif /* RIVET_UTIL_ERROR_H */

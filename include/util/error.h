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

/* What kind of failure an error is, for QMP clients that tell them apart
 * ("class" in an error response): QEMU's five classes, in QEMU's order.
 * Almost every error is generic; QEMU sets the others only in the few
 * places its clients test for (a QOM path or device that does not
 * exist: DeviceNotFound). */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

/* Set *errp to a new error formatted from fmt; no-op when errp is NULL.
 * *errp must be NULL on entry (an error is never silently overwritten). */
void error_setg(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void error_vsetg(Error **errp, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Like error_setg, with a class other than ERROR_CLASS_GENERIC_ERROR. */
void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like error_setg, appending ": <strerror(errnum)>". */
void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message of *errp (if any) with the formatted text. */
void error_prepend(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Move local_err into *dst (or free it when dst is NULL). */
void error_propagate(Error **dst, Error *local_err);

const char *error_get_message(const Error *err);
ErrorClass error_get_class(const Error *err);
/* QEMU's name of the class, as QMP writes it: "GenericError",
 * "DeviceNotFound"... */
const char *error_class_name(ErrorClass cls);
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
/* The same for an output whose failure is already an Error (an audio
 * backend's): reports it as error_report_err() does and frees it. */
void error_report_err_output_lost(Error *err);
bool error_output_lost(void);

#endif /* RIVET_UTIL_ERROR_H */

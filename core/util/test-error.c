/*
 * Unit tests for Error objects: formatting, errno text, prepending,
 * propagation rules and the one-line report on stderr.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-capture.h"
#include "unit-test.h"
#include "util/error.h"

UNIT_TEST(setg_formats_message)
{
    Error *err = NULL;
    error_setg(&err, "bad value %d for '%s'", 42, "baud");
    CHECK(err != NULL);
    CHECK_STREQ(error_get_message(err), "bad value 42 for 'baud'");
    error_free(err);
}

UNIT_TEST(set_keeps_class_through_prepend)
{
    Error *err = NULL;
    error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
              "/nope");
    error_prepend(&err, "qom-get: ");
    CHECK_EQ_I64(error_get_class(err), ERROR_CLASS_DEVICE_NOT_FOUND);
    CHECK_STREQ(error_get_message(err), "qom-get: Device '/nope' not found");
    CHECK_STREQ(error_class_name(error_get_class(err)), "DeviceNotFound");
    error_free(err);

    err = NULL;
    error_setg(&err, "plain");
    CHECK_EQ_I64(error_get_class(err), ERROR_CLASS_GENERIC_ERROR);
    CHECK_STREQ(error_class_name(error_get_class(err)), "GenericError");
    error_free(err);
    CHECK_STREQ(error_class_name(ERROR_CLASS_COMMAND_NOT_FOUND),
                "CommandNotFound");
}

UNIT_TEST(setg_with_null_errp_is_ignored)
{
    error_setg(NULL, "nobody listens");
    error_setg_errno(NULL, ENOENT, "nobody listens");
    error_prepend(NULL, "nobody: ");
}

UNIT_TEST(setg_errno_appends_strerror)
{
    Error *err = NULL;
    char expected[256];
    snprintf(expected, sizeof(expected), "cannot open 'x.bin': %s",
             strerror(ENOENT));
    error_setg_errno(&err, ENOENT, "cannot open '%s'", "x.bin");
    CHECK_STREQ(error_get_message(err), expected);
    error_free(err);
}

UNIT_TEST(prepend_adds_context)
{
    Error *err = NULL;
    error_setg(&err, "file not found");
    error_prepend(&err, "-bios %s: ", "fw.elf");
    CHECK_STREQ(error_get_message(err), "-bios fw.elf: file not found");
    error_free(err);

    Error *none = NULL;
    error_prepend(&none, "context: ");
    CHECK(none == NULL);
}

UNIT_TEST(propagate_moves_or_frees)
{
    Error *dst = NULL;
    Error *local = NULL;
    error_setg(&local, "first");
    error_propagate(&dst, local);
    CHECK_STREQ(error_get_message(dst), "first");

    /* A second error does not replace the first (root cause). */
    Error *second = NULL;
    error_setg(&second, "second");
    error_propagate(&dst, second);
    CHECK_STREQ(error_get_message(dst), "first");

    /* NULL destination: the error is freed (valgrind checks it). */
    Error *dropped = NULL;
    error_setg(&dropped, "dropped");
    error_propagate(NULL, dropped);

    error_propagate(&dst, NULL);
    CHECK_STREQ(error_get_message(dst), "first");
    error_free(dst);
}

UNIT_TEST(get_message_and_free_accept_null)
{
    CHECK(error_get_message(NULL) == NULL);
    error_free(NULL);
    error_report_err(NULL);
}

UNIT_TEST(report_err_prints_one_line_and_frees)
{
    Error *err = NULL;
    error_setg(&err, "memory size '%s' is too large", "64T");
    Capture cap;
    capture_begin(&cap, stderr);
    error_report_err(err);
    char *text = capture_end(&cap);
    CHECK_STREQ(text, "rivet: memory size '64T' is too large\n");
    free(text);
}

UNIT_TEST(report_prints_one_line)
{
    Capture cap;
    capture_begin(&cap, stderr);
    error_report("unknown option '%s'", "-frob");
    char *text = capture_end(&cap);
    CHECK_STREQ(text, "rivet: unknown option '-frob'\n");
    free(text);
}

int main(void)
{
    return unit_run_all();
}

/*
 * Unit tests for logging: `-d` item parsing (including help and unknown
 * items), item and level filtering, and -D redirection to a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-capture.h"
#include "unit-test.h"
#include "util/log.h"

static void start(void)
{
    log_close();
    log_item_mask = 0;
    log_level = LOG_LEVEL_WARN;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return NULL;
    }
    char *text = calloc(1, 4096);
    size_t got = fread(text, 1, 4095, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

UNIT_TEST(parse_single_and_multiple_items)
{
    bool help = true;
    start();
    CHECK(log_parse_items("int", &help, NULL));
    CHECK(!help);
    CHECK_EQ_U64(log_item_mask, LOG_ITEM_INT);
    CHECK(log_item_enabled(LOG_ITEM_INT));
    CHECK(!log_item_enabled(LOG_ITEM_MMIO));

    CHECK(log_parse_items("guest_errors,unimp,mmio,in_asm,cpu,dev_regs", &help,
                          NULL));
    CHECK_EQ_U64(log_item_mask, LOG_ITEM_GUEST_ERROR | LOG_ITEM_UNIMP |
                                    LOG_ITEM_MMIO | LOG_ITEM_IN_ASM |
                                    LOG_ITEM_CPU | LOG_ITEM_DEV_REGS);
    /* The last -d replaces the earlier one. */
    CHECK(!log_item_enabled(LOG_ITEM_INT));
}

UNIT_TEST(parse_unknown_item_fails_and_keeps_mask)
{
    Error *err = NULL;
    start();
    CHECK(log_parse_items("mmio", NULL, NULL));
    CHECK(!log_parse_items("int,foo", NULL, &err));
    CHECK_STREQ(error_get_message(err), "unknown -d item 'foo' (try -d help)");
    error_free(err);
    CHECK_EQ_U64(log_item_mask, LOG_ITEM_MMIO);

    err = NULL;
    CHECK(!log_parse_items("", NULL, &err));
    CHECK(err != NULL);
    error_free(err);

    /* A prefix of a real name is not that name. */
    err = NULL;
    CHECK(!log_parse_items("in", NULL, &err));
    CHECK_STREQ(error_get_message(err), "unknown -d item 'in' (try -d help)");
    error_free(err);
}

UNIT_TEST(parse_help_lists_items_on_stdout)
{
    bool help = false;
    start();
    Capture cap;
    capture_begin(&cap, stdout);
    bool ok = log_parse_items("help", &help, NULL);
    char *text = capture_end(&cap);
    CHECK(ok);
    CHECK(help);
    const char *names[] = {"int",  "guest_errors", "unimp",
                           "mmio", "in_asm",       "cpu"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char line_start[32];
        snprintf(line_start, sizeof(line_start), "\n%s ", names[i]);
        CHECK(strstr(text, line_start) != NULL);
    }
    free(text);
    CHECK_EQ_U64(log_item_mask, 0);
}

UNIT_TEST(item_messages_follow_the_mask)
{
    start();
    CHECK(log_parse_items("guest_errors", NULL, NULL));
    Capture cap;
    capture_begin(&cap, stderr);
    log_item(LOG_ITEM_GUEST_ERROR, "pl011: bad offset 0x%x", 0xffc);
    log_item(LOG_ITEM_MMIO, "not shown");
    log_item(LOG_ITEM_GUEST_ERROR, "already terminated\n");
    char *text = capture_end(&cap);
    CHECK_STREQ(text, "pl011: bad offset 0xffc\nalready terminated\n");
    free(text);
}

UNIT_TEST(level_messages_follow_the_level)
{
    start();
    Capture cap;
    capture_begin(&cap, stderr);
    log_msg(LOG_LEVEL_ERROR, "broken");
    log_msg(LOG_LEVEL_WARN, "odd");
    log_msg(LOG_LEVEL_INFO, "chatty");
    log_level = LOG_LEVEL_DEBUG;
    log_msg(LOG_LEVEL_DEBUG, "very chatty");
    char *text = capture_end(&cap);
    CHECK_STREQ(text, "error: broken\nwarning: odd\nvery chatty\n");
    free(text);
}

UNIT_TEST(log_file_receives_output)
{
    char path[] = "/tmp/rivet-test-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    start();
    CHECK(log_parse_items("int,cpu", NULL, NULL));

    Capture cap;
    capture_begin(&cap, stderr);
    CHECK(log_set_file(path, NULL));
    log_item(LOG_ITEM_INT, "trap cause=%d", 11);
    log_printf("pc=%08x ", 0x80000000u);
    log_printf("sp=%08x\n", 0x80001000u);
    log_item(LOG_ITEM_MMIO, "filtered");
    log_close();
    log_msg(LOG_LEVEL_WARN, "back on stderr");
    char *on_stderr = capture_end(&cap);

    char *in_file = read_file(path);
    unlink(path);
    CHECK_STREQ(in_file, "trap cause=11\npc=80000000 sp=80001000\n");
    CHECK_STREQ(on_stderr, "warning: back on stderr\n");
    free(in_file);
    free(on_stderr);
}

UNIT_TEST(log_file_truncates_and_flushes)
{
    char path[] = "/tmp/rivet-test-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "old contents\n", 13) == 13);
    close(fd);
    start();
    CHECK(log_set_file(path, NULL));
    log_printf("new\n");
    log_flush();
    char *text = read_file(path);
    log_close();
    unlink(path);
    CHECK_STREQ(text, "new\n");
    free(text);
}

UNIT_TEST(log_file_open_failure_is_an_error)
{
    Error *err = NULL;
    start();
    CHECK(!log_set_file("/nonexistent-dir/rivet.log", &err));
    CHECK(err != NULL);
    CHECK(strstr(error_get_message(err),
                 "cannot create '/nonexistent-dir/rivet.log': ") ==
          error_get_message(err));
    error_free(err);
}

/* A start that fails after -D was read must leave the file as it was. */
UNIT_TEST(log_file_never_started_is_untouched)
{
    char path[] = "/tmp/rivet-test-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "old contents\n", 13) == 13);
    close(fd);
    start();
    CHECK(log_prepare_file(path, NULL));
    log_printf("held\n");
    log_close();
    char *text = read_file(path);
    CHECK_STREQ(text, "old contents\n");
    free(text);

    /* Started: what was held while pending comes first. */
    CHECK(log_prepare_file(path, NULL));
    log_printf("held\n");
    CHECK(log_start_file(NULL));
    log_printf("after\n");
    log_close();
    text = read_file(path);
    unlink(path);
    CHECK_STREQ(text, "held\nafter\n");
    free(text);
}

UNIT_TEST(log_file_missing_is_not_created_before_start)
{
    char dir[] = "/tmp/rivet-test-logdir-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof(path), "%s/new.log", dir);
    start();
    CHECK(log_prepare_file(path, NULL));
    CHECK(access(path, F_OK) != 0);
    log_close();
    CHECK(access(path, F_OK) != 0);
    CHECK(log_set_file(path, NULL));
    CHECK(access(path, F_OK) == 0);
    log_close();
    unlink(path);
    rmdir(dir);
}

/* -D /dev/full: the loss is reported once, and remembered for the exit
 * status. */
UNIT_TEST(log_write_error_is_reported_once)
{
    start();
    CHECK(!error_output_lost());
    Capture cap;
    capture_begin(&cap, stderr);
    CHECK(log_set_file("/dev/full", NULL));
    for (int i = 0; i < 10000; i++) {
        log_printf("line %d of a log nobody can store\n", i);
    }
    log_close();
    char *on_stderr = capture_end(&cap);
    CHECK_STREQ(on_stderr, "rivet: cannot write the log to '/dev/full'; later "
                           "log output is lost: No space left on device\n");
    CHECK(error_output_lost());
    free(on_stderr);
}

int main(void)
{
    return unit_run_all();
}

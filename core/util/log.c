/*
 * Logging: levelled messages and the QEMU-style `-d` debug items, written to
 * stderr or to the file given with -D.
 */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/output-file.h"

uint32_t log_item_mask;
LogLevel log_level = LOG_LEVEL_WARN;

/* NULL means stderr; a -D file is fully buffered because in_asm writes one
 * line per guest instruction (flushed by log_flush/log_close and at exit).
 * While a -D file waits for log_start_file(), log_file is a memory stream
 * holding what is logged meanwhile. */
static FILE *log_file;
static OutputFile log_pending;
static char *log_held;
static size_t log_held_len;
/* Where the log goes, for the write-error report; NULL: stderr. */
static char *log_path;
/* A write failed and was reported: the log is dropped from then on. */
static bool log_lost;

static FILE *log_out(void)
{
    return log_file ? log_file : stderr;
}

/* Called after each write with its result (negative: failed). */
static void log_check_write(int result)
{
    if (result >= 0 || log_lost) {
        return;
    }
    int errnum = errno;
    log_lost = true;
    error_report_output_lost(errnum,
                             "cannot write the log to %s%s%s; later log "
                             "output is lost",
                             log_path ? "'" : "",
                             log_path ? log_path : "stderr",
                             log_path ? "'" : "");
}

typedef struct LogItemName {
    LogItem item;
    const char *name;
    const char *help;
} LogItemName;

/* Same order as enum LogItem, which is the order `-d help` shows. */
static const LogItemName log_item_names[] = {
    {LOG_ITEM_INT, "int", "interrupts and exceptions taken by the CPU"},
    {LOG_ITEM_GUEST_ERROR, "guest_errors",
     "invalid guest operations (bad register offsets, access sizes, ...)"},
    {LOG_ITEM_UNIMP, "unimp", "guest use of unimplemented features"},
    {LOG_ITEM_MMIO, "mmio", "every device register access"},
    {LOG_ITEM_IN_ASM, "in_asm", "each executed guest instruction"},
    {LOG_ITEM_CPU, "cpu", "CPU register dump when the machine stops"},
    {LOG_ITEM_DEV_REGS, "dev_regs",
     "device register dump (their \"registers\" property) when the machine "
     "stops"},
};

#define LOG_ITEM_COUNT (sizeof(log_item_names) / sizeof(log_item_names[0]))

static void print_item_help(void)
{
    printf("Log items (comma separated, for -d):\n");
    for (size_t i = 0; i < LOG_ITEM_COUNT; i++) {
        printf("%-13s %s\n", log_item_names[i].name, log_item_names[i].help);
    }
}

bool log_parse_items(const char *list, bool *help_shown, Error **errp)
{
    if (help_shown) {
        *help_shown = false;
    }
    if (!list || !*list) {
        error_setg(errp, "-d needs a list of items (try -d help)");
        return false;
    }

    uint32_t mask = 0;
    const char *cursor = list;
    while (*cursor) {
        size_t len = strcspn(cursor, ",");
        if (len == 4 && strncmp(cursor, "help", 4) == 0) {
            print_item_help();
            if (help_shown) {
                *help_shown = true;
            }
            return true;
        }
        bool known = false;
        for (size_t i = 0; i < LOG_ITEM_COUNT; i++) {
            if (strlen(log_item_names[i].name) == len &&
                strncmp(cursor, log_item_names[i].name, len) == 0) {
                mask |= (uint32_t)log_item_names[i].item;
                known = true;
                break;
            }
        }
        if (!known) {
            error_setg(errp, "unknown -d item '%.*s' (try -d help)", (int)len,
                       cursor);
            return false;
        }
        cursor += len;
        if (*cursor == ',') {
            cursor++;
        }
    }
    /* Replace rather than accumulate: the last -d wins, as in QEMU. */
    log_item_mask = mask;
    return true;
}

bool log_prepare_file(const char *path, Error **errp)
{
    OutputFile checked;
    if (!output_file_check(&checked, path, errp)) {
        return false;
    }
    log_close();
    log_file = open_memstream(&log_held, &log_held_len);
    if (!log_file) {
        error_setg_errno(errp, errno, "cannot hold the log in memory");
        output_file_discard(&checked);
        return false;
    }
    log_pending = checked;
    return true;
}

bool log_start_file(Error **errp)
{
    if (!log_pending.path) {
        return true;
    }
    char *path = strdup(log_pending.path);
    int fd = output_file_open(&log_pending, errp);
    FILE *file = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !file) {
        error_setg_errno(errp, errno, "cannot open '%s'", path);
        close(fd);
    }
    fclose(log_file);
    log_file = file;
    if (file) {
        log_path = path;
        /* What was logged while the file was pending goes first. */
        size_t written = fwrite(log_held, 1, log_held_len, file);
        log_check_write(written == log_held_len ? 0 : -1);
    } else {
        free(path);
    }
    free(log_held);
    log_held = NULL;
    log_held_len = 0;
    return file != NULL;
}

bool log_set_file(const char *path, Error **errp)
{
    return log_prepare_file(path, errp) && log_start_file(errp);
}

void log_flush(void)
{
    if (!log_lost) {
        log_check_write(fflush(log_out()));
    }
}

void log_close(void)
{
    if (log_pending.path) {
        /* Never started: the file stays untouched, the held log is
         * dropped. */
        output_file_discard(&log_pending);
        fclose(log_file);
        free(log_held);
        log_held = NULL;
        log_held_len = 0;
    } else if (log_file) {
        int result = fclose(log_file);
        if (!log_lost) {
            log_check_write(result);
        }
    }
    log_file = NULL;
    free(log_path);
    log_path = NULL;
    log_lost = false;
}

/* Callers may or may not end their format with "\n"; either way every
 * message ends up as whole lines, so interleaved sources stay readable. */
static void log_vwrite_line(const char *prefix, const char *fmt, va_list ap)
{
    char *text;
    if (log_lost || vasprintf(&text, fmt, ap) < 0) {
        return;
    }
    size_t len = strlen(text);
    bool has_newline = len > 0 && text[len - 1] == '\n';
    log_check_write(
        fprintf(log_out(), "%s%s%s", prefix, text, has_newline ? "" : "\n"));
    free(text);
}

void log_item(LogItem item, const char *fmt, ...)
{
    if (!log_item_enabled(item)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    log_vwrite_line("", fmt, ap);
    va_end(ap);
}

static const char *level_prefix(LogLevel level)
{
    switch (level) {
    case LOG_LEVEL_ERROR:
        return "error: ";
    case LOG_LEVEL_WARN:
        return "warning: ";
    case LOG_LEVEL_INFO:
    case LOG_LEVEL_DEBUG:
        break;
    }
    return "";
}

void log_msg(LogLevel level, const char *fmt, ...)
{
    if (level > log_level) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    log_vwrite_line(level_prefix(level), fmt, ap);
    va_end(ap);
}

void log_printf(const char *fmt, ...)
{
    if (log_lost) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    log_check_write(vfprintf(log_out(), fmt, ap));
    va_end(ap);
}

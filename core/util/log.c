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

uint32_t log_item_mask;
LogLevel log_level = LOG_LEVEL_WARN;

/* NULL means stderr; a -D file is fully buffered because in_asm writes one
 * line per guest instruction (flushed by log_flush/log_close and at exit). */
static FILE *log_file;

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

bool log_set_file(const char *path, Error **errp)
{
    FILE *file = fopen(path, "w");
    if (!file) {
        error_setg_errno(errp, errno, "cannot open log file '%s'", path);
        return false;
    }
    log_close();
    log_file = file;
    return true;
}

void log_flush(void)
{
    fflush(log_file ? log_file : stderr);
}

void log_close(void)
{
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
}

/* Callers may or may not end their format with "\n"; either way every
 * message ends up as whole lines, so interleaved sources stay readable. */
static void log_vwrite_line(const char *prefix, const char *fmt, va_list ap)
{
    FILE *out = log_file ? log_file : stderr;
    char *text;
    if (vasprintf(&text, fmt, ap) < 0) {
        return;
    }
    size_t len = strlen(text);
    bool has_newline = len > 0 && text[len - 1] == '\n';
    fprintf(out, "%s%s%s", prefix, text, has_newline ? "" : "\n");
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
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
}

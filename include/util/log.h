/*
 * Logging: levelled messages plus QEMU-style `-d` debug items.
 *
 * Messages go to stderr unless log_set_file() redirected them (-D FILE).
 * Items are a bit mask so that the hot-path test log_item_enabled() is one
 * load and one AND.
 */
#ifndef RIVET_UTIL_LOG_H
#define RIVET_UTIL_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

typedef enum LogLevel {
    LOG_LEVEL_ERROR,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG,
} LogLevel;

/* `-d` items; keep log_item_names in log.c in the same order. */
typedef enum LogItem {
    LOG_ITEM_INT = 1u << 0,         /* "int": interrupts and exceptions */
    LOG_ITEM_GUEST_ERROR = 1u << 1, /* "guest_errors": bad guest behaviour */
    LOG_ITEM_UNIMP = 1u << 2,       /* "unimp": unimplemented features */
    LOG_ITEM_MMIO = 1u << 3,        /* "mmio": every device access */
    LOG_ITEM_IN_ASM = 1u << 4,      /* "in_asm": each executed instruction */
    LOG_ITEM_CPU = 1u << 5,         /* "cpu": register dump at exit */
    LOG_ITEM_DEV_REGS = 1u << 6,    /* "dev_regs": device registers at exit */
} LogItem;

extern uint32_t log_item_mask;
extern LogLevel log_level;

static inline bool log_item_enabled(LogItem item)
{
    return (log_item_mask & (uint32_t)item) != 0;
}

/* Parse a comma-separated list of item names ("int,mmio"; "help" lists them
 * on stdout and returns true with *help_shown set). */
bool log_parse_items(const char *list, bool *help_shown, Error **errp);

/* -D FILE in two steps, so that a start that fails leaves FILE untouched
 * (util/output-file.h): log_prepare_file() checks that path can be written
 * and holds log output in memory; log_start_file() creates or truncates it
 * and writes out what was held.  The file is buffered: log_flush() or
 * log_close() (or exit()) writes it out. */
bool log_prepare_file(const char *path, Error **errp);
bool log_start_file(Error **errp);
/* Both steps at once. */
bool log_set_file(const char *path, Error **errp);
/* Flush and close the -D file (a file never started is left untouched);
 * later messages go to stderr again. */
void log_close(void);
void log_flush(void);

/* A failed write to the log (a full disk, a closed stderr) is reported once
 * through error_report_output_lost(), and nothing more is logged until
 * log_close(). */

/* log_item and log_msg write whole lines: a missing trailing "\n" is
 * added.  log_msg prefixes "error: " / "warning: " for those levels. */

/* Write a formatted message when item is enabled. */
void log_item(LogItem item, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write a formatted message when level <= log_level. */
void log_msg(LogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Unconditionally write a formatted message to the log destination, as is
 * (no newline added, so a line may be built from several calls). */
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* RIVET_UTIL_LOG_H */

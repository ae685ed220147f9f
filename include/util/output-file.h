/*
 * Output files named on the command line (-D FILE, -serial file:PATH) are
 * opened in two steps, so that a start that fails on a later option (a bad
 * firmware, a snapshot that does not load) leaves an existing file as it
 * was and creates nothing:
 *   output_file_check()  when the option is read: can the file be written?
 *                        (opens an existing file without truncating it)
 *   output_file_open()   once the whole configuration is valid: creates or
 *                        truncates the file and hands over its fd.
 */
#ifndef RIVET_UTIL_OUTPUT_FILE_H
#define RIVET_UTIL_OUTPUT_FILE_H

#include <stdbool.h>

#include "util/error.h"

typedef struct OutputFile {
    char *path; /* NULL when no file is pending */
    int fd;     /* the existing file, still untouched; -1 to create it */
} OutputFile;

/* Check that path can be written, changing nothing on the file system.
 * Errors name the path and the reason ("No such file or directory"). */
bool output_file_check(OutputFile *f, const char *path, Error **errp);
/* Create or truncate the checked file; returns its fd (the caller closes
 * it) or -1 with *errp set.  f is empty afterwards either way. */
int output_file_open(OutputFile *f, Error **errp);
/* Forget a checked file without touching it. */
void output_file_discard(OutputFile *f);

/* A file written beside its target and renamed over it (a snapshot, a WAV
 * file) survives a host crash once the directory holding the name is
 * synced: this does that.  Errors say "cannot sync the directory of
 * WHAT 'PATH'". */
bool output_file_sync_directory(const char *what, const char *path,
                                Error **errp);

#endif /* RIVET_UTIL_OUTPUT_FILE_H */

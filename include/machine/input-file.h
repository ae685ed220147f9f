/*
 * Input files named on the command line (-bios FILE, -incoming file:PATH):
 * opened for reading only if they are regular files, so that a FIFO, a
 * device such as /dev/zero or a directory is refused with one line instead
 * of blocking start-up or being read without end.
 */
#ifndef RIVET_MACHINE_INPUT_FILE_H
#define RIVET_MACHINE_INPUT_FILE_H

#include <sys/stat.h>

#include "util/error.h"

/* Open path read-only; returns the fd (the caller closes it) and fills *st,
 * or -1 with *errp set.  what names the file in messages: "could not open
 * <what> 'PATH': ..." and "<what> 'PATH' is not a regular file". */
int input_file_open(const char *path, const char *what, struct stat *st,
                    Error **errp);

#endif /* RIVET_MACHINE_INPUT_FILE_H */

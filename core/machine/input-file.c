/*
 * Regular input files only (machine/input-file.h).
 */
#include "machine/input-file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int input_file_open(const char *path, const char *what, struct stat *st,
                    Error **errp)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused
     * below like any file that is not regular. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open %s '%s'", what, path);
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        error_setg(errp, "%s '%s' is not a regular file", what, path);
        close(fd);
        return -1;
    }
    return fd;
}

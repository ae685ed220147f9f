/*
 * Two-step output files: check when the option is read, create or truncate
 * only when the machine starts (util/output-file.h).
 */
#include "util/output-file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool output_file_check(OutputFile *f, const char *path, Error **errp)
{
    f->path = NULL;
    f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (f->fd < 0 && errno == ENOENT) {
        /* To be created: the directory must exist and take new files. */
        char *copy = strdup(path);
        int ok = copy ? access(dirname(copy), W_OK | X_OK) : -1;
        free(copy);
        if (ok != 0) {
            error_setg_errno(errp, errno, "cannot create '%s'", path);
            return false;
        }
    } else if (f->fd < 0) {
        error_setg_errno(errp, errno, "cannot write '%s'", path);
        return false;
    }
    f->path = strdup(path);
    return true;
}

int output_file_open(OutputFile *f, Error **errp)
{
    int fd = f->fd;
    if (fd >= 0) {
        /* Only a regular file has contents to drop: a terminal, a pipe or
         * /dev/null is written as it is. */
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            ftruncate(fd, 0) != 0) {
            error_setg_errno(errp, errno, "cannot truncate '%s'", f->path);
            close(fd);
            fd = -1;
        }
    } else {
        fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC,
                  0666);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot create '%s'", f->path);
        }
    }
    f->fd = -1;
    free(f->path);
    f->path = NULL;
    return fd;
}

void output_file_discard(OutputFile *f)
{
    if (f->fd >= 0) {
        close(f->fd);
    }
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}

bool output_file_sync_directory(const char *what, const char *path,
                                Error **errp)
{
    char *dir = strdup(path);
    char *slash = strrchr(dir, '/');
    const char *name = dir;
    if (!slash) {
        name = ".";
    } else if (slash == dir) {
        name = "/";
    } else {
        *slash = '\0';
    }
    int fd = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (!ok) {
        error_setg_errno(errp, errno, "cannot sync the directory of %s '%s'",
                         what, path);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(dir);
    return ok;
}

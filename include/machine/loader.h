/*
 * Guest image loaders: ELF64 RISC-V executables and raw binaries, from a
 * file or from memory (the embedded demo firmware).
 */
#ifndef RIVET_MACHINE_LOADER_H
#define RIVET_MACHINE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory/memory.h"
#include "util/error.h"

#define LOADER_NO_TOHOST UINT64_MAX

typedef struct LoadedImage {
    uint64_t entry;
    uint64_t low_addr;  /* lowest guest address written */
    uint64_t high_addr; /* one past the highest guest address written */
    /* Address of the ELF symbol `tohost` (HTIF), LOADER_NO_TOHOST if none. */
    uint64_t tohost_addr;
    /* Address of `fromhost`: the symbol, or tohost_addr + 8 without one;
     * LOADER_NO_TOHOST when there is no tohost. */
    uint64_t fromhost_addr;
} LoadedImage;

/* Where an image comes from: a file, read piece by piece when loaded (never
 * whole, and never kept in memory), or a buffer (the built-in demo, tests,
 * the fuzzer).  A file stays open so that a guest reset can load it again;
 * a file changed on disk since it was opened is refused then. */
typedef struct LoaderSource {
    char *name; /* the path, or the buffer's name; for messages */
    int fd;     /* -1 for a buffer */
    const uint8_t *data;
    uint64_t size;
    int64_t mtime_sec;
    long mtime_nsec;
} LoaderSource;

/* Opens a regular file (a FIFO, a device or a directory is refused without
 * blocking). */
bool loader_source_open(LoaderSource *src, const char *path, Error **errp);
/* data must outlive src. */
void loader_source_init_buffer(LoaderSource *src, const char *name,
                               const uint8_t *data, size_t size);
void loader_source_close(LoaderSource *src);

/* Load by content: ELF when it has the ELF magic, raw binary otherwise.
 * An ELF image's PT_LOAD segments are copied to their addresses (bss
 * zero-filled), a raw image to ram_base.  Every segment, and a raw image
 * as a whole, must lie inside [ram_base, ram_base + ram_size) and inside
 * the file: all of it is checked before anything is read or written, so a
 * refused image leaves RAM untouched. */
bool load_image(const LoaderSource *src, AddressSpace *as, uint64_t ram_base,
                uint64_t ram_size, LoadedImage *out, Error **errp);

#endif /* RIVET_MACHINE_LOADER_H */

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
} LoadedImage;

/* Read a whole file into a new buffer; caller frees *data. */
bool loader_read_file(const char *path, uint8_t **data, size_t *size,
                      Error **errp);

bool loader_is_elf(const uint8_t *data, size_t size);

/* Copy the PT_LOAD segments of an ELF image into RAM (zero-filling bss).
 * Every segment must lie inside [ram_base, ram_base + ram_size): nothing is
 * written unless all of them do.  name is used in error messages. */
bool load_elf_image(const char *name, const uint8_t *data, size_t size,
                    AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                    LoadedImage *out, Error **errp);

/* Copy a raw image to ram_base; entry is ram_base. */
bool load_raw_image(const char *name, const uint8_t *data, size_t size,
                    AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                    LoadedImage *out, Error **errp);

/* Load by content: ELF when it has the ELF magic, raw binary otherwise. */
bool load_image(const char *name, const uint8_t *data, size_t size,
                AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                LoadedImage *out, Error **errp);

#endif /* RIVET_MACHINE_LOADER_H */

/*
 * libFuzzer target for the firmware loader (-bios, -kernel).
 *
 * Every input is written to a file and loaded from it, as rivet loads
 * firmware, into a 64 KiB RAM at 0x80000000 (room for every prebuilt
 * firmware) filled with a marker.  Whatever
 * the input, the loader must either refuse it, leaving RAM untouched, or
 * load it; a loaded image must then load again (a guest reset) with the
 * same result.  ASan and UBSan turn any memory or undefined-behaviour bug
 * into a crash.  `make fuzz-loader FUZZ_SECONDS=N` builds and runs it;
 * the prebuilt firmware is its seed corpus (docs/testing.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_RAM_BASE 0x80000000ULL
#define FUZZ_RAM_SIZE (1ULL << 16)
#define FUZZ_RAM_MARKER 0xA5

static MemoryRegion fuzz_root;
static MemoryRegion fuzz_ram;
static AddressSpace fuzz_as;
static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    Error *err = NULL;
    memory_region_init(&fuzz_root, NULL, "root", UINT64_MAX);
    if (!memory_region_init_ram(&fuzz_ram, NULL, "ram", FUZZ_RAM_SIZE, &err)) {
        error_report_err(err);
        abort();
    }
    memory_region_add_subregion(&fuzz_root, FUZZ_RAM_BASE, &fuzz_ram);
    address_space_init(&fuzz_as, &fuzz_root, "fuzz");
    snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/rivet-fuzz-loader-%ld",
             (long)getpid());
    return 0;
}

static void fuzz_write_file(const uint8_t *data, size_t size)
{
    FILE *f = fopen(fuzz_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(fuzz_path);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *ram = memory_region_get_ram_ptr(&fuzz_ram);
    memset(ram, FUZZ_RAM_MARKER, FUZZ_RAM_SIZE);
    fuzz_write_file(data, size);

    LoaderSource src;
    LoadedImage first, again;
    Error *err = NULL;
    if (!loader_source_open(&src, fuzz_path, &err)) {
        error_report_err(err);
        abort();
    }
    if (!load_image(&src, &fuzz_as, FUZZ_RAM_BASE, FUZZ_RAM_SIZE, &first,
                    &err)) {
        error_free(err);
        static uint8_t marker[FUZZ_RAM_SIZE];
        memset(marker, FUZZ_RAM_MARKER, sizeof(marker));
        if (memcmp(ram, marker, FUZZ_RAM_SIZE) != 0) {
            fprintf(stderr, "a refused image wrote to RAM\n");
            abort();
        }
        loader_source_close(&src);
        return 0;
    }
    if (first.entry < FUZZ_RAM_BASE ||
        first.entry - FUZZ_RAM_BASE > FUZZ_RAM_SIZE - 4 ||
        first.low_addr < FUZZ_RAM_BASE || first.high_addr < first.low_addr ||
        first.high_addr - FUZZ_RAM_BASE > FUZZ_RAM_SIZE) {
        fprintf(stderr, "loaded image outside RAM\n");
        abort();
    }
    if (!load_image(&src, &fuzz_as, FUZZ_RAM_BASE, FUZZ_RAM_SIZE, &again,
                    &err)) {
        fprintf(stderr, "reload failed: %s\n", error_get_message(err));
        abort();
    }
    if (memcmp(&first, &again, sizeof(first)) != 0) {
        fprintf(stderr, "reload gave another image\n");
        abort();
    }
    loader_source_close(&src);
    return 0;
}

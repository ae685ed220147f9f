/*
 * libFuzzer target for the migration stream loader.
 *
 * One `virt` machine (1 MiB RAM, the demo firmware, no serial backend) is
 * built once; every input is loaded into it as a snapshot.  Whatever the
 * input, the loader must either refuse it with an error or accept it; an
 * accepted snapshot must then also survive running the guest for a while,
 * since the loader's validation is what lets it run.  ASan and UBSan turn
 * any memory or undefined-behaviour bug on either path into a crash.
 * `make fuzz-migration FUZZ_SECONDS=N` builds and runs it (see
 * docs/migration.md); real snapshots are its seed corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/snapshot.h"
#include "machine/virt.h"
#include "util/main-loop.h"
#include "util/vclock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Guest instructions, and virtual time, run after a successful load.  The
 * time bound matters: a loaded guest idling in WFI with a fast periodic
 * timer executes no instructions, so only a clock deadline stops it. */
#define FUZZ_RUN_INSNS 20000
#define FUZZ_RUN_NS 100000

static void fuzz_time_up(void *opaque)
{
    (void)opaque;
    main_loop_request_exit(0);
}

static VirtMachine *fuzz_vms;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    Error *err = NULL;
    fuzz_vms = virt_machine_new("virt,ram-size=1048576", &err);
    if (!fuzz_vms || !virt_machine_realize(fuzz_vms, NULL, NULL, &err)) {
        error_report_err(err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Error *err = NULL;
    if (!virt_snapshot_load(fuzz_vms, data, size, &err)) {
        error_free(err);
        return 0;
    }
    Timer guard;
    timer_init(&guard, fuzz_time_up, NULL);
    timer_mod(&guard, vclock_get_ns() + FUZZ_RUN_NS);
    int status = virt_machine_run_until(
        fuzz_vms, fuzz_vms->insns_executed + FUZZ_RUN_INSNS, &err);
    if (status == -1) {
        error_free(err);
    }
    timer_del(&guard);
    main_loop_reset(); /* the guest may have powered off, or time ran out */
    return 0;
}

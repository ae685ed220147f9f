/*
 * The snapshot figure of `make bench`: a 64 MiB `virt` guest that touched
 * 4 MiB (firmware/tests/touch-ram) is saved to memory and restored into a
 * fresh machine; prints the snapshot size and the best save and restore
 * times of several rounds.  Usage: bench-snapshot TOUCH_RAM_ELF [ROUNDS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "machine/snapshot.h"
#include "machine/virt.h"
#include "qapi/runstate.h"
#include "util/main-loop.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static VirtMachine *build(const char *firmware)
{
    Error *err = NULL;
    VirtMachine *vms = virt_machine_new("virt", &err);
    if (!vms || !virt_machine_realize(vms, NULL, firmware, &err)) {
        error_report_err(err);
        exit(1);
    }
    return vms;
}

int main(int argc, char **argv)
{
    Error *err = NULL;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (argc < 2 || rounds < 1) {
        fprintf(stderr, "usage: bench-snapshot TOUCH_RAM_ELF [ROUNDS]\n");
        return 1;
    }
    double best_save = 1e9, best_load = 1e9;
    size_t size = 0;
    for (int i = 0; i < rounds; i++) {
        VirtMachine *vms = build(argv[1]);
        int status = virt_machine_run(vms, &err);
        if (status != 0) {
            if (err) {
                error_report_err(err);
            }
            fprintf(stderr, "bench-snapshot: the guest failed (status %d)\n",
                    status);
            return 1;
        }
        MigWriter w;
        mig_writer_init(&w);
        double t0 = now_s();
        if (!virt_snapshot_save(vms, &w, &err)) {
            error_report_err(err);
            return 1;
        }
        double t1 = now_s();
        object_unparent(OBJECT(vms));
        /* The guest powered off: the next machine starts running. */
        main_loop_reset();
        runstate_set(RUN_STATE_RUNNING);

        vms = build(argv[1]);
        double t2 = now_s();
        if (!virt_snapshot_load(vms, w.data, w.len, &err)) {
            error_report_err(err);
            return 1;
        }
        double t3 = now_s();
        object_unparent(OBJECT(vms));
        size = w.len;
        mig_writer_free(&w);
        best_save = t1 - t0 < best_save ? t1 - t0 : best_save;
        best_load = t3 - t2 < best_load ? t3 - t2 : best_load;
    }
    printf("snapshot: 64 MiB guest that touched 4 MiB: %zu bytes "
           "(%.2f MiB, %.1f%% of RAM); save %.2f ms, restore %.2f ms "
           "(best of %d)\n",
           size, (double)size / (1 << 20), 100.0 * (double)size / (64 << 20),
           best_save * 1e3, best_load * 1e3, rounds);
    return 0;
}

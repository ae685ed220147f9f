/*
 * Interpreter speed: guest MIPS for a tight addi/bne loop and for a mixed
 * loop with loads, stores and multiplies, run in slices the way the board's
 * execution loop runs them.  Usage: bench-cpu [million-instructions].
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "test-cpu-rig.h"

#define SLICE_INSNS 100000

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run until the program reaches its final self-loop.  MIPS are given per
 * second of CPU time (what the interpreter costs, even on a busy host) and
 * per second of wall time. */
static void run_program(const char *name, uint64_t expected_insns)
{
    uint64_t total = 0;
    double start = seconds(CLOCK_MONOTONIC);
    double start_cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
    rig_load();
    while (rig_cpu->pc != rig_end_pc) {
        uint64_t executed;
        riscv_cpu_exec(rig_cpu, SLICE_INSNS, &executed);
        total += executed;
    }
    double elapsed = seconds(CLOCK_MONOTONIC) - start;
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - start_cpu;
    printf("%-22s %6.0f M insns: %7.1f MIPS (CPU time %.3f s), "
           "%7.1f MIPS (wall %.3f s)\n",
           name, (double)total / 1e6, (double)total / cpu / 1e6, cpu,
           (double)total / elapsed / 1e6, elapsed);
    if (total < expected_insns) {
        fprintf(stderr, "bench-cpu: %s stopped early\n", name);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    uint64_t millions = argc > 1 ? strtoull(argv[1], NULL, 0) : 500;
    uint64_t insns = millions * 1000000;

    /* loop: addi t0, t0, -1; bne t0, zero, loop */
    rig_reset();
    rig_cpu->x[T0] = insns / 2;
    rig_emit(enc_addi(T0, T0, -1));
    rig_emit(enc_branch(1, T0, ZERO, -4));
    run_program("addi/bne loop", insns);

    /* loop: ld, mul, add, sd, addi, addi, bne: 7 per iteration */
    rig_reset();
    rig_cpu->x[T0] = insns / 7;
    rig_cpu->x[S0] = RIG_DATA;
    rig_cpu->x[T2] = 3;
    rig_emit(enc_load(3, T1, S0, 0));
    rig_emit(enc_op(1, 0, T1, T1, T2));
    rig_emit(enc_op(0, 0, A0, A0, T1));
    rig_emit(enc_store(3, A0, S0, 8));
    rig_emit(enc_addi(T2, T2, 1));
    rig_emit(enc_addi(T0, T0, -1));
    rig_emit(enc_branch(1, T0, ZERO, -24));
    run_program("load/mul/store loop", insns / 7 * 7);
    return 0;
}

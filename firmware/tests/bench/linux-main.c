/*
 * The benchmark workload as a static Linux program, so qemu-riscv64 (user
 * mode) runs the same computation as the bench firmware on rivet and prints
 * the same checksum line.
 */
#include <stdio.h>

#include "workload.h"

int main(void)
{
    printf("bench: checksum 0x%08x\n", bench_run(BENCH_ROUNDS));
    return 0;
}

/*
 * The benchmark firmware: runs the shared workload (workload.c) and prints
 * its checksum; linux-main.c prints the same line under qemu-riscv64.
 */
#include "uart.h"
#include "workload.h"

int main(void)
{
    uart_init(true);
    print("bench: checksum 0x%08x\n", bench_run(BENCH_ROUNDS));
    return 0;
}

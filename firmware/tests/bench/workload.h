/*
 * The fixed CPU-bound benchmark workload, shared by the bare-metal bench
 * firmware and its Linux build for qemu-riscv64: plain C, no I/O, no
 * platform code, so both run the same computation and print the same
 * checksum.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stdint.h>

/* Rounds of (sieve, CRC-32, matrix multiply, sort) that `make bench` runs:
 * about 61 million instructions each, 1.47 billion in all. */
#ifndef BENCH_ROUNDS
#define BENCH_ROUNDS 24
#endif

/* Run the workload and return a checksum over every partial result. */
uint32_t bench_run(unsigned rounds);

#endif /* BENCH_WORKLOAD_H */

/*
 * HTIF `tohost`/`fromhost`: the convention of the RISC-V ISA test suites.
 * A program linked with a `tohost` symbol reports its result by storing
 * (code << 1) | 1 there: 1 means pass, anything else fails with `code`.
 */
#ifndef RIVET_MACHINE_HTIF_H
#define RIVET_MACHINE_HTIF_H

#include <stdint.h>

struct VirtMachine;

/* Overlay the 16 bytes at tohost_addr (tohost, then fromhost) on RAM. */
void htif_init(struct VirtMachine *vms, uint64_t tohost_addr);

#endif /* RIVET_MACHINE_HTIF_H */

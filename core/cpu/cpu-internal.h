/*
 * Private interface between the parts of the RISC-V hart: the interpreter
 * loop (exec.c) calls into trap entry and interrupt selection (cpu.c) and
 * the CSR file (csr.c) only on slow paths.
 */
#ifndef RIVET_CORE_CPU_INTERNAL_H
#define RIVET_CORE_CPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/riscv.h"

/* mstatus fields; only MIE and MPIE are writable in an M-only hart. */
/* CSR numbers (privileged spec, machine level, and the user counters). */
enum {
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03,
    CSR_HPMCOUNTER31 = 0xc1f,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MHPMEVENT3 = 0x323,
    CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_MCYCLE = 0xb00,
    CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03,
    CSR_MHPMCOUNTER31 = 0xb1f,
    CSR_MVENDORID = 0xf11,
    CSR_MARCHID = 0xf12,
    CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
};

#define MSTATUS_MIE (1ULL << 3)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP_M (3ULL << MSTATUS_MPP_SHIFT)
#define MSTATUS_WRITABLE (MSTATUS_MIE | MSTATUS_MPIE)

/* The interrupt bits of mip/mie that exist in an M-only hart. */
#define MIP_MSIP (1ULL << RISCV_IRQ_MSIP)
#define MIP_MTIP (1ULL << RISCV_IRQ_MTIP)
#define MIP_MEIP (1ULL << RISCV_IRQ_MEIP)
#define MIP_ALL (MIP_MSIP | MIP_MTIP | MIP_MEIP)

/* misa: MXL=2 (64-bit) and the extensions I, M, A. */
#define MISA_EXT(letter) (1ULL << ((letter) - 'A'))
#define MISA_VALUE                                                             \
    ((2ULL << 62) | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A'))

#define MTVEC_MODE_VECTORED 1

/* Interrupts that are both pending and enabled in mie (ignoring
 * mstatus.MIE, which is what WFI looks at). */
static inline uint64_t riscv_cpu_enabled_pending(const RiscvCPU *cpu)
{
    return (cpu->irq_lines | cpu->csr.mip) & cpu->csr.mie & MIP_ALL;
}

/* Enter the trap handler for a synchronous exception raised by the
 * instruction at epc; returns the new pc.  cpu->insn_count must be current
 * (it only matters for logging). */
uint64_t riscv_cpu_do_exception(RiscvCPU *cpu, uint64_t epc,
                                RiscvException cause, uint64_t tval);

/* If an interrupt is pending, enabled and mstatus.MIE is set, enter its
 * handler with mepc = pc and return true with *new_pc set. */
bool riscv_cpu_take_interrupt(RiscvCPU *cpu, uint64_t pc, uint64_t *new_pc);

/* mret: restore the interrupt-enable stack and return mepc. */
uint64_t riscv_cpu_do_mret(RiscvCPU *cpu);

/* Execute a Zicsr instruction (SYSTEM opcode, funct3 != 0).  Reads and
 * writes x[rd]/x[rs1] itself.  cpu->insn_count and the virtual clock must
 * be current.  Returns false when the instruction is illegal (unknown CSR,
 * write to a read-only CSR, funct3 == 4); nothing has changed then.
 * *wrote tells whether a CSR was written (interrupt state may differ). */
bool riscv_csr_execute(RiscvCPU *cpu, uint32_t insn, bool *wrote);

/* Read a CSR for the register dump; false if it does not exist. */
bool riscv_csr_read(RiscvCPU *cpu, unsigned csrno, uint64_t *value);

/* ABI name of integer register i (0..31). */
const char *riscv_reg_name(unsigned i);

#endif /* RIVET_CORE_CPU_INTERNAL_H */

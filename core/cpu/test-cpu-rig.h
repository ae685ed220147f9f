/*
 * A tiny machine for the CPU tests and benchmark: 1 MiB of RAM at
 * 0x80000000, a scriptable MMIO test device, one hart, and encoders that
 * hand-assemble instruction words (no guest toolchain needed).
 */
#ifndef RIVET_CORE_CPU_TEST_CPU_RIG_H
#define RIVET_CORE_CPU_TEST_CPU_RIG_H

#include <stdint.h>

#include "cpu/riscv.h"

#define RIG_RAM_BASE 0x80000000ULL
#define RIG_RAM_SIZE (1024 * 1024)
/* Programs are loaded at the reset pc; traps land on a self-loop here. */
#define RIG_HANDLER (RIG_RAM_BASE + 0x800)
#define RIG_DATA (RIG_RAM_BASE + 0x10000)
#define RIG_MMIO_BASE 0x10000000ULL
#define RIG_MMIO_SIZE 0x1000
#define RIG_UNMAPPED 0x20000000ULL

enum {
    ZERO,
    RA,
    SP,
    GP,
    TP,
    T0,
    T1,
    T2,
    S0,
    S1,
    A0,
    A1,
    A2,
    A3,
    A4,
    A5,
    A6,
    A7,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
    S10,
    S11,
    T3,
    T4,
    T5,
    T6,
};

/* The MMIO test device: reads return `value`; every access is recorded
 * with the virtual time it saw; on_write (if set) runs after a write. */
typedef struct RigMmio {
    uint64_t value;
    int reads;
    int writes;
    int64_t read_ns;  /* vclock at the last read */
    int64_t write_ns; /* vclock at the last write */
    uint64_t written;
    hwaddr last_addr;
    unsigned last_size;
    void (*on_write)(uint64_t value);
} RigMmio;

extern RiscvCPU *rig_cpu;
extern RigMmio rig_mmio;
extern uint64_t rig_end_pc;

/* Build the machine on first use, then reset everything: the virtual clock
 * and timers, the exit request, the CPU (mtvec = RIG_HANDLER), RAM
 * contents and the MMIO device.  Every test starts with this. */
void rig_reset(void);

/* Append a 32-bit instruction, or a 16-bit (RV64C) one, to the program at
 * the reset pc. */
void rig_emit(uint32_t insn);
void rig_emit16(uint16_t insn);
/* Where the next instruction emitted will be. */
uint64_t rig_next_pc(void);
/* Write the program followed by a self-loop (rig_end_pc) into RAM. */
void rig_load(void);
/* rig_load() then run up to max_steps; returns the exit reason. */
CpuExitReason rig_run(uint64_t max_steps, uint64_t *executed);

void rig_write32(uint64_t addr, uint32_t value);
void rig_write64(uint64_t addr, uint64_t value);
uint64_t rig_read64(uint64_t addr);

/* Drive a CPU interrupt input (RISCV_IRQ_*). */
void rig_set_irq(int line, int level);

/* Instruction encoders (RISC-V unprivileged spec, chapter 2 formats). */
static inline uint32_t enc_r(unsigned funct7, unsigned rs2, unsigned rs1,
                             unsigned funct3, unsigned rd, unsigned opcode)
{
    return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 |
           opcode;
}

static inline uint32_t enc_i(int32_t imm, unsigned rs1, unsigned funct3,
                             unsigned rd, unsigned opcode)
{
    return (uint32_t)imm << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static inline uint32_t enc_s(int32_t imm, unsigned rs2, unsigned rs1,
                             unsigned funct3, unsigned opcode)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 |
           (u & 0x1f) << 7 | opcode;
}

static inline uint32_t enc_branch(unsigned funct3, unsigned rs1, unsigned rs2,
                                  int32_t offset)
{
    uint32_t u = (uint32_t)offset;
    return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
           funct3 << 12 | (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
}

static inline uint32_t enc_jal(unsigned rd, int32_t offset)
{
    uint32_t u = (uint32_t)offset;
    return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 |
           (u >> 12 & 0xff) << 12 | rd << 7 | 0x6f;
}

static inline uint32_t enc_jalr(unsigned rd, unsigned rs1, int32_t imm)
{
    return enc_i(imm, rs1, 0, rd, 0x67);
}

static inline uint32_t enc_lui(unsigned rd, uint32_t imm20)
{
    return imm20 << 12 | rd << 7 | 0x37;
}

static inline uint32_t enc_auipc(unsigned rd, uint32_t imm20)
{
    return imm20 << 12 | rd << 7 | 0x17;
}

static inline uint32_t enc_opimm(unsigned funct3, unsigned rd, unsigned rs1,
                                 int32_t imm)
{
    return enc_i(imm, rs1, funct3, rd, 0x13);
}

static inline uint32_t enc_addi(unsigned rd, unsigned rs1, int32_t imm)
{
    return enc_opimm(0, rd, rs1, imm);
}

/* Shifts by immediate: funct6/funct7 in the top bits, shamt below. */
static inline uint32_t enc_shifti(unsigned funct3, unsigned top, unsigned rd,
                                  unsigned rs1, unsigned shamt)
{
    return enc_i((int32_t)(top << 6 | shamt), rs1, funct3, rd, 0x13);
}

static inline uint32_t enc_opimm32(unsigned funct3, unsigned funct7,
                                   unsigned rd, unsigned rs1, int32_t imm)
{
    return enc_i((int32_t)(funct7 << 5) | (imm & 0xfff), rs1, funct3, rd, 0x1b);
}

static inline uint32_t enc_op(unsigned funct7, unsigned funct3, unsigned rd,
                              unsigned rs1, unsigned rs2)
{
    return enc_r(funct7, rs2, rs1, funct3, rd, 0x33);
}

static inline uint32_t enc_op32(unsigned funct7, unsigned funct3, unsigned rd,
                                unsigned rs1, unsigned rs2)
{
    return enc_r(funct7, rs2, rs1, funct3, rd, 0x3b);
}

static inline uint32_t enc_load(unsigned funct3, unsigned rd, unsigned rs1,
                                int32_t imm)
{
    return enc_i(imm, rs1, funct3, rd, 0x03);
}

static inline uint32_t enc_store(unsigned funct3, unsigned rs2, unsigned rs1,
                                 int32_t imm)
{
    return enc_s(imm, rs2, rs1, funct3, 0x23);
}

static inline uint32_t enc_amo(unsigned funct5, unsigned funct3, unsigned rd,
                               unsigned rs1, unsigned rs2)
{
    return enc_r(funct5 << 2, rs2, rs1, funct3, rd, 0x2f);
}

static inline uint32_t enc_csr(unsigned funct3, unsigned rd, unsigned csr,
                               unsigned rs1_or_uimm)
{
    return csr << 20 | rs1_or_uimm << 15 | funct3 << 12 | rd << 7 | 0x73;
}

#define INSN_ECALL 0x00000073u
#define INSN_EBREAK 0x00100073u
#define INSN_MRET 0x30200073u
#define INSN_WFI 0x10500073u
#define INSN_FENCE 0x0ff0000fu
#define INSN_FENCE_I 0x0000100fu

/* funct3 of the CSR instructions. */
enum { CSRRW = 1, CSRRS = 2, CSRRC = 3, CSRRWI = 5, CSRRSI = 6, CSRRCI = 7 };

#endif /* RIVET_CORE_CPU_TEST_CPU_RIG_H */

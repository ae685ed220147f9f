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

/* misa: MXL=2 (64-bit) and the extensions I, M, A, C.  Read-only, as in
 * QEMU's default harts: C cannot be switched off, so IALIGN is always 16. */
#define MISA_EXT(letter) (1ULL << ((letter) - 'A'))
#define MISA_VALUE                                                             \
    ((2ULL << 62) | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') |            \
     MISA_EXT('C'))
/* What snapshots of the hart before RV64C hold; they load as MISA_VALUE. */
#define MISA_VALUE_BEFORE_C (MISA_VALUE & ~MISA_EXT('C'))

/* mcountinhibit: CY stops mcycle, IR stops minstret.  TM does not exist
 * (time cannot be stopped) and the hpm counters count nothing, so their
 * bits read as zero (WARL). */
#define MCOUNTINHIBIT_CY (1ULL << 0)
#define MCOUNTINHIBIT_IR (1ULL << 2)
#define MCOUNTINHIBIT_WRITABLE (MCOUNTINHIBIT_CY | MCOUNTINHIBIT_IR)

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

/*
 * RV64C (unprivileged spec, chapter "C" Standard Extension): a 16-bit
 * instruction is one whose bits 1:0 are not 11.  Its fields, shared by the
 * interpreter and the disassembler.  rvc_* take the 16-bit instruction.
 */
static inline bool rvc_is_compressed(uint32_t insn)
{
    return (insn & 3) != 3;
}

/* Quadrant (bits 1:0) and funct3 (bits 15:13) as one 5-bit number. */
static inline unsigned rvc_op(uint32_t insn)
{
    return (insn & 3) << 3 | ((insn >> 13) & 7);
}

/* rd/rs1 in bits 11:7, rs2 in bits 6:2; the 3-bit rd'/rs1'/rs2' name
 * x8..x15. */
static inline unsigned rvc_rd(uint32_t insn)
{
    return (insn >> 7) & 31;
}

static inline unsigned rvc_rs2(uint32_t insn)
{
    return (insn >> 2) & 31;
}

static inline unsigned rvc_rs1p(uint32_t insn)
{
    return 8 + ((insn >> 7) & 7);
}

static inline unsigned rvc_rs2p(uint32_t insn)
{
    return 8 + ((insn >> 2) & 7);
}

static inline int32_t rvc_sext(uint32_t v, unsigned bits)
{
    uint32_t sign = 1u << (bits - 1);
    return (int32_t)((v ^ sign) - sign);
}

/* CI: imm[5] = insn[12], imm[4:0] = insn[6:2], sign-extended (c.addi,
 * c.addiw, c.li, c.andi; the shifts use it unsigned as shamt[5:0]). */
static inline int32_t rvc_imm_ci(uint32_t insn)
{
    return rvc_sext(((insn >> 7) & 0x20) | ((insn >> 2) & 0x1f), 6);
}

static inline unsigned rvc_shamt(uint32_t insn)
{
    return ((insn >> 7) & 0x20) | ((insn >> 2) & 0x1f);
}

/* c.addi4spn: nzuimm[5:4|9:6|2|3] = insn[12:5]. */
static inline uint32_t rvc_imm_addi4spn(uint32_t insn)
{
    return ((insn >> 7) & 0x30) | ((insn >> 1) & 0x3c0) | ((insn >> 4) & 4) |
           ((insn >> 2) & 8);
}

/* c.lw/c.sw: uimm[5:3] = insn[12:10], uimm[2|6] = insn[6:5]. */
static inline uint32_t rvc_imm_lw(uint32_t insn)
{
    return ((insn >> 7) & 0x38) | ((insn >> 4) & 4) | ((insn << 1) & 0x40);
}

/* c.ld/c.sd: uimm[5:3] = insn[12:10], uimm[7:6] = insn[6:5]. */
static inline uint32_t rvc_imm_ld(uint32_t insn)
{
    return ((insn >> 7) & 0x38) | ((insn << 1) & 0xc0);
}

/* c.lwsp: uimm[5] = insn[12], uimm[4:2|7:6] = insn[6:2]. */
static inline uint32_t rvc_imm_lwsp(uint32_t insn)
{
    return ((insn >> 7) & 0x20) | ((insn >> 2) & 0x1c) | ((insn << 4) & 0xc0);
}

/* c.ldsp: uimm[5] = insn[12], uimm[4:3|8:6] = insn[6:2]. */
static inline uint32_t rvc_imm_ldsp(uint32_t insn)
{
    return ((insn >> 7) & 0x20) | ((insn >> 2) & 0x18) | ((insn << 4) & 0x1c0);
}

/* c.swsp: uimm[5:2|7:6] = insn[12:7]. */
static inline uint32_t rvc_imm_swsp(uint32_t insn)
{
    return ((insn >> 7) & 0x3c) | ((insn >> 1) & 0xc0);
}

/* c.sdsp: uimm[5:3|8:6] = insn[12:7]. */
static inline uint32_t rvc_imm_sdsp(uint32_t insn)
{
    return ((insn >> 7) & 0x38) | ((insn >> 1) & 0x1c0);
}

/* c.addi16sp: nzimm[9] = insn[12], nzimm[4|6|8:7|5] = insn[6:2]. */
static inline int32_t rvc_imm_addi16sp(uint32_t insn)
{
    return rvc_sext(((insn >> 3) & 0x200) | ((insn >> 2) & 0x10) |
                        ((insn << 1) & 0x40) | ((insn << 4) & 0x180) |
                        ((insn << 3) & 0x20),
                    10);
}

/* c.j/c.jal: offset[11|4|9:8|10|6|7|3:1|5] = insn[12:2]. */
static inline int32_t rvc_imm_j(uint32_t insn)
{
    return rvc_sext(((insn >> 1) & 0x800) | ((insn >> 7) & 0x10) |
                        ((insn >> 1) & 0x300) | ((insn << 2) & 0x400) |
                        ((insn >> 1) & 0x40) | ((insn << 1) & 0x80) |
                        ((insn >> 2) & 0xe) | ((insn << 3) & 0x20),
                    12);
}

/* c.beqz/c.bnez: offset[8|4:3] = insn[12:10], offset[7:6|2:1|5] =
 * insn[6:2]. */
static inline int32_t rvc_imm_b(uint32_t insn)
{
    return rvc_sext(((insn >> 4) & 0x100) | ((insn >> 7) & 0x18) |
                        ((insn << 1) & 0xc0) | ((insn >> 2) & 0x6) |
                        ((insn << 3) & 0x20),
                    9);
}

#endif /* RIVET_CORE_CPU_INTERNAL_H */

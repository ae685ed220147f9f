/*
 * The RISC-V hart: RV64IMAC + Zicsr + Zifencei, M and U privilege levels,
 * PMP with 16 entries and Sdtrig triggers (mcontrol6).
 *
 * The CPU is a device (TYPE_RISCV_CPU) with three GPIO inputs wired by the
 * board: RISCV_IRQ_MSIP and RISCV_IRQ_MTIP from the CLINT and RISCV_IRQ_MEIP
 * from the PLIC.  Guest time follows executed instructions (util/vclock.h).
 */
#ifndef RIVET_CPU_RISCV_H
#define RIVET_CPU_RISCV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hwcore/qdev.h"
#include "memory/memory.h"

#define TYPE_RISCV_CPU "riscv-cpu"

/* GPIO input indices, equal to the mip bit numbers. */
#define RISCV_IRQ_MSIP 3
#define RISCV_IRQ_MTIP 7
#define RISCV_IRQ_MEIP 11
/* Number of GPIO inputs: one per mip bit up to MEIP. */
#define RISCV_NUM_IRQ_LINES 12

/* mcause bit 63: the trap is an interrupt. */
#define RISCV_MCAUSE_INTERRUPT (1ULL << 63)

/* mcause values for synchronous exceptions. */
typedef enum RiscvException {
    RISCV_EXCP_INSN_MISALIGNED = 0,
    RISCV_EXCP_INSN_ACCESS_FAULT = 1,
    RISCV_EXCP_ILLEGAL_INSN = 2,
    RISCV_EXCP_BREAKPOINT = 3,
    RISCV_EXCP_LOAD_MISALIGNED = 4,
    RISCV_EXCP_LOAD_ACCESS_FAULT = 5,
    RISCV_EXCP_STORE_MISALIGNED = 6,
    RISCV_EXCP_STORE_ACCESS_FAULT = 7,
    RISCV_EXCP_ECALL_U = 8,
    RISCV_EXCP_ECALL_M = 11,
} RiscvException;

/* Privilege levels (the encoding of mstatus.MPP). */
#define RISCV_PRV_U 0
#define RISCV_PRV_M 3

/* Physical Memory Protection: 16 entries (privileged spec 3.7). */
#define RISCV_PMP_ENTRIES 16

/* Sdtrig: the number of triggers, each an mcontrol6 address trigger. */
#define RISCV_TRIGGERS 2

typedef struct RiscvCsrs {
    uint64_t mstatus;
    uint64_t misa;
    uint64_t mie;
    uint64_t mip; /* software-writable bits; line levels are in irq_lines */
    uint64_t mtvec;
    uint64_t mscratch;
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t mcycle_offset;   /* counting: mcycle = insn_count - offset */
    uint64_t minstret_offset; /* counting: minstret = insn_count - offset */
    uint64_t mcounteren;      /* which counters U-mode may read */
    uint64_t mcountinhibit;   /* CY and IR stop mcycle and minstret */
    uint64_t mcycle_held;     /* mcountinhibit.CY set: mcycle's value */
    uint64_t minstret_held;   /* mcountinhibit.IR set: minstret's value */
} RiscvCsrs;

/* What the `time` CSR reads: the platform's mtime (the CLINT on `virt`). */
typedef uint64_t RiscvTimeSource(void *opaque);

/* An entry of the decoded-instruction cache (core/cpu/exec.c). */
typedef struct RiscvDecoded RiscvDecoded;

typedef struct RiscvCPU {
    DeviceState parent_obj;
    uint64_t x[32];
    uint64_t pc;
    RiscvCsrs csr;
    uint64_t irq_lines; /* mip bits driven by the GPIO inputs */
    uint8_t priv;       /* RISCV_PRV_M or RISCV_PRV_U */
    /* PMP: one configuration byte and one address register per entry. */
    uint8_t pmpcfg[RISCV_PMP_ENTRIES];
    uint64_t pmpaddr[RISCV_PMP_ENTRIES];
    /* Sdtrig: tselect and each trigger's tdata1 (mcontrol6 or disabled)
     * and tdata2 (the address compared). */
    uint64_t tselect;
    uint64_t tdata1[RISCV_TRIGGERS];
    uint64_t tdata2[RISCV_TRIGGERS];
    /* Some access must be checked against PMP or the triggers (U-mode,
     * MPRV to U, a locked entry, an armed trigger).  While set, the RAM
     * windows are kept empty so every fetch and access takes the slow
     * path, which checks: the fast path pays nothing for protection. */
    bool mem_checks;
    bool waiting; /* in WFI until an interrupt is pending */
    bool reservation_valid;
    uint64_t reservation_addr;
    uint64_t insn_count; /* instructions retired since reset */
    uint64_t reset_pc;   /* property "reset-pc" */
    uint64_t hartid;     /* property "hartid" */
    /* Property "trap-misaligned": misaligned loads and stores raise the
     * address-misaligned exception instead of completing in RAM. */
    bool trap_misaligned;
    AddressSpace *as;
    /* RAM fast path: a cached direct window onto the RAM range that
     * contains the last accessed RAM address; refreshed when the address
     * space generation changes. */
    uint8_t *fast_host;
    hwaddr fast_base;
    uint64_t fast_size;
    /* The window before it, also used: a device window inside RAM (HTIF's
     * tohost) splits it in two ranges, and programs alternate between
     * them (code and constants below, data and stack above). */
    uint8_t *fast_prev_host;
    hwaddr fast_prev_base;
    uint64_t fast_prev_size;
    uint64_t fast_generation;
    /* `time` CSR source; NULL: the virtual clock at
     * VIRT_CLINT_TIMEBASE_HZ (what an unmodified CLINT would read). */
    RiscvTimeSource *time_source;
    void *time_opaque;
    /* Set by interrupt lines / CSR writes: re-check for pending interrupts
     * before the next instruction. */
    bool check_interrupts;
    /* The decoded-instruction cache, allocated by the first exec: a host
     * cache that each entry validates against the instruction's bits, so
     * it is never invalidated, migrated or reset. */
    RiscvDecoded *decoded;
} RiscvCPU;

#define RISCV_CPU(obj) OBJECT_CHECK(RiscvCPU, (obj), TYPE_RISCV_CPU)

typedef enum CpuExitReason {
    CPU_EXIT_BUDGET,      /* ran the requested number of instructions */
    CPU_EXIT_WFI,         /* waiting for an interrupt */
    CPU_EXIT_REQUEST,     /* main_loop_request_exit() or a timer deadline */
    CPU_EXIT_END_OF_TIME, /* no instruction fits before VCLOCK_END_NS */
} CpuExitReason;

/* Execute at most max_insns instructions.  The virtual clock advances with
 * each instruction (synchronised before every MMIO access, so devices see
 * the exact time) and the slice ends early at the next timer deadline so the
 * caller can run the timer, and at the end of virtual time, which it never
 * passes.  *executed receives the number retired. */
CpuExitReason riscv_cpu_exec(RiscvCPU *cpu, uint64_t max_insns,
                             uint64_t *executed);

/* Bind the CPU to an address space before realize. */
void riscv_cpu_set_address_space(RiscvCPU *cpu, AddressSpace *as);

/* Make the `time` CSR read fn(opaque), so that it agrees with a writable
 * mtime register. */
void riscv_cpu_set_time_source(RiscvCPU *cpu, RiscvTimeSource *fn,
                               void *opaque);

/* Raise a synchronous exception as if the current instruction caused it
 * (used by tests). */
void riscv_cpu_raise_exception(RiscvCPU *cpu, RiscvException cause,
                               uint64_t tval);

/* Write the hart's pc, privilege mode, machine CSRs and x0..x31 in the
 * layout of QEMU's riscv `info registers`. */
void riscv_cpu_dump_state(RiscvCPU *cpu, FILE *out);
/* The same to the log, then the instructions retired (`-d cpu`). */
void riscv_cpu_log_state(RiscvCPU *cpu);

/* Disassemble one instruction into buf (for `-d in_asm`); unknown
 * encodings read "unknown".  When bits 1:0 of insn are not 11 it is a
 * 16-bit RV64C instruction (bits 15:0; the upper half is ignored). */
void riscv_disas(uint32_t insn, uint64_t pc, char *buf, int buflen);

#endif /* RIVET_CPU_RISCV_H */

/*
 * Machine-mode CSR access and the bits of mstatus/mie/mip/mcause the
 * firmware uses (RISC-V privileged spec 1.12).
 */
#ifndef FW_CSR_H
#define FW_CSR_H

#include <stdint.h>

#define csr_read(csr)                                                          \
    ({                                                                         \
        uint64_t csr_value_;                                                   \
        __asm__ volatile("csrr %0, " #csr : "=r"(csr_value_));                 \
        csr_value_;                                                            \
    })

#define csr_write(csr, value)                                                  \
    __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(value)) : "memory")

#define csr_set(csr, bits)                                                     \
    __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(bits)) : "memory")

#define csr_clear(csr, bits)                                                   \
    __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(bits)) : "memory")

#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP_MASK (3UL << MSTATUS_MPP_SHIFT)

/* Bit numbers shared by mie, mip and the interrupt mcause codes. */
#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7
#define IRQ_M_EXT 11
#define MIP_MSIP (1UL << IRQ_M_SOFT)
#define MIP_MTIP (1UL << IRQ_M_TIMER)
#define MIP_MEIP (1UL << IRQ_M_EXT)

#define MCAUSE_INTERRUPT (1UL << 63)

#define CAUSE_INSN_MISALIGNED 0
#define CAUSE_INSN_ACCESS_FAULT 1
#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_LOAD_MISALIGNED 4
#define CAUSE_LOAD_ACCESS_FAULT 5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS_FAULT 7
#define CAUSE_ECALL_M 11

static inline void irq_global_enable(void)
{
    csr_set(mstatus, MSTATUS_MIE);
}

static inline void irq_global_disable(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
}

static inline void wfi(void)
{
    __asm__ volatile("wfi" ::: "memory");
}

#endif /* FW_CSR_H */

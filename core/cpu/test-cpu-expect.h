/*
 * Expectations shared by the CPU unit tests (test-cpu.c, test-cpu-priv.c):
 * run the rig's program and require it to end, or to trap.  Static inline
 * because unit-test.h keeps its state per test program.
 */
#ifndef RIVET_CORE_CPU_TEST_CPU_EXPECT_H
#define RIVET_CORE_CPU_TEST_CPU_EXPECT_H

#include "test-cpu-rig.h"
#include "unit-test.h"

/* Run the loaded program and require it to reach its end without a trap. */
static inline void run_to_end(void)
{
    rig_cpu->csr.mcause = 0xdead;
    rig_run(10000, NULL);
    if (rig_cpu->pc != rig_end_pc) {
        UNIT_FAIL("stopped at pc 0x%llx (end 0x%llx), mcause 0x%llx "
                  "mtval 0x%llx",
                  (unsigned long long)rig_cpu->pc,
                  (unsigned long long)rig_end_pc,
                  (unsigned long long)rig_cpu->csr.mcause,
                  (unsigned long long)rig_cpu->csr.mtval);
    }
    CHECK_EQ_U64(rig_cpu->csr.mcause, 0xdead);
}

/* Run and require a synchronous trap with this cause, epc and tval. */
static inline void run_to_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    rig_run(10000, NULL);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mcause, cause);
    CHECK_EQ_U64(rig_cpu->csr.mepc, epc);
    CHECK_EQ_U64(rig_cpu->csr.mtval, tval);
}

#endif /* RIVET_CORE_CPU_TEST_CPU_EXPECT_H */

/*
 * Unit tests of the RISC-V interpreter: hand-assembled programs run on the
 * tiny machine of test-cpu-rig.c and the architectural state is checked
 * afterwards -- arithmetic edge cases, memory access, control flow, atomics,
 * CSRs, traps, interrupts, WFI, and the virtual-clock contract with devices
 * and timers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cpu-internal.h"
#include "migration/stream.h"
#include "migration/vmstate.h"
#include "test-cpu-expect.h"
#include "test-cpu-rig.h"
#include "unit-test.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/vclock.h"

#define X(i) (rig_cpu->x[(i)])
#define PROG(i) (RIG_RAM_BASE + 4 * (uint64_t)(i))

/* ---- reset and properties ---- */

UNIT_TEST(reset_state_and_properties)
{
    rig_reset();
    Object *obj = OBJECT(rig_cpu);
    CHECK_EQ_U64(object_property_get_uint(obj, "reset-pc", NULL), 0x80000000);
    CHECK_EQ_U64(object_property_get_uint(obj, "hartid", NULL), 0);
    CHECK(!object_property_get_bool(obj, "trap-misaligned", NULL));
    CHECK_EQ_U64(rig_cpu->pc, 0x80000000);
    CHECK_EQ_U64(rig_cpu->insn_count, 0);

    rig_cpu->hartid = 3;
    X(T0) = 42;
    rig_cpu->waiting = true;
    rig_cpu->reservation_valid = true;
    device_reset(DEVICE(rig_cpu));
    rig_cpu->hartid = 0;
    CHECK_EQ_U64(X(A0), 3);
    CHECK_EQ_U64(X(A1), 0);
    CHECK_EQ_U64(X(T0), 0);
    CHECK(!rig_cpu->waiting);
    CHECK(!rig_cpu->reservation_valid);
    CHECK_EQ_U64(rig_cpu->csr.mtvec, 0);
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPP_M);
}

UNIT_TEST(reset_csr_values)
{
    rig_reset();
    rig_emit(enc_csr(CSRRS, A0, CSR_MISA, ZERO));
    rig_emit(enc_csr(CSRRS, A1, CSR_MSTATUS, ZERO));
    rig_emit(enc_csr(CSRRS, A2, CSR_MHARTID, ZERO));
    rig_emit(enc_csr(CSRRS, A3, CSR_MVENDORID, ZERO));
    rig_emit(enc_csr(CSRRS, A4, CSR_MARCHID, ZERO));
    rig_emit(enc_csr(CSRRS, A5, CSR_MIMPID, ZERO));
    X(A3) = X(A4) = X(A5) = 99;
    run_to_end();
    /* MXL=2 (RV64), extensions A, C, I, M, U. */
    CHECK_EQ_U64(X(A0),
                 (2ULL << 62) | 1 << 0 | 1 << 2 | 1 << 8 | 1 << 12 | 1 << 20);
    CHECK_EQ_U64(X(A1), MSTATUS_MPP_M | MSTATUS_UXL_64);
    CHECK_EQ_U64(X(A2), 0);
    CHECK_EQ_U64(X(A3), 0);
    CHECK_EQ_U64(X(A4), 0);
    CHECK_EQ_U64(X(A5), 0);
}

/* ---- RV64I ---- */

UNIT_TEST(x0_is_hardwired_zero)
{
    rig_reset();
    rig_emit(enc_addi(ZERO, ZERO, 5));
    rig_emit(enc_lui(ZERO, 0x12345));
    rig_emit(enc_addi(A0, ZERO, 0));
    run_to_end();
    CHECK_EQ_U64(X(ZERO), 0);
    CHECK_EQ_U64(X(A0), 0);
}

UNIT_TEST(immediate_arithmetic_and_logic)
{
    rig_reset();
    X(T0) = (uint64_t)-1;
    X(T1) = 1;
    rig_emit(enc_addi(A0, ZERO, -2048));
    rig_emit(enc_opimm(2, A1, T0, 0));   /* slti -1 < 0 */
    rig_emit(enc_opimm(3, A2, T1, -1));  /* sltiu 1 < 2^64-1 */
    rig_emit(enc_opimm(3, A3, ZERO, 1)); /* sltiu: seqz idiom */
    rig_emit(enc_opimm(7, A4, T0, 0x7ff));
    rig_emit(enc_opimm(4, A5, T1, -1));
    rig_emit(enc_opimm(6, A6, T1, -16));
    rig_emit(enc_opimm(2, A7, T1, -1)); /* slti 1 < -1: false */
    run_to_end();
    CHECK_EQ_U64(X(A0), (uint64_t)-2048);
    CHECK_EQ_U64(X(A1), 1);
    CHECK_EQ_U64(X(A2), 1);
    CHECK_EQ_U64(X(A3), 1);
    CHECK_EQ_U64(X(A4), 0x7ff);
    CHECK_EQ_U64(X(A5), ~1ULL);
    CHECK_EQ_U64(X(A6), (uint64_t)-15);
    CHECK_EQ_U64(X(A7), 0);
}

UNIT_TEST(register_arithmetic_and_logic)
{
    rig_reset();
    X(T0) = (uint64_t)-1;
    X(T1) = 1;
    X(T2) = 0x00ff00ff00ff00ffULL;
    rig_emit(enc_op(0, 0, A0, T0, T1));    /* add */
    rig_emit(enc_op(0x20, 0, A1, T1, T0)); /* sub */
    rig_emit(enc_op(0, 2, A2, T0, T1));    /* slt */
    rig_emit(enc_op(0, 3, A3, T0, T1));    /* sltu */
    rig_emit(enc_op(0, 4, A4, T0, T2));    /* xor */
    rig_emit(enc_op(0, 6, A5, T1, T2));    /* or */
    rig_emit(enc_op(0, 7, A6, T0, T2));    /* and */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0);
    CHECK_EQ_U64(X(A1), 2);
    CHECK_EQ_U64(X(A2), 1);
    CHECK_EQ_U64(X(A3), 0);
    CHECK_EQ_U64(X(A4), 0xff00ff00ff00ff00ULL);
    CHECK_EQ_U64(X(A5), 0x00ff00ff00ff00ffULL);
    CHECK_EQ_U64(X(A6), 0x00ff00ff00ff00ffULL);
}

UNIT_TEST(shifts_use_six_bit_amounts)
{
    rig_reset();
    X(T0) = 0x8000000000000001ULL;
    X(T1) = 65;                                /* only the low 6 bits count */
    rig_emit(enc_shifti(1, 0, A0, T0, 63));    /* slli */
    rig_emit(enc_shifti(5, 0, A1, T0, 63));    /* srli */
    rig_emit(enc_shifti(5, 0x10, A2, T0, 63)); /* srai */
    rig_emit(enc_op(0, 1, A3, T0, T1));        /* sll by 1 */
    rig_emit(enc_op(0, 5, A4, T0, T1));        /* srl by 1 */
    rig_emit(enc_op(0x20, 5, A5, T0, T1));     /* sra by 1 */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0x8000000000000000ULL);
    CHECK_EQ_U64(X(A1), 1);
    CHECK_EQ_U64(X(A2), UINT64_MAX);
    CHECK_EQ_U64(X(A3), 2);
    CHECK_EQ_U64(X(A4), 0x4000000000000000ULL);
    CHECK_EQ_U64(X(A5), 0xc000000000000000ULL);
}

UNIT_TEST(word_ops_sign_extend)
{
    rig_reset();
    X(T0) = 0x7fffffff;
    X(T1) = 0x1234567800000001ULL;
    X(T2) = 0xffffffff00000002ULL;
    X(T3) = 0x80000000;
    X(T4) = 33;                                /* word shifts use 5 bits: 1 */
    rig_emit(enc_opimm32(0, 0, A0, T0, 1));    /* addiw overflow */
    rig_emit(enc_op32(0, 0, A1, T1, T2));      /* addw ignores upper */
    rig_emit(enc_op32(0x20, 0, A2, ZERO, T1)); /* subw */
    rig_emit(enc_opimm32(1, 0, A3, T1, 31));   /* slliw */
    rig_emit(enc_opimm32(5, 0, A4, T3, 4));    /* srliw */
    rig_emit(enc_opimm32(5, 0x20, A5, T3, 4)); /* sraiw */
    rig_emit(enc_op32(0, 1, A6, T3, T4));      /* sllw */
    rig_emit(enc_op32(0x20, 5, A7, T3, T4));   /* sraw */
    rig_emit(enc_op32(0, 5, S2, T3, T4));      /* srlw */
    rig_emit(enc_opimm32(0, 0, S3, T2, 0));    /* sext.w */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xffffffff80000000ULL);
    CHECK_EQ_U64(X(A1), 3);
    CHECK_EQ_U64(X(A2), UINT64_MAX);
    CHECK_EQ_U64(X(A3), 0xffffffff80000000ULL);
    CHECK_EQ_U64(X(A4), 0x08000000);
    CHECK_EQ_U64(X(A5), 0xfffffffff8000000ULL);
    CHECK_EQ_U64(X(A6), 0);
    CHECK_EQ_U64(X(A7), 0xffffffffc0000000ULL);
    CHECK_EQ_U64(X(S2), 0x40000000);
    CHECK_EQ_U64(X(S3), 2);
}

UNIT_TEST(shift_immediates_out_of_range_are_illegal)
{
    uint32_t bad[] = {
        enc_opimm32(1, 0, A0, T0, 32),    /* slliw shamt[5] set */
        enc_opimm32(5, 0x20, A0, T0, 32), /* sraiw shamt[5] set */
        enc_shifti(1, 0x10, A0, T0, 1),   /* slli with funct6 = 0x10 */
        enc_shifti(5, 0x08, A0, T0, 1),   /* srli with bad funct6 */
        enc_op(0x20, 1, A0, T0, T1),      /* "subsll" */
        enc_opimm32(2, 0, A0, T0, 0),     /* OP-IMM-32 funct3 2 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rig_reset();
        rig_emit(bad[i]);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), bad[i]);
    }
}

UNIT_TEST(lui_and_auipc)
{
    rig_reset();
    rig_emit(enc_lui(A0, 0x80000));
    rig_emit(enc_auipc(A1, 1));
    rig_emit(enc_auipc(A2, 0xfffff));
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xffffffff80000000ULL);
    CHECK_EQ_U64(X(A1), PROG(1) + 0x1000);
    CHECK_EQ_U64(X(A2), PROG(2) - 0x1000);
}

/* ---- M extension ---- */

UNIT_TEST(multiply_variants)
{
    rig_reset();
    X(T0) = (uint64_t)-3;
    X(T1) = 5;
    X(T2) = UINT64_MAX;
    X(T3) = 0x8000000000000000ULL;
    X(T4) = 2;
    X(T5) = 0x7fffffff;
    rig_emit(enc_op(1, 0, A0, T0, T1));   /* mul */
    rig_emit(enc_op(1, 1, A1, T2, T2));   /* mulh -1*-1 */
    rig_emit(enc_op(1, 1, A2, T3, T3));   /* mulh MIN*MIN */
    rig_emit(enc_op(1, 3, A3, T2, T2));   /* mulhu */
    rig_emit(enc_op(1, 2, A4, T2, T2));   /* mulhsu -1 * (2^64-1) */
    rig_emit(enc_op(1, 2, A5, T4, T2));   /* mulhsu 2 * (2^64-1) */
    rig_emit(enc_op(1, 1, A6, T0, T1));   /* mulh -3*5 */
    rig_emit(enc_op32(1, 0, A7, T5, T4)); /* mulw */
    run_to_end();
    CHECK_EQ_U64(X(A0), (uint64_t)-15);
    CHECK_EQ_U64(X(A1), 0);
    CHECK_EQ_U64(X(A2), 0x4000000000000000ULL);
    CHECK_EQ_U64(X(A3), 0xfffffffffffffffeULL);
    CHECK_EQ_U64(X(A4), UINT64_MAX);
    CHECK_EQ_U64(X(A5), 1);
    CHECK_EQ_U64(X(A6), UINT64_MAX);
    CHECK_EQ_U64(X(A7), (uint64_t)-2);
}

UNIT_TEST(divide_by_zero_and_overflow)
{
    rig_reset();
    X(T0) = (uint64_t)-7;
    X(T1) = 2;
    X(T2) = 0x8000000000000000ULL;
    X(T3) = (uint64_t)-1;
    rig_emit(enc_op(1, 4, A0, T0, ZERO)); /* div by 0 */
    rig_emit(enc_op(1, 5, A1, T0, ZERO)); /* divu by 0 */
    rig_emit(enc_op(1, 6, A2, T0, ZERO)); /* rem by 0 */
    rig_emit(enc_op(1, 7, A3, T0, ZERO)); /* remu by 0 */
    rig_emit(enc_op(1, 4, A4, T2, T3));   /* div MIN/-1 */
    rig_emit(enc_op(1, 6, A5, T2, T3));   /* rem MIN/-1 */
    rig_emit(enc_op(1, 4, A6, T0, T1));   /* -7/2 */
    rig_emit(enc_op(1, 6, A7, T0, T1));   /* -7%2 */
    rig_emit(enc_op(1, 5, S2, T0, T1));   /* divu */
    rig_emit(enc_op(1, 7, S3, T0, T1));   /* remu */
    run_to_end();
    CHECK_EQ_U64(X(A0), UINT64_MAX);
    CHECK_EQ_U64(X(A1), UINT64_MAX);
    CHECK_EQ_U64(X(A2), (uint64_t)-7);
    CHECK_EQ_U64(X(A3), (uint64_t)-7);
    CHECK_EQ_U64(X(A4), 0x8000000000000000ULL);
    CHECK_EQ_U64(X(A5), 0);
    CHECK_EQ_U64(X(A6), (uint64_t)-3);
    CHECK_EQ_U64(X(A7), (uint64_t)-1);
    CHECK_EQ_U64(X(S2), 0x7ffffffffffffffcULL);
    CHECK_EQ_U64(X(S3), 1);
}

UNIT_TEST(word_divide_edge_cases)
{
    rig_reset();
    X(T0) = 0xabcdef0080000000ULL; /* low word INT32_MIN */
    X(T1) = 0x00000000ffffffffULL; /* low word -1 */
    X(T2) = 0x12345678fffffff9ULL; /* low word -7 */
    X(T3) = 2;
    rig_emit(enc_op32(1, 4, A0, T0, T1));   /* divw overflow */
    rig_emit(enc_op32(1, 6, A1, T0, T1));   /* remw overflow */
    rig_emit(enc_op32(1, 4, A2, T2, ZERO)); /* divw by 0 */
    rig_emit(enc_op32(1, 5, A3, T2, ZERO)); /* divuw by 0 */
    rig_emit(enc_op32(1, 6, A4, T2, ZERO)); /* remw by 0 */
    rig_emit(enc_op32(1, 7, A5, T0, ZERO)); /* remuw by 0 */
    rig_emit(enc_op32(1, 5, A6, T0, T3));   /* divuw */
    rig_emit(enc_op32(1, 4, A7, T2, T3));   /* divw -7/2 */
    rig_emit(enc_op32(1, 7, S2, T2, T3));   /* remuw */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xffffffff80000000ULL);
    CHECK_EQ_U64(X(A1), 0);
    CHECK_EQ_U64(X(A2), UINT64_MAX);
    CHECK_EQ_U64(X(A3), UINT64_MAX);
    CHECK_EQ_U64(X(A4), (uint64_t)-7);
    CHECK_EQ_U64(X(A5), 0xffffffff80000000ULL);
    CHECK_EQ_U64(X(A6), 0x40000000);
    CHECK_EQ_U64(X(A7), (uint64_t)-3);
    CHECK_EQ_U64(X(S2), 1);
}

/* ---- loads and stores ---- */

UNIT_TEST(loads_sign_and_zero_extend)
{
    rig_reset();
    rig_write64(RIG_DATA, 0x8081828384858687ULL);
    X(T0) = RIG_DATA;
    X(T1) = RIG_DATA + 8;
    rig_emit(enc_load(0, A0, T0, 0));  /* lb */
    rig_emit(enc_load(4, A1, T0, 0));  /* lbu */
    rig_emit(enc_load(1, A2, T0, 2));  /* lh */
    rig_emit(enc_load(5, A3, T0, 2));  /* lhu */
    rig_emit(enc_load(2, A4, T0, 4));  /* lw */
    rig_emit(enc_load(6, A5, T0, 4));  /* lwu */
    rig_emit(enc_load(3, A6, T0, 0));  /* ld */
    rig_emit(enc_load(0, A7, T1, -1)); /* lb, negative offset */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xffffffffffffff87ULL);
    CHECK_EQ_U64(X(A1), 0x87);
    CHECK_EQ_U64(X(A2), 0xffffffffffff8485ULL);
    CHECK_EQ_U64(X(A3), 0x8485);
    CHECK_EQ_U64(X(A4), 0xffffffff80818283ULL);
    CHECK_EQ_U64(X(A5), 0x80818283);
    CHECK_EQ_U64(X(A6), 0x8081828384858687ULL);
    CHECK_EQ_U64(X(A7), 0xffffffffffffff80ULL);
}

UNIT_TEST(stores_each_width)
{
    rig_reset();
    X(T0) = RIG_DATA;
    X(T2) = 0x1122334455667788ULL;
    rig_emit(enc_store(0, T2, T0, 0));  /* sb */
    rig_emit(enc_store(1, T2, T0, 2));  /* sh */
    rig_emit(enc_store(2, T2, T0, 4));  /* sw */
    rig_emit(enc_store(3, T2, T0, 8));  /* sd */
    rig_emit(enc_store(3, T2, T0, -8)); /* sd, negative offset */
    run_to_end();
    CHECK_EQ_U64(rig_read64(RIG_DATA), 0x5566778877880088ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 8), 0x1122334455667788ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA - 8), 0x1122334455667788ULL);
}

UNIT_TEST(mmio_loads_and_stores)
{
    rig_reset();
    rig_mmio.value = 0xfedcba9876543210ULL;
    X(T0) = RIG_MMIO_BASE;
    X(T2) = 0x1122334455667788ULL;
    rig_emit(enc_load(2, A0, T0, 8));  /* lw: sign-extended */
    rig_emit(enc_load(3, A1, T0, 16)); /* ld */
    rig_emit(enc_store(1, T2, T0, 6)); /* sh */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0x0000000076543210ULL);
    CHECK_EQ_U64(X(A1), 0xfedcba9876543210ULL);
    CHECK_EQ_U64(rig_mmio.reads, 2);
    CHECK_EQ_U64(rig_mmio.writes, 1);
    CHECK_EQ_U64(rig_mmio.written, 0x7788);
    CHECK_EQ_U64(rig_mmio.last_addr, 6);
    CHECK_EQ_U64(rig_mmio.last_size, 2);
}

/* ---- control flow ---- */

UNIT_TEST(branches_taken_and_not_taken)
{
    static const struct {
        unsigned funct3, rs1, rs2;
        int taken;
    } cases[] = {
        {0, T0, T0, 1}, {0, T0, T1, 0},                 /* beq */
        {1, T0, T1, 1}, {1, T0, T0, 0},                 /* bne */
        {4, T0, T1, 1}, {4, T1, T0, 0},                 /* blt -1 < 1 */
        {5, T1, T0, 1}, {5, T0, T1, 0}, {5, T0, T0, 1}, /* bge */
        {6, T1, T0, 1}, {6, T0, T1, 0},                 /* bltu 1 < 2^64-1 */
        {7, T0, T1, 1}, {7, T1, T0, 0},                 /* bgeu */
    };
    uint64_t expected = 0;
    rig_reset();
    X(T0) = (uint64_t)-1;
    X(T1) = 1;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* s1 = s1 << 1 | not_taken */
        rig_emit(enc_shifti(1, 0, S1, S1, 1));
        rig_emit(enc_branch(cases[i].funct3, cases[i].rs1, cases[i].rs2, 8));
        rig_emit(enc_opimm(6, S1, S1, 1));
        expected = expected << 1 | (cases[i].taken ? 0 : 1);
    }
    run_to_end();
    CHECK_EQ_U64(X(S1), expected);
}

UNIT_TEST(backward_branch_loop)
{
    rig_reset();
    rig_emit(enc_addi(T2, ZERO, 5));
    rig_emit(enc_addi(A0, A0, 3));
    rig_emit(enc_addi(T2, T2, -1));
    rig_emit(enc_branch(1, T2, ZERO, -8));
    run_to_end();
    CHECK_EQ_U64(X(A0), 15);
    CHECK_EQ_U64(X(T2), 0);
}

UNIT_TEST(jal_and_jalr_link)
{
    rig_reset();
    X(T0) = PROG(3) + 1; /* jalr clears bit 0 of the sum */
    X(T1) = PROG(6);
    rig_emit(enc_jal(RA, 8));        /* 0: -> 2 */
    rig_emit(enc_addi(A0, ZERO, 1)); /* 1: skipped */
    rig_emit(enc_jalr(S0, T0, 4));   /* 2: -> 4 */
    rig_emit(enc_addi(A1, ZERO, 1)); /* 3: skipped */
    rig_emit(enc_jalr(T1, T1, 0));   /* 4: rd == rs1: target read first */
    rig_emit(enc_addi(A2, ZERO, 1)); /* 5: skipped */
    run_to_end();
    CHECK_EQ_U64(X(RA), PROG(1));
    CHECK_EQ_U64(X(S0), PROG(3));
    CHECK_EQ_U64(X(T1), PROG(5));
    CHECK_EQ_U64(X(A0), 0);
    CHECK_EQ_U64(X(A1), 0);
    CHECK_EQ_U64(X(A2), 0);
}

/* IALIGN=16 (C is always on): a jump to a 2-byte aligned target is
 * fine, and a 32-bit instruction may sit there. */
UNIT_TEST(jumps_to_halfword_aligned_targets)
{
    /* Taken branch to pc+6, a c.li at a 2-byte aligned address. */
    rig_reset();
    rig_emit(enc_branch(0, ZERO, ZERO, 6));
    rig_emit16(0x0001);              /* c.nop: skipped */
    rig_emit16(0x5575);              /* c.li a0, -3 */
    rig_emit(enc_addi(A1, ZERO, 7)); /* 32-bit at a halfword */
    run_to_end();
    CHECK_EQ_U64(X(A0), (uint64_t)-3);
    CHECK_EQ_U64(X(A1), 7);

    /* jal and jalr link pc + 4, at any alignment. */
    rig_reset();
    rig_emit(enc_jal(RA, 6));
    rig_emit16(0x0001);            /* c.nop: skipped */
    rig_emit(enc_jalr(T1, T0, 1)); /* at +6: to t0 + 1, bit 0 cleared */
    rig_emit16(0x0001);            /* c.nop: skipped */
    rig_emit(enc_addi(A1, ZERO, 1));
    X(T0) = PROG(3); /* the addi above, at +12 */
    run_to_end();
    CHECK_EQ_U64(X(RA), PROG(1));
    CHECK_EQ_U64(X(T1), PROG(1) + 6);
    CHECK_EQ_U64(X(A1), 1);
}

UNIT_TEST(misaligned_pc_set_by_the_board_traps)
{
    rig_reset();
    rig_load();
    rig_cpu->pc = RIG_RAM_BASE + 1;
    uint64_t executed;
    riscv_cpu_exec(rig_cpu, 5, &executed);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_INSN_MISALIGNED);
    CHECK_EQ_U64(rig_cpu->csr.mtval, RIG_RAM_BASE + 1);
    CHECK_EQ_U64(rig_cpu->csr.mepc, RIG_RAM_BASE);
}

UNIT_TEST(fence_i_makes_stored_code_visible)
{
    rig_reset();
    X(T0) = PROG(3);
    X(T1) = enc_addi(A0, ZERO, 2);
    rig_emit(enc_store(2, T1, T0, 0));
    rig_emit(INSN_FENCE);
    rig_emit(INSN_FENCE_I);
    rig_emit(enc_addi(A0, ZERO, 1)); /* replaced before it runs */
    run_to_end();
    CHECK_EQ_U64(X(A0), 2);
}

/* ---- The decoded-instruction cache (exec.c) ----
 * Each test first runs the code it then changes, so that its decoded form
 * is cached, and fails if the stale decoding runs. */

/* A loop whose first instruction is rewritten by a store in the loop body:
 * pass 1 runs the original, pass 2 what was stored (fence.i or not). */
static void run_loop_rewriting_its_head(bool fence_i)
{
    rig_reset();
    X(T0) = PROG(0);
    X(T1) = enc_addi(A0, A0, 100);
    X(T2) = 2;
    rig_emit(enc_addi(A0, A0, 1));
    rig_emit(enc_store(2, T1, T0, 0));
    rig_emit(fence_i ? INSN_FENCE_I : enc_addi(ZERO, ZERO, 0));
    rig_emit(enc_addi(T2, T2, -1));
    rig_emit(enc_branch(1, T2, ZERO, -16));
    run_to_end();
    CHECK_EQ_U64(X(A0), 101);
}

UNIT_TEST(decode_cache_store_into_cached_code)
{
    run_loop_rewriting_its_head(false);
}

UNIT_TEST(decode_cache_fence_i)
{
    run_loop_rewriting_its_head(true);
}

/* The store rewrites the instruction right after it, which ran (and was
 * decoded) on the previous pass: the new one runs at once. */
UNIT_TEST(decode_cache_store_to_next_instruction)
{
    rig_reset();
    X(T0) = PROG(1);
    X(T1) = enc_addi(A0, A0, 1); /* pass 1 stores what is there */
    X(T3) = enc_addi(A0, A0, 100);
    X(T2) = 2;
    rig_emit(enc_store(2, T1, T0, 0));
    rig_emit(enc_addi(A0, A0, 1));
    rig_emit(enc_addi(T1, T3, 0));
    rig_emit(enc_addi(T2, T2, -1));
    rig_emit(enc_branch(1, T2, ZERO, -16));
    run_to_end();
    CHECK_EQ_U64(X(A0), 101);
}

/* A compressed instruction rewritten by a halfword store (the halfword
 * after it, part of the 32 bits fetched with it, is unchanged). */
UNIT_TEST(decode_cache_compressed_rewrite)
{
    rig_reset();
    X(T0) = PROG(0);
    X(T1) = 0x051d; /* c.addi a0, 7 */
    X(T2) = 2;
    rig_emit16(0x0505); /* c.addi a0, 1 */
    rig_emit16(0x0001); /* c.nop */
    rig_emit(enc_store(1, T1, T0, 0));
    rig_emit(enc_addi(T2, T2, -1));
    rig_emit(enc_branch(1, T2, ZERO, -12));
    run_to_end();
    CHECK_EQ_U64(X(A0), 8);
}

/* The page boundary the next two tests put code across. */
#define CODE_PAGE_END (RIG_RAM_BASE + 0x2000)

/* A misaligned doubleword store across a page boundary rewrites the last
 * instruction of one page and the first of the next, both cached. */
UNIT_TEST(decode_cache_store_crossing_pages)
{
    rig_reset();
    rig_write32(CODE_PAGE_END - 4, enc_addi(A0, A0, 1));
    rig_write32(CODE_PAGE_END, enc_addi(A0, A0, 2));
    rig_write32(CODE_PAGE_END + 4, enc_jalr(ZERO, RA, 0));
    X(T0) = CODE_PAGE_END - 4;
    X(T1) = (uint64_t)enc_addi(A0, A0, 20) << 32 | enc_addi(A0, A0, 10);
    rig_emit(enc_jal(RA, (int32_t)(CODE_PAGE_END - 4 - PROG(0))));
    rig_emit(enc_store(3, T1, T0, 0));
    rig_emit(enc_jal(RA, (int32_t)(CODE_PAGE_END - 4 - PROG(2))));
    run_to_end();
    CHECK_EQ_U64(X(A0), 3 + 30);
}

/* A 32-bit instruction that straddles a page boundary, its upper half
 * rewritten by a store into the second page only. */
UNIT_TEST(decode_cache_instruction_straddling_pages)
{
    rig_reset();
    uint32_t add2 = enc_addi(A0, A0, 2), add50 = enc_addi(A0, A0, 50);
    rig_write32(CODE_PAGE_END - 4, 0x0505 | (add2 & 0xffff) << 16);
    rig_write32(CODE_PAGE_END, add2 >> 16 | 0x8082u << 16); /* c.jr ra */
    X(T0) = CODE_PAGE_END;
    X(T1) = add50 >> 16;
    rig_emit(enc_jal(RA, (int32_t)(CODE_PAGE_END - 4 - PROG(0))));
    rig_emit(enc_store(1, T1, T0, 0));
    rig_emit(enc_jal(RA, (int32_t)(CODE_PAGE_END - 4 - PROG(2))));
    run_to_end();
    CHECK_EQ_U64(X(A0), 3 + 51);
}

/* A device that writes guest RAM through the memory API (as DMA does)
 * when the guest writes its register: it rewrites cached code mid-slice. */
static void device_rewrites_code(uint64_t value)
{
    (void)value;
    rig_write32(PROG(0), enc_addi(A0, A0, 100));
}

UNIT_TEST(decode_cache_device_writes_code)
{
    rig_reset();
    rig_mmio.on_write = device_rewrites_code;
    X(T0) = RIG_MMIO_BASE;
    X(T2) = 2;
    rig_emit(enc_addi(A0, A0, 1));
    rig_emit(enc_store(2, ZERO, T0, 0));
    rig_emit(enc_addi(T2, T2, -1));
    rig_emit(enc_branch(1, T2, ZERO, -12));
    run_to_end();
    CHECK_EQ_U64(rig_mmio.writes, 2);
    CHECK_EQ_U64(X(A0), 101);
}

/* ---- RV64C (encodings: riscv64-linux-gnu-as, binutils 2.40) ---- */

UNIT_TEST(compressed_arithmetic)
{
    rig_reset();
    X(SP) = RIG_DATA + 0x100;
    X(S1) = 0xf0f0f0f0f0f0f0f0ULL;
    X(S0) = 0x0123456789abcdefULL;
    X(A4) = 0x7fffffff;
    X(A5) = 0x8000000000000001ULL;
    rig_emit16(0x5575); /* c.li a0, -3 */
    rig_emit16(0x0515); /* c.addi a0, 5 */
    rig_emit16(0x75fd); /* c.lui a1, 0xfffff */
    rig_emit16(0x7139); /* c.addi16sp sp, -64 */
    rig_emit16(0x1fe0); /* c.addi4spn s0, sp, 1020: after sub/xor... */
    rig_emit16(0x167e); /* c.slli a2, 63 (a2 = 0: stays 0) */
    rig_emit16(0x86aa); /* c.mv a3, a0 */
    rig_emit16(0x96aa); /* c.add a3, a0 */
    run_to_end();
    CHECK_EQ_U64(X(A0), 2);
    CHECK_EQ_U64(X(A1), 0xfffffffffffff000ULL);
    CHECK_EQ_U64(X(SP), RIG_DATA + 0x100 - 64);
    CHECK_EQ_U64(X(S0), RIG_DATA + 0x100 - 64 + 1020);
    CHECK_EQ_U64(X(A2), 0);
    CHECK_EQ_U64(X(A3), 4);

    /* Word ops, shifts and the register-register group on s0/s1. */
    static const struct {
        uint16_t insn;
        uint64_t s0, s1, result; /* result lands in s0 (s1 for shifts) */
        bool in_s1;
    } alu[] = {
        {0x8c05, 5, 7, (uint64_t)-2, false},                   /* c.sub */
        {0x8c25, 0xff00, 0x0ff0, 0xf0f0, false},               /* c.xor */
        {0x8c45, 0xff00, 0x0ff0, 0xfff0, false},               /* c.or */
        {0x8c65, 0xff00, 0x0ff0, 0x0f00, false},               /* c.and */
        {0x9c05, 0x100000000ULL, 1, UINT64_MAX, false},        /* c.subw */
        {0x9c25, 0x7fffffff, 1, 0xffffffff80000000ULL, false}, /* c.addw */
        {0x8085, 0, 0x8000000000000000ULL, 1ULL << 62, true},  /* c.srli 1 */
        {0x94fd, 0, 0x8000000000000000ULL, UINT64_MAX, true},  /* c.srai 63 */
        {0x98c1, 0, 0x1234, 0x1230, true},                     /* c.andi -16 */
    };
    for (size_t i = 0; i < sizeof(alu) / sizeof(alu[0]); i++) {
        rig_reset();
        X(S0) = alu[i].s0;
        X(S1) = alu[i].s1;
        rig_emit16(alu[i].insn);
        run_to_end();
        uint64_t got = alu[i].in_s1 ? X(S1) : X(S0);
        if (got != alu[i].result) {
            UNIT_FAIL("0x%04x: got 0x%llx expected 0x%llx", alu[i].insn,
                      (unsigned long long)got,
                      (unsigned long long)alu[i].result);
        }
    }

    /* c.addiw a0, -1 sign-extends the low word. */
    rig_reset();
    X(A0) = 0xffffffff00000000ULL;
    rig_emit16(0x357d);
    run_to_end();
    CHECK_EQ_U64(X(A0), UINT64_MAX);
}

UNIT_TEST(compressed_loads_and_stores)
{
    rig_reset();
    X(S1) = RIG_DATA;
    X(SP) = RIG_DATA + 0x200;
    rig_write64(RIG_DATA, 0x80000004ULL << 32); /* word at +4: negative */
    rig_write64(RIG_DATA + 248, 0x1122334455667788ULL);
    rig_write64(RIG_DATA + 0x200 + 248, 0xfffffffe00000000ULL);
    rig_write64(RIG_DATA + 0x200 + 504, 0x0a0b0c0d0e0f0102ULL);
    rig_emit16(0x40c8); /* c.lw a0, 4(s1): sign-extends */
    rig_emit16(0x7cec); /* c.ld a1, 248(s1) */
    rig_emit16(0xdce8); /* c.sw a0, 124(s1) */
    rig_emit16(0xe48c); /* c.sd a1, 8(s1) */
    rig_emit16(0x567e); /* c.lwsp a2, 252(sp) */
    rig_emit16(0x76fe); /* c.ldsp a3, 504(sp) */
    rig_emit16(0xc032); /* c.swsp a2, 0(sp) */
    rig_emit16(0xe836); /* c.sdsp a3, 16(sp) */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xffffffff80000004ULL);
    CHECK_EQ_U64(X(A1), 0x1122334455667788ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 120) >> 32, 0x80000004ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 8), 0x1122334455667788ULL);
    CHECK_EQ_U64(X(A2), (uint64_t)-2);
    CHECK_EQ_U64(X(A3), 0x0a0b0c0d0e0f0102ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x200) & 0xffffffff, 0xfffffffe);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x210), 0x0a0b0c0d0e0f0102ULL);

    /* Faults: c.ld from unmapped memory, c.sw to it. */
    rig_reset();
    X(S1) = RIG_UNMAPPED;
    rig_emit16(0x0001);
    rig_emit16(0x7cec);
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0) + 2, RIG_UNMAPPED + 248);
    rig_reset();
    X(S1) = RIG_UNMAPPED;
    rig_emit16(0xdce8);
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(0), RIG_UNMAPPED + 124);

    /* MMIO through c.sd / c.lw. */
    rig_reset();
    X(S1) = RIG_MMIO_BASE;
    X(A1) = 0x55;
    rig_mmio.value = 0x89abcdef;
    rig_emit16(0xe48c); /* c.sd a1, 8(s1) */
    rig_emit16(0x40c8); /* c.lw a0, 4(s1) */
    run_to_end();
    CHECK_EQ_U64(rig_mmio.written, 0x55);
    CHECK_EQ_U64(rig_mmio.writes, 1);
    CHECK_EQ_U64(rig_mmio.reads, 1);
    CHECK_EQ_U64(rig_mmio.last_addr, 4);
    CHECK_EQ_U64(X(A0), 0xffffffff89abcdefULL);
}

UNIT_TEST(compressed_control_flow)
{
    /* c.j over a c.li; c.beqz taken and not; c.bnez taken and not. */
    rig_reset();
    X(A5) = 0;
    X(S0) = 1;
    rig_emit16(0xa019); /* +0: c.j +6 */
    rig_emit16(0x4505); /* +2: c.li a0, 1: skipped */
    rig_emit16(0x4509); /* +4: c.li a0, 2: skipped */
    rig_emit16(0xc011); /* +6: c.beqz s0, +4: not taken */
    rig_emit16(0xc391); /* +8: c.beqz a5, +4: taken */
    rig_emit16(0x450d); /* +10: c.li a0, 3: skipped */
    rig_emit16(0xe391); /* +12: c.bnez a5, +4: not taken */
    rig_emit16(0xe011); /* +14: c.bnez s0, +4: taken */
    rig_emit16(0x4511); /* +16: c.li a0, 4: skipped */
    rig_emit16(0x4595); /* +18: c.li a1, 5 */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0);
    CHECK_EQ_U64(X(A1), 5);

    /* c.jalr links pc + 2 and reads its target before writing ra;
     * c.jr returns. */
    rig_reset();
    X(RA) = PROG(0) + 6;
    rig_emit16(0x9082); /* +0: c.jalr ra: to +6, ra = +2 */
    rig_emit16(0xa021); /* +2: c.j +8: to the end */
    rig_emit16(0x0001); /* +4 */
    rig_emit16(0x4595); /* +6: c.li a1, 5 */
    rig_emit16(0x8082); /* +8: c.jr ra */
    run_to_end();
    CHECK_EQ_U64(X(A1), 5);
    CHECK_EQ_U64(X(RA), PROG(0) + 2);

    /* Backward c.bnez loop: count down a5 from 10. */
    rig_reset();
    X(A5) = 10;
    rig_emit16(0x17fd); /* c.addi a5, -1 */
    rig_emit16(0xfffd); /* c.bnez a5, -2 */
    run_to_end();
    CHECK_EQ_U64(X(A5), 0);

    /* c.ebreak: a breakpoint at its own pc. */
    rig_reset();
    rig_emit16(0x0001);
    rig_emit16(0x9002);
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(0) + 2, PROG(0) + 2);
}

/* HINTs execute as no-ops: they change no register. */
UNIT_TEST(compressed_hints_are_no_ops)
{
    static const uint16_t hints[] = {
        0x0001, /* c.nop */
        0x0005, /* c.addi x0, 1 */
        0x0501, /* c.addi a0, 0 */
        0x4015, /* c.li x0, 5 */
        0x6005, /* c.lui x0, 1 */
        0x802a, /* c.mv x0, a0 */
        0x902a, /* c.add x0, a0 */
        0x0006, /* c.slli x0, 1 */
        0x0782, /* c.slli a5, 0 */
        0x8381, /* c.srli a5, 0 */
        0x8781, /* c.srai a5, 0 */
    };
    rig_reset();
    for (unsigned i = 1; i < 32; i++) {
        X(i) = 0x100 + i;
    }
    uint64_t before[32];
    for (unsigned i = 0; i < 32; i++) {
        before[i] = X(i);
    }
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        rig_emit16(hints[i]);
    }
    run_to_end();
    for (unsigned i = 0; i < 32; i++) {
        CHECK_EQ_U64(X(i), before[i]);
    }
}

/* Reserved encodings and the F/D forms (rivet has no F/D) are illegal
 * instructions: mtval holds the 16 bits, mepc the instruction. */
UNIT_TEST(compressed_reserved_encodings_are_illegal)
{
    static const uint16_t reserved[] = {
        0x0000, /* all zeros */
        0x0004, /* c.addi4spn, nzuimm 0 */
        0x2000, /* c.fld */
        0xa000, /* c.fsd */
        0x8000, /* quadrant 0, funct3 4 */
        0x2002, /* c.fldsp */
        0xa002, /* c.fsdsp */
        0x2001, /* c.addiw x0 */
        0x6101, /* c.addi16sp 0 */
        0x6081, /* c.lui ra, 0 */
        0x6001, /* c.lui x0, 0 */
        0x9c41, /* ALU group, bit 12 set, funct2 10 */
        0x9c61, /* ALU group, bit 12 set, funct2 11 */
        0x4002, /* c.lwsp x0 */
        0x6002, /* c.ldsp x0 */
        0x8002, /* c.jr x0 */
    };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        rig_reset();
        X(SP) = RIG_DATA;
        rig_emit16(0x0001);
        rig_emit16(reserved[i]);
        rig_emit16(0x0001); /* the upper half of the fetched word */
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0) + 2, reserved[i]);
        CHECK_EQ_U64(X(SP), RIG_DATA);
    }
}

/* A trap handler returns into the middle of a word: mret to mepc + 2. */
UNIT_TEST(compressed_trap_and_return_to_halfword)
{
    rig_reset();
    rig_emit16(0x0001);             /* +0 */
    rig_emit16(0x9002);             /* +2: c.ebreak */
    rig_emit16(0x4595);             /* +4: c.li a1, 5 */
    rig_emit(enc_jal(ZERO, 0x7fa)); /* +6: to the end, past the handler */
    rig_cpu->csr.mtvec = RIG_DATA;
    rig_write32(RIG_DATA, enc_csr(CSRRS, T0, CSR_MEPC, ZERO));
    rig_write32(RIG_DATA + 4, enc_addi(T0, T0, 2));
    rig_write32(RIG_DATA + 8, enc_csr(CSRRW, ZERO, CSR_MEPC, T0));
    rig_write32(RIG_DATA + 12, INSN_MRET);
    rig_load();
    rig_write32(PROG(0) + 6 + 0x7fa, enc_jal(ZERO, 0));
    uint64_t executed;
    riscv_cpu_exec(rig_cpu, 9, &executed);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_BREAKPOINT);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(0) + 4);
    CHECK_EQ_U64(X(A1), 5);
    CHECK_EQ_U64(rig_cpu->pc, PROG(0) + 6 + 0x7fa);
}

/* Fetch of a 32-bit instruction whose second half is past the end of RAM:
 * an access fault at the instruction, mtval the second half's address.  A
 * 16-bit instruction in the last halfword runs. */
UNIT_TEST(fetch_across_the_end_of_ram)
{
    uint64_t end = RIG_RAM_BASE + RIG_RAM_SIZE;
    rig_reset();
    rig_write32(end - 4, 0x13 << 16); /* last halfword: low half of addi */
    X(T0) = end - 2;
    rig_emit(enc_jalr(ZERO, T0, 0));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, end - 2, end);

    rig_reset();
    rig_write32(end - 4, 0x4595u << 16); /* c.li a1, 5 in the last halfword */
    X(T0) = end - 2;
    rig_emit(enc_jalr(ZERO, T0, 0));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, end, end);
    CHECK_EQ_U64(X(A1), 5);

    /* Straight-line code running into the last halfword. */
    rig_reset();
    rig_write32(end - 8, 0x00010001); /* c.nop; c.nop */
    rig_write32(end - 4, 0x00130001); /* c.nop; addi's low half */
    X(T0) = end - 8;
    rig_emit(enc_jalr(ZERO, T0, 0));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, end - 2, end);
}

/* ---- A extension ---- */

UNIT_TEST(lr_sc_success_and_failure)
{
    rig_reset();
    rig_write64(RIG_DATA, 0x8000000000000001ULL);
    rig_write64(RIG_DATA + 8, 0x00000000fffffffeULL);
    X(T0) = RIG_DATA;
    X(T1) = 77;
    X(T2) = RIG_DATA + 8;
    rig_emit(enc_amo(0x03, 3, A0, T0, T1)); /* sc.d without lr: fails */
    rig_emit(enc_amo(0x02, 3, A1, T0, 0));  /* lr.d */
    rig_emit(enc_amo(0x03, 3, A2, T0, T1)); /* sc.d: succeeds */
    rig_emit(enc_amo(0x03, 3, A3, T0, T1)); /* again: reservation gone */
    rig_emit(enc_amo(0x02, 2, A4, T2, 0));  /* lr.w sign-extends */
    rig_emit(enc_amo(0x03, 2, A5, T0, T1)); /* sc.w elsewhere: fails */
    rig_emit(enc_amo(0x02, 3, A6, T2, 0));  /* lr.d */
    rig_emit(enc_store(0, T1, T2, 1));      /* sb into the doubleword */
    rig_emit(enc_amo(0x03, 3, A7, T2, T1)); /* sc.d: fails */
    run_to_end();
    CHECK_EQ_U64(X(A0), 1);
    CHECK_EQ_U64(X(A1), 0x8000000000000001ULL);
    CHECK_EQ_U64(X(A2), 0);
    CHECK_EQ_U64(X(A3), 1);
    CHECK_EQ_U64(rig_read64(RIG_DATA), 77);
    CHECK_EQ_U64(X(A4), 0xfffffffffffffffeULL);
    CHECK_EQ_U64(X(A5), 1);
    CHECK_EQ_U64(X(A7), 1);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 8), 0x00000000ffff4dfeULL);
}

UNIT_TEST(trap_invalidates_reservation)
{
    rig_reset();
    X(T0) = RIG_DATA;
    X(T1) = 5;
    rig_emit(enc_amo(0x02, 3, A0, T0, 0));  /* lr.d */
    rig_emit(INSN_ECALL);                   /* traps to the next insn */
    rig_emit(enc_amo(0x03, 3, A1, T0, T1)); /* sc.d: fails */
    rig_cpu->csr.mtvec = PROG(2);
    rig_run(10000, NULL);
    CHECK_EQ_U64(rig_cpu->pc, rig_end_pc);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_ECALL_M);
    CHECK_EQ_U64(X(A1), 1);
    CHECK_EQ_U64(rig_read64(RIG_DATA), 0);
}

UNIT_TEST(amo_doubleword_and_word)
{
    static const struct {
        unsigned funct5;
        uint64_t new_d;
        uint32_t new_w;
    } cases[] = {
        {0x00, 0xfffffffffffffff5ULL, 0xfffffff5}, /* amoadd */
        {0x01, 5, 5},                              /* amoswap */
        {0x04, 0xfffffffffffffff5ULL, 0xfffffff5}, /* amoxor */
        {0x08, 0xfffffffffffffff5ULL, 0xfffffff5}, /* amoor */
        {0x0c, 0, 0},                              /* amoand */
        {0x10, 0xfffffffffffffff0ULL, 0xfffffff0}, /* amomin */
        {0x14, 5, 5},                              /* amomax */
        {0x18, 5, 5},                              /* amominu */
        {0x1c, 0xfffffffffffffff0ULL, 0xfffffff0}, /* amomaxu */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rig_reset();
        rig_write64(RIG_DATA, (uint64_t)-16);
        rig_write64(RIG_DATA + 8, 0xaaaaaaaafffffff0ULL);
        X(T0) = RIG_DATA;
        X(T1) = RIG_DATA + 8;
        X(T2) = 0x0000000100000005ULL; /* word ops ignore the upper half */
        X(T3) = 5;
        rig_emit(enc_amo(cases[i].funct5, 3, A0, T0, T3));
        rig_emit(enc_amo(cases[i].funct5, 2, A1, T1, T2));
        run_to_end();
        if (X(A0) != (uint64_t)-16 || rig_read64(RIG_DATA) != cases[i].new_d ||
            X(A1) != (uint64_t)-16 ||
            rig_read64(RIG_DATA + 8) !=
                (0xaaaaaaaa00000000ULL | cases[i].new_w)) {
            UNIT_FAIL("funct5 0x%02x: d old 0x%llx new 0x%llx, w old 0x%llx "
                      "new 0x%llx",
                      cases[i].funct5, (unsigned long long)X(A0),
                      (unsigned long long)rig_read64(RIG_DATA),
                      (unsigned long long)X(A1),
                      (unsigned long long)rig_read64(RIG_DATA + 8));
        }
    }
}

UNIT_TEST(amo_faults_use_store_causes)
{
    rig_reset();
    X(T0) = RIG_DATA + 4;
    rig_emit(enc_amo(0x00, 3, A0, T0, T1)); /* amoadd.d misaligned */
    run_to_trap(RISCV_EXCP_STORE_MISALIGNED, PROG(0), RIG_DATA + 4);

    rig_reset();
    X(T0) = RIG_UNMAPPED;
    rig_emit(enc_amo(0x01, 2, A0, T0, T1)); /* amoswap.w unmapped */
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(0), RIG_UNMAPPED);

    rig_reset();
    X(T0) = RIG_DATA + 2;
    rig_emit(enc_amo(0x02, 2, A0, T0, 0)); /* lr.w misaligned */
    run_to_trap(RISCV_EXCP_LOAD_MISALIGNED, PROG(0), RIG_DATA + 2);

    rig_reset();
    X(T0) = RIG_UNMAPPED;
    rig_emit(enc_amo(0x02, 3, A0, T0, 0)); /* lr.d unmapped */
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), RIG_UNMAPPED);

    rig_reset();
    X(T0) = RIG_DATA + 4;
    rig_emit(enc_amo(0x03, 3, A0, T0, T1)); /* sc.d misaligned */
    run_to_trap(RISCV_EXCP_STORE_MISALIGNED, PROG(0), RIG_DATA + 4);

    rig_reset();
    rig_emit(enc_amo(0x05, 3, A0, T0, T1)); /* no such AMO */
    run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), enc_amo(5, 3, A0, T0, T1));
}

/* ---- traps ---- */

UNIT_TEST(illegal_instructions)
{
    uint32_t bad[] = {
        0x00000000u,                       /* all zeros */
        0xffffffffu,                       /* all ones */
        0x10200073u,                       /* sret: no S-mode */
        enc_csr(CSRRS, A0, 0x7c0, ZERO),   /* unknown CSR */
        enc_csr(4, A0, CSR_MSTATUS, ZERO), /* SYSTEM funct3 4 */
        enc_load(7, A0, T0, 0),            /* no such load */
        enc_store(4, A0, T0, 0),           /* no such store */
        enc_branch(2, A0, A0, 8),          /* no such branch */
        0x0000200fu,                       /* MISC-MEM funct3 2 */
        enc_i(0, T0, 1, RA, 0x67),         /* jalr funct3 1 */
        enc_amo(0x02, 3, A0, T0, T1),      /* lr with rs2 != 0 */
        enc_amo(0x00, 1, A0, T0, T1),      /* AMO width 16 bits */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rig_reset();
        X(T0) = RIG_DATA;
        rig_cpu->csr.mstatus = MSTATUS_MIE;
        rig_emit(enc_addi(S0, ZERO, 1));
        rig_emit(bad[i]);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(1), bad[i]);
        /* Trap entry stacks the interrupt enable and the privilege. */
        CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPIE | MSTATUS_MPP_M);
        CHECK_EQ_U64(X(A0), 0);
    }
}

/* -M virt,misaligned=trap sets the hart's property trap-misaligned before
 * realize; the rig's hart is realized once, so tests set the field. */
static void set_trap_misaligned(bool on)
{
    rig_cpu->trap_misaligned = on;
}

UNIT_TEST(misaligned_loads_and_stores_trap_when_asked)
{
    static const struct {
        uint32_t insn;
        uint64_t offset;
        uint64_t cause;
    } cases[] = {
        {0x00029503u /* lh a0, 0(t0) */, 1, RISCV_EXCP_LOAD_MISALIGNED},
        {0x0002a503u /* lw */, 2, RISCV_EXCP_LOAD_MISALIGNED},
        {0x0002e503u /* lwu */, 2, RISCV_EXCP_LOAD_MISALIGNED},
        {0x0002b503u /* ld */, 4, RISCV_EXCP_LOAD_MISALIGNED},
        {0x00a29023u /* sh a0, 0(t0) */, 1, RISCV_EXCP_STORE_MISALIGNED},
        {0x00a2a023u /* sw */, 2, RISCV_EXCP_STORE_MISALIGNED},
        {0x00a2b023u /* sd */, 6, RISCV_EXCP_STORE_MISALIGNED},
    };
    CHECK_EQ_U64(cases[0].insn, enc_load(1, A0, T0, 0));
    CHECK_EQ_U64(cases[4].insn, enc_store(1, A0, T0, 0));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rig_reset();
        set_trap_misaligned(true);
        X(T0) = RIG_DATA + cases[i].offset;
        X(A0) = 0x1122334455667788ULL;
        rig_emit(cases[i].insn);
        run_to_trap(cases[i].cause, PROG(0), RIG_DATA + cases[i].offset);
        set_trap_misaligned(false);
        CHECK_EQ_U64(rig_read64(RIG_DATA), 0);
        CHECK_EQ_U64(rig_read64(RIG_DATA + 8), 0);
    }
    /* Compressed ones too: c.lw a0, 4(s1) at s1 = data + 1. */
    rig_reset();
    set_trap_misaligned(true);
    X(S1) = RIG_DATA + 1;
    rig_emit16(0x40c8);
    run_to_trap(RISCV_EXCP_LOAD_MISALIGNED, PROG(0), RIG_DATA + 5);
    set_trap_misaligned(false);
}

UNIT_TEST(misaligned_loads_and_stores_complete_in_ram)
{
    rig_reset();
    for (unsigned i = 0; i < 64; i++) { /* byte k holds k */
        rig_write32(RIG_DATA + 4 * i, 0x03020100u + 0x04040404u * i);
    }
    X(T0) = RIG_DATA + 1;
    X(T1) = RIG_DATA + 0x83; /* bytes 0x83.. read 0x83 0x84 ... */
    X(A7) = 0x8877665544332211ULL;
    rig_emit(enc_load(1, A0, T0, 0));     /* lh: 0x0201 */
    rig_emit(enc_load(2, A1, T0, 2));     /* lw at +3: 0x06050403 */
    rig_emit(enc_load(3, A2, T0, 6));     /* ld at +7 */
    rig_emit(enc_load(5, A3, T1, 0));     /* lhu: 0x8483 */
    rig_emit(enc_load(1, A4, T1, 0));     /* lh sign-extends */
    rig_emit(enc_load(6, A5, T1, 0));     /* lwu: 0x86858483 */
    rig_emit(enc_load(2, A6, T1, 0));     /* lw sign-extends */
    rig_emit(enc_store(3, A7, T0, 0x40)); /* sd at +0x41 */
    rig_emit(enc_store(2, A7, T0, 0x4c)); /* sw at +0x4d */
    rig_emit(enc_store(1, A7, T0, 0x56)); /* sh at +0x57 */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0x0201);
    CHECK_EQ_U64(X(A1), 0x06050403);
    CHECK_EQ_U64(X(A2), 0x0e0d0c0b0a090807ULL);
    CHECK_EQ_U64(X(A3), 0x8483);
    CHECK_EQ_U64(X(A4), 0xffffffffffff8483ULL);
    CHECK_EQ_U64(X(A5), 0x86858483);
    CHECK_EQ_U64(X(A6), 0xffffffff86858483ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x40), 0x7766554433221140ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x48), 0x3322114c4b4a4988ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x50), 0x1156555453525144ULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x58), 0x5f5e5d5c5b5a5922ULL);

    /* Compressed: c.ld a1, 248(s1) and c.sd a1, 8(s1) at s1 = data + 3. */
    rig_reset();
    rig_write64(RIG_DATA + 3 + 248, 0x0123456789abcdefULL);
    X(S1) = RIG_DATA + 3;
    rig_emit16(0x7cec);
    rig_emit16(0xe48c);
    run_to_end();
    CHECK_EQ_U64(X(A1), 0x0123456789abcdefULL);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 11), 0x0123456789abcdefULL);
}

/* A misaligned access that runs off the end of RAM faults at the first
 * address past it and changes nothing. */
UNIT_TEST(misaligned_access_across_the_end_of_ram_faults)
{
    uint64_t end = RIG_RAM_BASE + RIG_RAM_SIZE;
    rig_reset();
    rig_write64(end - 8, 0x8877665544332211ULL);
    X(T0) = end - 4;
    X(A0) = 99;
    rig_emit(enc_load(3, A0, T0, 0));
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), end);
    CHECK_EQ_U64(X(A0), 99);

    rig_reset();
    rig_write64(end - 8, 0x8877665544332211ULL);
    X(T0) = end - 2;
    X(A0) = UINT64_MAX;
    rig_emit(enc_store(2, A0, T0, 0));
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(0), end);
    CHECK_EQ_U64(rig_read64(end - 8), 0x8877665544332211ULL);

    /* Wholly outside RAM: the fault is at the access's address. */
    rig_reset();
    X(T0) = RIG_UNMAPPED + 1;
    rig_emit(enc_load(2, A0, T0, 0));
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), RIG_UNMAPPED + 1);
}

UNIT_TEST(misaligned_store_breaks_a_reservation_it_reaches)
{
    rig_reset();
    X(T0) = RIG_DATA + 8;
    X(T1) = RIG_DATA + 5; /* sw covers bytes 5..8 */
    X(A1) = 1;
    rig_emit(enc_amo(0x02, 3, A0, T0, 0)); /* lr.d data + 8 */
    rig_emit(enc_store(2, A1, T1, 0));
    rig_emit(enc_amo(0x03, 3, A2, T0, A1)); /* sc.d: fails */
    run_to_end();
    CHECK_EQ_U64(X(A2), 1);
}

UNIT_TEST(misaligned_mmio_accesses_raise_address_misaligned)
{
    rig_reset();
    X(T0) = RIG_MMIO_BASE + 2;
    rig_emit(enc_load(2, A0, T0, 0));
    run_to_trap(RISCV_EXCP_LOAD_MISALIGNED, PROG(0), RIG_MMIO_BASE + 2);
    CHECK_EQ_U64(rig_mmio.reads, 0);

    rig_reset();
    X(T0) = RIG_MMIO_BASE + 1;
    rig_emit(enc_store(1, A0, T0, 0));
    run_to_trap(RISCV_EXCP_STORE_MISALIGNED, PROG(0), RIG_MMIO_BASE + 1);
    CHECK_EQ_U64(rig_mmio.writes, 0);
}

UNIT_TEST(access_faults)
{
    rig_reset();
    X(T0) = RIG_UNMAPPED;
    rig_emit(enc_load(3, A0, T0, 8));
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), RIG_UNMAPPED + 8);

    rig_reset();
    X(T0) = RIG_UNMAPPED;
    rig_emit(enc_store(2, A0, T0, 4));
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(0), RIG_UNMAPPED + 4);

    /* Fetch fault: epc and tval are the unmapped target. */
    rig_reset();
    X(T0) = RIG_UNMAPPED;
    rig_emit(enc_jalr(ZERO, T0, 0));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, RIG_UNMAPPED, RIG_UNMAPPED);
}

UNIT_TEST(ecall_and_ebreak)
{
    rig_reset();
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(INSN_ECALL);
    rig_cpu->csr.mtval = 0x1234;
    run_to_trap(RISCV_EXCP_ECALL_M, PROG(1), 0);

    rig_reset();
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(INSN_EBREAK);
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(2), PROG(2));
}

UNIT_TEST(trap_handler_returns_with_mret)
{
    rig_reset();
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    rig_cpu->csr.mtvec = PROG(4);
    rig_emit(INSN_ECALL);                            /* 0 */
    rig_emit(enc_addi(A1, ZERO, 7));                 /* 1: resumes */
    rig_emit(enc_csr(CSRRS, A2, CSR_MSTATUS, ZERO)); /* 2 */
    rig_emit(enc_jal(ZERO, 6 * 4));                  /* 3: -> end */
    rig_emit(enc_csr(CSRRS, A0, CSR_MSTATUS, ZERO)); /* 4: handler */
    rig_emit(enc_csr(CSRRS, T0, CSR_MEPC, ZERO));    /* 5 */
    rig_emit(enc_addi(T0, T0, 4));                   /* 6 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MEPC, T0));    /* 7 */
    rig_emit(INSN_MRET);                             /* 8 */
    rig_run(10000, NULL);
    CHECK_EQ_U64(rig_cpu->pc, rig_end_pc);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_ECALL_M);
    /* In the handler: MIE clear, MPIE set; after mret: MIE restored, MPP
     * the least privileged mode, U. */
    CHECK_EQ_U64(X(A0), MSTATUS_MPIE | MSTATUS_MPP_M | MSTATUS_UXL_64);
    CHECK_EQ_U64(X(A1), 7);
    CHECK_EQ_U64(X(A2), MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_UXL_64);
}

UNIT_TEST(mret_restores_interrupt_enable)
{
    rig_reset();
    /* MPIE clear: mret leaves MIE clear; MPP M: it stays in M-mode. */
    rig_cpu->csr.mstatus = MSTATUS_MPP_M;
    rig_cpu->csr.mepc = PROG(2);
    rig_emit(INSN_MRET);
    rig_emit(enc_addi(A0, ZERO, 1)); /* skipped */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0);
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPIE);
}

UNIT_TEST(raise_exception_api)
{
    rig_reset();
    rig_cpu->pc = PROG(3);
    riscv_cpu_raise_exception(rig_cpu, RISCV_EXCP_STORE_ACCESS_FAULT, 0x42);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(3));
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_STORE_ACCESS_FAULT);
    CHECK_EQ_U64(rig_cpu->csr.mtval, 0x42);
}

/* ---- interrupts ---- */

UNIT_TEST(interrupt_priority_external_software_timer)
{
    static const unsigned order[] = {RISCV_IRQ_MEIP, RISCV_IRQ_MSIP,
                                     RISCV_IRQ_MTIP};
    uint64_t executed;
    rig_reset();
    rig_load();
    rig_cpu->csr.mie = MIP_MSIP | MIP_MTIP | MIP_MEIP;
    rig_set_irq(RISCV_IRQ_MTIP, 1);
    rig_set_irq(RISCV_IRQ_MSIP, 1);
    rig_set_irq(RISCV_IRQ_MEIP, 1);
    for (int i = 0; i < 3; i++) {
        rig_cpu->csr.mstatus = MSTATUS_MIE;
        rig_cpu->pc = PROG(0);
        riscv_cpu_exec(rig_cpu, 0, &executed);
        CHECK_EQ_U64(executed, 0);
        CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_MCAUSE_INTERRUPT | order[i]);
        CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(0));
        CHECK_EQ_U64(rig_cpu->csr.mtval, 0);
        CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
        CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPIE | MSTATUS_MPP_M);
        rig_set_irq((int)order[i], 0);
    }
}

UNIT_TEST(interrupts_masked_by_mie_and_mstatus)
{
    rig_reset();
    rig_set_irq(RISCV_IRQ_MTIP, 1);
    rig_set_irq(RISCV_IRQ_MEIP, 1);
    /* Global enable off. */
    rig_cpu->csr.mie = MIP_MTIP | MIP_MEIP;
    rig_emit(enc_csr(CSRRS, A0, CSR_MIP, ZERO));
    run_to_end();
    CHECK_EQ_U64(X(A0), MIP_MTIP | MIP_MEIP);

    /* Global enable on, but only MSIP enabled in mie. */
    rig_cpu->pc = PROG(0);
    rig_cpu->csr.mie = MIP_MSIP;
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    run_to_end();

    /* Lowering the line withdraws the request. */
    rig_set_irq(RISCV_IRQ_MTIP, 0);
    rig_set_irq(RISCV_IRQ_MEIP, 0);
    rig_cpu->pc = PROG(0);
    rig_cpu->csr.mie = MIP_MTIP | MIP_MEIP;
    run_to_end();
    CHECK_EQ_U64(X(A0), 0);
}

UNIT_TEST(vectored_mtvec)
{
    rig_reset();
    uint64_t base = RIG_RAM_BASE + 0x400;
    for (int i = 0; i < 16; i++) {
        rig_write32(base + 4 * (uint64_t)i, enc_jal(ZERO, 0));
    }
    rig_cpu->csr.mtvec = base | 1;
    rig_cpu->csr.mie = MIP_MTIP;
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    rig_set_irq(RISCV_IRQ_MTIP, 1);
    rig_run(10, NULL);
    CHECK_EQ_U64(rig_cpu->pc, base + 4 * RISCV_IRQ_MTIP);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_MCAUSE_INTERRUPT | RISCV_IRQ_MTIP);

    /* Exceptions always go to the base. */
    rig_set_irq(RISCV_IRQ_MTIP, 0);
    rig_cpu->pc = PROG(0);
    rig_write32(PROG(0), INSN_ECALL);
    uint64_t executed;
    riscv_cpu_exec(rig_cpu, 1, &executed);
    CHECK_EQ_U64(rig_cpu->pc, base);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_EXCP_ECALL_M);
}

static void raise_timer_irq(uint64_t value)
{
    (void)value;
    rig_set_irq(RISCV_IRQ_MTIP, 1);
}

UNIT_TEST(device_interrupt_taken_after_the_access)
{
    rig_reset();
    rig_mmio.on_write = raise_timer_irq;
    rig_cpu->csr.mie = MIP_MTIP;
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    X(T0) = RIG_MMIO_BASE;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_store(2, A0, T0, 0));
    rig_emit(enc_addi(A1, ZERO, 1)); /* not reached */
    rig_run(100, NULL);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_MCAUSE_INTERRUPT | RISCV_IRQ_MTIP);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(2));
    CHECK_EQ_U64(X(A1), 0);
}

UNIT_TEST(csr_write_enabling_interrupts_takes_them_next)
{
    rig_reset();
    rig_set_irq(RISCV_IRQ_MSIP, 1);
    rig_cpu->csr.mie = MIP_MSIP;
    rig_emit(enc_csr(CSRRSI, ZERO, CSR_MSTATUS, 8)); /* set MIE */
    rig_emit(enc_addi(A0, ZERO, 1));                 /* not reached */
    rig_run(100, NULL);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_MCAUSE_INTERRUPT | RISCV_IRQ_MSIP);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(1));
    CHECK_EQ_U64(X(A0), 0);
}

/* ---- WFI ---- */

UNIT_TEST(wfi_waits_and_wakes_on_irq)
{
    uint64_t executed;
    rig_reset();
    rig_cpu->csr.mie = MIP_MTIP;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(INSN_WFI);
    rig_emit(enc_addi(A1, ZERO, 1));
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_WFI);
    CHECK_EQ_U64(executed, 2);
    CHECK(rig_cpu->waiting);
    CHECK_EQ_U64(rig_cpu->pc, PROG(2));
    CHECK_EQ_U64(vclock_get_ns(), 2 * VCLOCK_NS_PER_INSN);

    /* Still nothing pending: no progress. */
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_WFI);
    CHECK_EQ_U64(executed, 0);
    CHECK_EQ_U64(X(A1), 0);

    /* The interrupt wakes the hart at once (the run loop, seeing it awake,
     * stops idling); with MIE clear it just continues. */
    rig_set_irq(RISCV_IRQ_MTIP, 1);
    CHECK(!rig_cpu->waiting);
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_BUDGET);
    CHECK_EQ_U64(X(A1), 1);
    CHECK_EQ_U64(rig_cpu->pc, rig_end_pc);
}

/* Privileged spec 3.3.3: WFI should not resume for an interrupt that is
 * pending but not enabled in mie.  The board counts on it to tell that
 * nothing can ever wake the hart. */
UNIT_TEST(wfi_ignores_interrupts_disabled_in_mie)
{
    uint64_t executed;
    rig_reset();
    rig_cpu->csr.mie = MIP_MTIP;
    rig_emit(INSN_WFI);
    rig_emit(enc_addi(A1, ZERO, 1));
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_WFI);
    rig_set_irq(RISCV_IRQ_MEIP, 1);
    rig_set_irq(RISCV_IRQ_MSIP, 1);
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_WFI);
    CHECK_EQ_U64(executed, 0);
    CHECK(rig_cpu->waiting);
    CHECK_EQ_U64(X(A1), 0);
    /* Enabling one of them from outside (as a snapshot could) wakes it. */
    rig_cpu->csr.mie |= MIP_MEIP;
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_BUDGET);
    CHECK_EQ_U64(X(A1), 1);
}

UNIT_TEST(wfi_wakes_into_the_handler_when_enabled)
{
    uint64_t executed;
    rig_reset();
    rig_cpu->csr.mie = MIP_MEIP;
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    rig_emit(INSN_WFI);
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_WFI);
    rig_set_irq(RISCV_IRQ_MEIP, 1);
    riscv_cpu_exec(rig_cpu, 100, &executed);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mcause, RISCV_MCAUSE_INTERRUPT | RISCV_IRQ_MEIP);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(1));
}

UNIT_TEST(wfi_with_pending_enabled_interrupt_does_not_wait)
{
    rig_reset();
    rig_set_irq(RISCV_IRQ_MSIP, 1);
    rig_cpu->csr.mie = MIP_MSIP; /* enabled in mie, MIE clear */
    rig_emit(INSN_WFI);
    rig_emit(enc_addi(A0, ZERO, 1));
    run_to_end();
    CHECK(!rig_cpu->waiting);
    CHECK_EQ_U64(X(A0), 1);

    /* A pending but disabled interrupt does not count. */
    rig_reset();
    rig_set_irq(RISCV_IRQ_MSIP, 1);
    rig_emit(INSN_WFI);
    CHECK_EQ_U64(rig_run(100, NULL), CPU_EXIT_WFI);
}

/* ---- CSRs ---- */

UNIT_TEST(csr_read_write_set_clear)
{
    rig_reset();
    X(T0) = 0xf0f0;
    X(T1) = 0x0ff0;
    X(T2) = 0x00ff;
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSCRATCH, T0));
    rig_emit(enc_csr(CSRRW, A0, CSR_MSCRATCH, T1));   /* a0 = f0f0 */
    rig_emit(enc_csr(CSRRS, A1, CSR_MSCRATCH, T2));   /* a1 = 0ff0 */
    rig_emit(enc_csr(CSRRC, A2, CSR_MSCRATCH, T1));   /* a2 = 0fff */
    rig_emit(enc_csr(CSRRWI, A3, CSR_MSCRATCH, 31));  /* a3 = 000f */
    rig_emit(enc_csr(CSRRSI, A4, CSR_MSCRATCH, 0));   /* a4 = 1f, no write */
    rig_emit(enc_csr(CSRRCI, A5, CSR_MSCRATCH, 3));   /* a5 = 1f */
    rig_emit(enc_csr(CSRRS, A6, CSR_MSCRATCH, ZERO)); /* a6 = 1c */
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xf0f0);
    CHECK_EQ_U64(X(A1), 0x0ff0);
    CHECK_EQ_U64(X(A2), 0x0fff);
    CHECK_EQ_U64(X(A3), 0x000f);
    CHECK_EQ_U64(X(A4), 0x1f);
    CHECK_EQ_U64(X(A5), 0x1f);
    CHECK_EQ_U64(X(A6), 0x1c);
}

UNIT_TEST(csr_warl_fields)
{
    rig_reset();
    X(T0) = UINT64_MAX;
    X(T1) = RIG_DATA | 2; /* reserved mtvec mode */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSTATUS, T0));
    rig_emit(enc_csr(CSRRS, A0, CSR_MSTATUS, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MIE, T0));
    rig_emit(enc_csr(CSRRS, A1, CSR_MIE, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MIP, T0)); /* no writable bits */
    rig_emit(enc_csr(CSRRS, A2, CSR_MIP, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MEPC, T0));
    rig_emit(enc_csr(CSRRS, A3, CSR_MEPC, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MISA, ZERO)); /* ignored */
    rig_emit(enc_csr(CSRRS, A4, CSR_MISA, ZERO));
    rig_emit(enc_csr(CSRRW, A5, CSR_MTVEC, T1));
    rig_emit(enc_csr(CSRRS, A6, CSR_MTVEC, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MTVAL, T0));
    rig_emit(enc_csr(CSRRS, A7, CSR_MTVAL, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSTATUS, ZERO)); /* MIE off again */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MTVEC, A5));
    run_to_end();
    CHECK_EQ_U64(X(A0), MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP_M |
                            MSTATUS_MPRV | MSTATUS_TW | MSTATUS_UXL_64);
    CHECK_EQ_U64(X(A1), MIP_MSIP | MIP_MTIP | MIP_MEIP);
    CHECK_EQ_U64(X(A2), 0);
    CHECK_EQ_U64(X(A3), ~1ULL); /* IALIGN=16 */
    CHECK_EQ_U64(X(A4),
                 (2ULL << 62) | 1 << 0 | 1 << 2 | 1 << 8 | 1 << 12 | 1 << 20);
    CHECK_EQ_U64(X(A5), RIG_HANDLER);
    CHECK_EQ_U64(X(A6), RIG_DATA);
    CHECK_EQ_U64(X(A7), UINT64_MAX);
}

UNIT_TEST(csr_read_only_rules)
{
    /* Reading a read-only CSR with csrrs/csrrc x0 is legal. */
    rig_reset();
    X(T0) = 1;
    rig_emit(enc_csr(CSRRS, A0, CSR_CYCLE, ZERO));
    rig_emit(enc_csr(CSRRC, A1, CSR_INSTRET, ZERO));
    rig_emit(enc_csr(CSRRSI, A2, CSR_MHARTID, 0));
    run_to_end();

    uint32_t bad[] = {
        enc_csr(CSRRW, ZERO, CSR_MHARTID, T0), /* write, even if rd=x0 */
        enc_csr(CSRRS, A0, CSR_MHARTID, T0),   /* set with rs1 != 0 */
        enc_csr(CSRRCI, A0, CSR_CYCLE, 1),
        enc_csr(CSRRWI, ZERO, CSR_TIME, 0), /* csrrw always writes */
        enc_csr(CSRRS, ZERO, 0x7c0, ZERO),  /* unknown, read-only form */
        enc_csr(CSRRW, ZERO, 0x180, T0),    /* satp: no S-mode */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rig_reset();
        X(T0) = 1;
        X(A0) = 99;
        rig_emit(bad[i]);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), bad[i]);
        CHECK_EQ_U64(X(A0), 99);
    }
}

UNIT_TEST(counters_follow_retired_instructions)
{
    rig_reset();
    X(T0) = 100;
    rig_emit(enc_addi(ZERO, ZERO, 0));
    rig_emit(enc_addi(ZERO, ZERO, 0));
    rig_emit(enc_csr(CSRRS, A0, CSR_MINSTRET, ZERO)); /* 2 retired */
    rig_emit(enc_csr(CSRRS, A1, CSR_INSTRET, ZERO));  /* 3 */
    rig_emit(enc_csr(CSRRS, A2, CSR_MCYCLE, ZERO));   /* 4 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MINSTRET, T0));
    rig_emit(enc_csr(CSRRS, A3, CSR_MINSTRET, ZERO)); /* 100 */
    rig_emit(enc_csr(CSRRS, A4, CSR_INSTRET, ZERO));  /* 101 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCYCLE, T0));
    rig_emit(enc_csr(CSRRS, A5, CSR_CYCLE, ZERO)); /* 100 */
    run_to_end();
    CHECK_EQ_U64(X(A0), 2);
    CHECK_EQ_U64(X(A1), 3);
    CHECK_EQ_U64(X(A2), 4);
    CHECK_EQ_U64(X(A3), 100);
    CHECK_EQ_U64(X(A4), 101);
    CHECK_EQ_U64(X(A5), 100);
}

/* mcountinhibit.CY/IR hold mcycle/minstret; it applies from the next
 * instruction (the one that stops a counter still counts, the one that
 * restarts it does not); a write to a held counter sets the held value. */
UNIT_TEST(mcountinhibit_stops_the_counters)
{
    rig_reset();
    X(T0) = MCOUNTINHIBIT_CY;
    X(T1) = MCOUNTINHIBIT_IR;
    X(T2) = 1000;
    X(T3) = UINT64_MAX;
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCOUNTINHIBIT, T0));   /* 0: stop CY */
    rig_emit(enc_addi(ZERO, ZERO, 0));                       /* 1 */
    rig_emit(enc_csr(CSRRS, A0, CSR_MCYCLE, ZERO));          /* 2: held 1 */
    rig_emit(enc_csr(CSRRS, A1, CSR_MINSTRET, ZERO));        /* 3: 3 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCYCLE, T2));          /* 4: held 1000 */
    rig_emit(enc_csr(CSRRS, A2, CSR_CYCLE, ZERO));           /* 5: 1000 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCOUNTINHIBIT, T1));   /* 6: IR, CY on */
    rig_emit(enc_csr(CSRRS, A3, CSR_MCYCLE, ZERO));          /* 7: 1000 */
    rig_emit(enc_csr(CSRRS, A4, CSR_MCYCLE, ZERO));          /* 8: 1001 */
    rig_emit(enc_csr(CSRRS, A5, CSR_MINSTRET, ZERO));        /* 9: held 7 */
    rig_emit(enc_csr(CSRRS, A6, CSR_INSTRET, ZERO));         /* 10: 7 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MINSTRET, T2));        /* 11: 1000 */
    rig_emit(enc_csr(CSRRS, A7, CSR_MCOUNTINHIBIT, ZERO));   /* 12 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCOUNTINHIBIT, T3));   /* 13: all */
    rig_emit(enc_csr(CSRRS, S2, CSR_MCOUNTINHIBIT, ZERO));   /* 14 */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MCOUNTINHIBIT, ZERO)); /* 15: run */
    rig_emit(enc_csr(CSRRS, S3, CSR_MINSTRET, ZERO));        /* 16: 1000 */
    rig_emit(enc_csr(CSRRS, S4, CSR_MINSTRET, ZERO));        /* 17: 1001 */
    rig_emit(enc_csr(CSRRS, S5, CSR_MCYCLE, ZERO));
    run_to_end();
    CHECK_EQ_U64(X(A0), 1);
    CHECK_EQ_U64(X(A1), 3);
    CHECK_EQ_U64(X(A2), 1000);
    CHECK_EQ_U64(X(A3), 1000);
    CHECK_EQ_U64(X(A4), 1001);
    CHECK_EQ_U64(X(A5), 7);
    CHECK_EQ_U64(X(A6), 7);
    CHECK_EQ_U64(X(A7), MCOUNTINHIBIT_IR);
    /* Only CY and IR exist: TM and the hpm bits read zero. */
    CHECK_EQ_U64(X(S2), MCOUNTINHIBIT_CY | MCOUNTINHIBIT_IR);
    CHECK_EQ_U64(X(S3), 1000);
    CHECK_EQ_U64(X(S4), 1001);
    /* mcycle: 1001 at 8, held at 1007 by 13 (which counts), restarted by
     * 15 (which does not): 1009 at 18. */
    CHECK_EQ_U64(X(S5), 1009);
    /* Time is not a counter mcountinhibit stops: it kept going. */
    CHECK_EQ_I64(vclock_get_ns(), (int64_t)rig_cpu->insn_count);
}

/* ---- migration of the hart's state ---- */

static const VMStateDescription *cpu_vmsd(void)
{
    return DEVICE_GET_CLASS(DEVICE(rig_cpu))->vmsd;
}

static MigWriter save_cpu(void)
{
    MigWriter w;
    Error *err = NULL;
    mig_writer_init(&w);
    CHECK(vmstate_save(&w, cpu_vmsd(), rig_cpu, NULL, &err));
    return w;
}

/* Load len bytes of a saved hart into the rig's, after a reset. */
static void load_cpu(const MigWriter *w, size_t len)
{
    Error *err = NULL;
    MigReader r;
    device_reset(DEVICE(rig_cpu));
    mig_reader_init(&r, w->data, len);
    if (!vmstate_load(&r, cpu_vmsd(), rig_cpu, 1, &err)) {
        UNIT_FAIL("load: %s", error_get_message(err));
    }
    CHECK_EQ_U64(mig_reader_remaining(&r), 0);
}

static bool stream_has(const MigWriter *w, const char *text)
{
    return memmem(w->data, w->len, text, strlen(text)) != NULL;
}

/* The values mcountinhibit holds travel in the subsection
 * "riscv-cpu/counters", sent only while it holds a counter; a stream
 * without it (older rivet) resumes with the values at the snapshot. */
UNIT_TEST(held_counters_migrate_in_a_subsection)
{
    rig_reset();
    rig_cpu->insn_count = 1000;
    MigWriter w = save_cpu();
    CHECK(!stream_has(&w, "riscv-cpu/counters"));
    mig_writer_free(&w);

    rig_cpu->csr.mcountinhibit = MCOUNTINHIBIT_CY | MCOUNTINHIBIT_IR;
    rig_cpu->csr.mcycle_held = 111;
    rig_cpu->csr.minstret_held = 222;
    rig_cpu->csr.minstret_offset = 400;
    w = save_cpu();
    CHECK(stream_has(&w, "riscv-cpu/counters"));
    load_cpu(&w, w.len);
    CHECK_EQ_U64(rig_cpu->csr.mcountinhibit,
                 MCOUNTINHIBIT_CY | MCOUNTINHIBIT_IR);
    CHECK_EQ_U64(rig_cpu->csr.mcycle_held, 111);
    CHECK_EQ_U64(rig_cpu->csr.minstret_held, 222);

    /* The same stream cut before the subsection (05, name, version, two
     * u64): the counters hold what they read at the snapshot. */
    size_t subsection = 1 + 1 + strlen("riscv-cpu/counters") + 4 + 16;
    load_cpu(&w, w.len - subsection);
    CHECK_EQ_U64(rig_cpu->csr.mcycle_held, 1000);
    CHECK_EQ_U64(rig_cpu->csr.minstret_held, 600);
    mig_writer_free(&w);
}

/* What rivet before RV64C and mcountinhibit saved still loads: misa
 * without C, and any low 32 bits of mcountinhibit (only CY and IR stay). */
UNIT_TEST(snapshots_of_the_hart_before_rv64c_load)
{
    rig_reset();
    rig_cpu->csr.misa = MISA_VALUE_BEFORE_C;
    rig_cpu->csr.mcountinhibit = 0xfffffffe; /* CY clear, IR set */
    rig_cpu->insn_count = 50;
    MigWriter w = save_cpu();
    size_t subsection = 1 + 1 + strlen("riscv-cpu/counters") + 4 + 16;
    load_cpu(&w, w.len - subsection);
    CHECK_EQ_U64(rig_cpu->csr.misa, MISA_VALUE);
    CHECK_EQ_U64(rig_cpu->csr.mcountinhibit, MCOUNTINHIBIT_IR);
    CHECK_EQ_U64(rig_cpu->csr.minstret_held, 50);
    mig_writer_free(&w);

    /* A misa this hart never had is refused. */
    rig_reset();
    rig_cpu->csr.misa = MISA_VALUE | MISA_EXT('F');
    w = save_cpu();
    Error *err = NULL;
    MigReader r;
    mig_reader_init(&r, w.data, w.len);
    CHECK(!vmstate_load(&r, cpu_vmsd(), rig_cpu, 1, &err));
    CHECK(strstr(error_get_message(err), "field 'csr.misa'") != NULL);
    error_free(err);
    mig_writer_free(&w);
}

UNIT_TEST(time_csr_reads_the_virtual_clock)
{
    rig_reset();
    vclock_advance_to(1095);
    for (int i = 0; i < 4; i++) {
        rig_emit(enc_addi(ZERO, ZERO, 0));
    }
    rig_emit(enc_csr(CSRRS, A0, CSR_TIME, ZERO)); /* at 1099 ns */
    rig_emit(enc_csr(CSRRS, A1, CSR_TIME, ZERO)); /* at 1100 ns */
    run_to_end();
    CHECK_EQ_U64(X(A0), 10);
    CHECK_EQ_U64(X(A1), 11);
}

static uint64_t fixed_time_source(void *opaque)
{
    return *(uint64_t *)opaque;
}

UNIT_TEST(time_csr_reads_the_platform_time_source)
{
    uint64_t mtime = 0x123456789ULL;
    rig_reset();
    riscv_cpu_set_time_source(rig_cpu, fixed_time_source, &mtime);
    rig_emit(enc_csr(CSRRS, A0, CSR_TIME, ZERO));
    run_to_end();
    riscv_cpu_set_time_source(rig_cpu, NULL, NULL);
    CHECK_EQ_U64(X(A0), 0x123456789ULL);
}

/* ---- virtual clock and slices ---- */

UNIT_TEST(mmio_sees_exact_virtual_time)
{
    uint64_t executed;
    rig_reset();
    vclock_advance_to(500);
    X(T0) = RIG_MMIO_BASE;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_addi(A0, ZERO, 2));
    rig_emit(enc_addi(A0, ZERO, 3));
    rig_emit(enc_load(2, A1, T0, 0)); /* 3 executed before it */
    rig_emit(enc_addi(A0, ZERO, 4));
    rig_emit(enc_store(2, A0, T0, 0)); /* 5 executed before it */
    CHECK_EQ_U64(rig_run(20, &executed), CPU_EXIT_BUDGET);
    CHECK_EQ_U64(executed, 20);
    CHECK_EQ_U64(rig_mmio.read_ns, 500 + 3 * VCLOCK_NS_PER_INSN);
    CHECK_EQ_U64(rig_mmio.write_ns, 500 + 5 * VCLOCK_NS_PER_INSN);
    CHECK_EQ_U64(vclock_get_ns(), 500 + 20 * VCLOCK_NS_PER_INSN);
    CHECK_EQ_U64(rig_cpu->insn_count, 20);
}

static int rig_timer_fired;

static void count_timer(void *opaque)
{
    (void)opaque;
    rig_timer_fired++;
}

UNIT_TEST(slice_ends_at_timer_deadline)
{
    Timer timer;
    uint64_t executed;
    rig_reset();
    timer_init(&timer, count_timer, NULL);
    timer_mod(&timer, 50);
    CHECK_EQ_U64(rig_run(1000, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 50 / VCLOCK_NS_PER_INSN);
    CHECK_EQ_U64(vclock_get_ns(), 50);

    /* Deadline already reached: nothing runs, so the caller runs timers. */
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 1000, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 0);
    vclock_run_expired();
    CHECK_EQ_U64(rig_timer_fired, 1);

    /* No deadline: the budget ends the slice. */
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 10, &executed), CPU_EXIT_BUDGET);
    CHECK_EQ_U64(executed, 10);
    timer_del(&timer);
}

UNIT_TEST(interrupt_taken_at_entry_survives_deadline_exit)
{
    Timer timer;
    uint64_t executed;
    rig_reset();
    rig_load();
    timer_init(&timer, count_timer, NULL);
    timer_mod(&timer, 0); /* due now: the slice ends before any insn */
    rig_cpu->csr.mie = MIP_MTIP;
    rig_cpu->csr.mstatus = MSTATUS_MIE;
    rig_set_irq(RISCV_IRQ_MTIP, 1);
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 0);
    CHECK_EQ_U64(rig_cpu->pc, RIG_HANDLER);
    CHECK_EQ_U64(rig_cpu->csr.mepc, PROG(0));
    timer_del(&timer);
}

static Timer device_timer;

static void arm_timer_soon(uint64_t value)
{
    timer_mod(&device_timer, vclock_get_ns() + (int64_t)value);
}

UNIT_TEST(timer_armed_by_device_ends_slice_on_time)
{
    uint64_t executed;
    rig_reset();
    timer_init(&device_timer, count_timer, NULL);
    rig_mmio.on_write = arm_timer_soon;
    X(T0) = RIG_MMIO_BASE;
    X(T1) = 7;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_store(3, T1, T0, 0)); /* at t=1: timer for t=8 */
    CHECK_EQ_U64(rig_run(1000, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 8);
    CHECK_EQ_U64(vclock_get_ns(), 8);

    /* A timer due immediately ends the slice right after the access. */
    rig_reset();
    timer_init(&device_timer, count_timer, NULL);
    rig_mmio.on_write = arm_timer_soon;
    X(T0) = RIG_MMIO_BASE;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_store(3, ZERO, T0, 0)); /* timer for now */
    CHECK_EQ_U64(rig_run(1000, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 2);
    CHECK_EQ_U64(rig_cpu->pc, PROG(2));
    timer_del(&device_timer);
}

/* ---- the end of virtual time ---- */

UNIT_TEST(slice_stops_at_the_end_of_time)
{
    uint64_t executed;
    rig_reset();
    X(T0) = RIG_MMIO_BASE;
    rig_emit(enc_addi(A0, A0, 1));
    rig_emit(enc_addi(A0, A0, 1));
    rig_emit(enc_store(3, A0, T0, 0)); /* the last instruction that fits */
    rig_emit(enc_addi(A0, A0, 1));
    vclock_restore(VCLOCK_END_NS - 3 * VCLOCK_NS_PER_INSN, 0);
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_END_OF_TIME);
    CHECK_EQ_U64(executed, 3);
    CHECK_EQ_I64(rig_mmio.write_ns, VCLOCK_END_NS - VCLOCK_NS_PER_INSN);
    CHECK_EQ_I64(vclock_get_ns(), VCLOCK_END_NS);
    CHECK_EQ_U64(X(A0), 2);

    /* Nothing fits any more: no slice runs an instruction. */
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_END_OF_TIME);
    CHECK_EQ_U64(executed, 0);
    CHECK_EQ_U64(rig_cpu->pc, PROG(3));
    CHECK_EQ_I64(vclock_get_ns(), VCLOCK_END_NS);
}

UNIT_TEST(deadline_just_before_the_end_of_time)
{
    Timer timer;
    uint64_t executed;
    rig_reset();
    timer_init(&timer, count_timer, NULL);
    vclock_restore(VCLOCK_END_NS - 10, 0);
    timer_mod(&timer, VCLOCK_END_NS - 4);
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 6 / VCLOCK_NS_PER_INSN);
    CHECK_EQ_I64(vclock_get_ns(), VCLOCK_END_NS - 4);
    vclock_run_expired();
    CHECK_EQ_U64(riscv_cpu_exec(rig_cpu, 100, &executed), CPU_EXIT_END_OF_TIME);
    CHECK_EQ_U64(executed, 4 / VCLOCK_NS_PER_INSN);
    CHECK_EQ_I64(vclock_get_ns(), VCLOCK_END_NS);
}

static void request_exit(uint64_t value)
{
    main_loop_request_exit(value);
}

UNIT_TEST(exit_request_from_device_ends_slice)
{
    uint64_t executed;
    rig_reset();
    rig_mmio.on_write = request_exit;
    X(T0) = RIG_MMIO_BASE;
    X(T1) = 3;
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_store(2, T1, T0, 0));
    rig_emit(enc_addi(A1, ZERO, 1));
    CHECK_EQ_U64(rig_run(1000, &executed), CPU_EXIT_REQUEST);
    CHECK_EQ_U64(executed, 2);
    CHECK_EQ_U64(X(A1), 0);
    CHECK(main_loop_exit_requested());
    main_loop_reset();
}

/* ---- RAM window ---- */

static MemoryRegion overlay;

static uint64_t overlay_read(void *opaque, hwaddr addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)size;
    return 0xab;
}

static void overlay_write(void *opaque, hwaddr addr, uint64_t value,
                          unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)value;
    (void)size;
}

static const MemoryRegionOps overlay_ops = {
    .read = overlay_read,
    .write = overlay_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void enable_overlay(uint64_t value)
{
    memory_region_set_enabled(&overlay, value != 0);
}

UNIT_TEST(ram_window_follows_topology_changes)
{
    rig_reset();
    rig_write64(RIG_DATA, 0x1111);
    memory_region_init_io(&overlay, NULL, &overlay_ops, NULL, "overlay", 0x100);
    X(T0) = RIG_DATA;
    rig_emit(enc_load(3, A0, T0, 0));
    run_to_end();
    CHECK_EQ_U64(X(A0), 0x1111);

    /* Between slices: an MMIO region now hides the RAM. */
    memory_region_add_subregion_overlap(get_system_memory(), RIG_DATA, &overlay,
                                        1);
    rig_cpu->pc = PROG(0);
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xab);

    /* Within a slice: a device callback removes the overlay. */
    memory_region_set_enabled(&overlay, false);
    rig_reset();
    rig_write64(RIG_DATA, 0x2222);
    memory_region_set_enabled(&overlay, true);
    rig_mmio.on_write = enable_overlay;
    X(T0) = RIG_DATA;
    X(T1) = RIG_MMIO_BASE;
    rig_emit(enc_load(3, A0, T0, 0));
    rig_emit(enc_store(3, ZERO, T1, 0)); /* disables the overlay */
    rig_emit(enc_load(3, A1, T0, 0));
    run_to_end();
    CHECK_EQ_U64(X(A0), 0xab);
    CHECK_EQ_U64(X(A1), 0x2222);
    memory_region_del_subregion(get_system_memory(), &overlay);
}

/* ---- logging ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[16384];
    size_t len = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    text[len] = '\0';
    return text;
}

UNIT_TEST(in_asm_int_and_dump_logging)
{
    char path[] = "/tmp/rivet-test-cpu-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(log_set_file(path, NULL));
    rig_reset();
    log_item_mask = LOG_ITEM_IN_ASM | LOG_ITEM_INT;
    rig_emit(enc_addi(A0, ZERO, 5));
    rig_emit16(0x55f5); /* c.li a1, -3 */
    rig_emit(INSN_ECALL);
    rig_run(4, NULL);
    log_item_mask = 0;
    riscv_cpu_log_state(rig_cpu);
    log_close();
    char *text = read_file(path);
    unlink(path);
    CHECK(strstr(text, "0x0000000080000000: 00500513  addi a0, zero, 5\n"));
    CHECK(strstr(text, "0x0000000080000004: 55f5      c.li a1, -3\n"));
    CHECK(strstr(text, "0x0000000080000006: 00000073  ecall\n"));
    CHECK(strstr(text, "0x0000000080000800: 0000006f  jal zero, "
                       "0x80000800\n"));
    CHECK(strstr(text, "epc 0x0000000080000006"));
    CHECK(strstr(text, "mcause 0xb"));
    CHECK(strstr(text, "a0"));
    CHECK(strstr(text, "0000000000000005"));
    CHECK(strstr(text, "mstatus"));
    CHECK(strstr(text, "insn_count 4"));
}

int main(void)
{
    return unit_run_all();
}

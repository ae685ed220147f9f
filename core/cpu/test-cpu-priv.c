/*
 * Unit tests of the hart's protection: M and U privilege levels (mret,
 * ecall, MPP/MPRV/TW, counter enables, CSR privilege), PMP (each address
 * mode, priority, partial matches, locks, M-mode with and without a lock,
 * the faults and their mtval), the Sdtrig triggers, the fast-path flag, and
 * the migration subsections that carry this state.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpu-internal.h"
#include "migration/stream.h"
#include "test-cpu-expect.h"
#include "test-cpu-rig.h"
#include "unit-test.h"

#define X(i) (rig_cpu->x[(i)])
#define PROG(i) (RIG_RAM_BASE + 4 * (uint64_t)(i))

/* pmpNcfg encodings (privileged spec 3.7.1). */
#define CFG_R 0x01
#define CFG_W 0x02
#define CFG_X 0x04
#define CFG_TOR 0x08
#define CFG_NA4 0x10
#define CFG_NAPOT 0x18
#define CFG_L 0x80
#define CFG_RWX (CFG_R | CFG_W | CFG_X)
/* pmpaddr with every bit set: NAPOT over the whole address space. */
#define PMPADDR_ALL ((1ULL << 54) - 1)

/* mcontrol6 (debug spec 5.7.17). */
#define MC6 (6ULL << 60)
#define MC6_DISABLED (15ULL << 60)
#define MC6_LOAD 1
#define MC6_STORE 2
#define MC6_EXECUTE 4
#define MC6_U 8
#define MC6_M 0x40
#define MC6_MATCH(m) ((uint64_t)(m) << 7)

static uint64_t napot(uint64_t base, uint64_t size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

/* Set entry i through the CSR write path (locks and WARL apply). */
static void pmp_set(unsigned i, uint8_t cfg, uint64_t addr)
{
    unsigned cfg_csr = i < 8 ? CSR_PMPCFG0 : CSR_PMPCFG2;
    unsigned shift = 8 * (i % 8);
    uint64_t v = 0;
    CHECK(riscv_pmp_csr_write(rig_cpu, CSR_PMPADDR0 + i, addr));
    CHECK(riscv_pmp_csr_read(rig_cpu, cfg_csr, &v));
    v = (v & ~(0xffULL << shift)) | (uint64_t)cfg << shift;
    CHECK(riscv_pmp_csr_write(rig_cpu, cfg_csr, v));
    riscv_cpu_update_mem_checks(rig_cpu);
}

static uint8_t pmp_cfg(unsigned i)
{
    uint64_t v = 0;
    CHECK(riscv_pmp_csr_read(rig_cpu, i < 8 ? CSR_PMPCFG0 : CSR_PMPCFG2, &v));
    return (uint8_t)(v >> (8 * (i % 8)));
}

static void trigger_set(unsigned i, uint64_t tdata1, uint64_t tdata2)
{
    CHECK(riscv_trigger_csr_write(rig_cpu, CSR_TSELECT, i));
    CHECK(riscv_trigger_csr_write(rig_cpu, CSR_TDATA1, tdata1));
    CHECK(riscv_trigger_csr_write(rig_cpu, CSR_TDATA2, tdata2));
    riscv_cpu_update_mem_checks(rig_cpu);
}

static void enter_u(void)
{
    rig_cpu->priv = RISCV_PRV_U;
    riscv_cpu_update_mem_checks(rig_cpu);
}

/* Reset, then let U-mode do anything through the lowest-priority entry. */
static void reset_u_allowed(void)
{
    rig_reset();
    pmp_set(15, CFG_NAPOT | CFG_RWX, PMPADDR_ALL);
}

/* ---- privilege levels ---- */

UNIT_TEST(mret_to_u_then_ecall_from_u)
{
    reset_u_allowed();
    X(T0) = PROG(4);
    X(T2) = MSTATUS_MPP;
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MEPC, T0));    /* 0 */
    rig_emit(enc_csr(CSRRC, ZERO, CSR_MSTATUS, T2)); /* 1: MPP = U */
    rig_emit(INSN_MRET);                             /* 2 */
    rig_emit(enc_addi(A0, ZERO, 1));                 /* 3: skipped */
    rig_emit(INSN_ECALL);                            /* 4: in U */
    run_to_trap(RISCV_EXCP_ECALL_U, PROG(4), 0);
    CHECK_EQ_U64(X(A0), 0);
    CHECK_EQ_U64(rig_cpu->priv, RISCV_PRV_M);
    /* The trap stacked U in MPP. */
    CHECK_EQ_U64(rig_cpu->csr.mstatus & MSTATUS_MPP, 0);
}

UNIT_TEST(mret_sets_mpp_to_u_and_clears_mprv_below_m)
{
    /* Returning to M keeps MPRV; MPP becomes U either way. */
    rig_reset();
    rig_cpu->csr.mstatus = MSTATUS_MPP_M | MSTATUS_MPRV;
    rig_cpu->csr.mepc = PROG(1);
    rig_emit(INSN_MRET);
    run_to_end();
    CHECK_EQ_U64(rig_cpu->priv, RISCV_PRV_M);
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPIE | MSTATUS_MPRV);

    /* Returning to U clears MPRV. */
    reset_u_allowed();
    rig_cpu->csr.mstatus = MSTATUS_MPRV; /* MPP = U */
    rig_cpu->csr.mepc = PROG(1);
    rig_emit(INSN_MRET);
    rig_emit(INSN_ECALL);
    run_to_trap(RISCV_EXCP_ECALL_U, PROG(1), 0);
    CHECK_EQ_U64(rig_cpu->csr.mstatus & MSTATUS_MPRV, 0);
}

UNIT_TEST(mpp_is_warl_over_m_and_u)
{
    rig_reset();
    X(T0) = 1ULL << MSTATUS_MPP_SHIFT; /* S: no S-mode */
    X(T1) = 2ULL << MSTATUS_MPP_SHIFT; /* reserved */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSTATUS, T0));
    rig_emit(enc_csr(CSRRS, A0, CSR_MSTATUS, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSTATUS, ZERO)); /* U */
    rig_emit(enc_csr(CSRRW, ZERO, CSR_MSTATUS, T1));
    rig_emit(enc_csr(CSRRS, A1, CSR_MSTATUS, ZERO));
    run_to_end();
    CHECK_EQ_U64(X(A0), MSTATUS_MPP_M | MSTATUS_UXL_64); /* kept M */
    CHECK_EQ_U64(X(A1), MSTATUS_UXL_64);                 /* kept U */
}

UNIT_TEST(u_mode_machine_csrs_and_mret_are_illegal)
{
    const uint32_t bad[] = {
        enc_csr(CSRRS, A0, CSR_MSTATUS, ZERO),
        enc_csr(CSRRW, ZERO, CSR_MSCRATCH, ZERO),
        enc_csr(CSRRS, A0, CSR_PMPCFG0, ZERO),
        enc_csr(CSRRS, A0, CSR_TSELECT, ZERO),
        enc_csr(CSRRS, A0, CSR_MCYCLE, ZERO),
        enc_csr(CSRRS, A0, CSR_MHARTID, ZERO),
        INSN_MRET,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reset_u_allowed();
        enter_u();
        X(A0) = 0x55;
        rig_emit(bad[i]);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), bad[i]);
        CHECK_EQ_U64(X(A0), 0x55);
        CHECK_EQ_U64(rig_cpu->csr.mstatus & MSTATUS_MPP, 0);
    }
}

UNIT_TEST(mcounteren_gates_user_counter_reads)
{
    static const unsigned counters[] = {CSR_CYCLE, CSR_TIME, CSR_INSTRET,
                                        CSR_HPMCOUNTER3};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t read = enc_csr(CSRRS, A0, counters[i], ZERO);
        /* Every other counter enabled: still illegal. */
        reset_u_allowed();
        rig_cpu->csr.mcounteren = 0xffffffffULL & ~(1ULL << i);
        enter_u();
        rig_emit(read);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), read);

        reset_u_allowed();
        rig_cpu->csr.mcounteren = 1ULL << i;
        enter_u();
        rig_emit(enc_addi(A0, ZERO, 0)); /* so instret reads 1 */
        rig_emit(read);
        run_to_end();
        if (counters[i] == CSR_CYCLE || counters[i] == CSR_INSTRET) {
            CHECK_EQ_U64(X(A0), 1);
        }
    }
}

UNIT_TEST(wfi_in_u_mode_follows_tw)
{
    uint64_t executed;
    reset_u_allowed();
    rig_cpu->csr.mstatus |= MSTATUS_TW;
    enter_u();
    rig_emit(INSN_WFI);
    run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), INSN_WFI);

    reset_u_allowed();
    enter_u();
    rig_emit(INSN_WFI);
    CHECK_EQ_U64(rig_run(100, &executed), CPU_EXIT_WFI);
    CHECK(rig_cpu->waiting);
    CHECK_EQ_U64(rig_cpu->pc, PROG(1));
}

UNIT_TEST(mprv_gives_data_accesses_mpp_privilege)
{
    /* Entry 0: the data page is read-only; nothing covers the program,
     * which M-mode still fetches (MPRV leaves fetches alone). */
    rig_reset();
    pmp_set(0, CFG_NAPOT | CFG_R, napot(RIG_DATA, 0x1000));
    rig_cpu->csr.mstatus = MSTATUS_MPRV; /* MPP = U */
    riscv_cpu_update_mem_checks(rig_cpu);
    rig_write64(RIG_DATA, 0x1234);
    X(T0) = RIG_DATA;
    rig_emit(enc_load(3, A0, T0, 0));  /* ld: allowed */
    rig_emit(enc_store(3, A0, T0, 0)); /* sd: no W */
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(1), RIG_DATA);
    CHECK_EQ_U64(X(A0), 0x1234);

    /* A load outside every entry fails for U's privilege... */
    rig_reset();
    pmp_set(0, CFG_NAPOT | CFG_R, napot(RIG_DATA, 0x1000));
    rig_cpu->csr.mstatus = MSTATUS_MPRV;
    riscv_cpu_update_mem_checks(rig_cpu);
    X(T0) = RIG_DATA + 0x1000;
    rig_emit(enc_load(2, A0, T0, 0));
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), RIG_DATA + 0x1000);

    /* ...and succeeds with MPP = M. */
    rig_reset();
    pmp_set(0, CFG_NAPOT | CFG_R, napot(RIG_DATA, 0x1000));
    rig_cpu->csr.mstatus = MSTATUS_MPRV | MSTATUS_MPP_M;
    riscv_cpu_update_mem_checks(rig_cpu);
    X(T0) = RIG_DATA;
    rig_emit(enc_store(3, T0, T0, 0));
    run_to_end();
    CHECK_EQ_U64(rig_read64(RIG_DATA), RIG_DATA);
}

/* ---- PMP matching ---- */

UNIT_TEST(pmp_no_match_allows_m_denies_u)
{
    rig_reset();
    CHECK(riscv_pmp_allows(rig_cpu, RIG_DATA, 8, RISCV_ACCESS_STORE,
                           RISCV_PRV_M));
    CHECK(!riscv_pmp_allows(rig_cpu, RIG_DATA, 8, RISCV_ACCESS_LOAD,
                            RISCV_PRV_U));
}

UNIT_TEST(pmp_address_modes)
{
    rig_reset();
    /* NA4: exactly four bytes. */
    pmp_set(0, CFG_NA4 | CFG_R, 0x1000 >> 2);
    CHECK(riscv_pmp_allows(rig_cpu, 0x1000, 4, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(riscv_pmp_allows(rig_cpu, 0x1003, 1, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x1004, 1, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x1000, 4, RISCV_ACCESS_STORE, RISCV_PRV_U));
    /* NAPOT: 256 bytes at 0x2000. */
    pmp_set(1, CFG_NAPOT | CFG_R | CFG_W, napot(0x2000, 0x100));
    CHECK(
        riscv_pmp_allows(rig_cpu, 0x2000, 8, RISCV_ACCESS_STORE, RISCV_PRV_U));
    CHECK(
        riscv_pmp_allows(rig_cpu, 0x20f8, 8, RISCV_ACCESS_STORE, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x2100, 1, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x1ff8, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    /* TOR: [pmpaddr2, pmpaddr3) from the entry below. */
    pmp_set(2, 0, 0x3000 >> 2);
    pmp_set(3, CFG_TOR | CFG_X, 0x3100 >> 2);
    CHECK(
        riscv_pmp_allows(rig_cpu, 0x3000, 4, RISCV_ACCESS_FETCH, RISCV_PRV_U));
    CHECK(
        riscv_pmp_allows(rig_cpu, 0x30fc, 4, RISCV_ACCESS_FETCH, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x3100, 4, RISCV_ACCESS_FETCH, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x2ffc, 4, RISCV_ACCESS_FETCH, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x3000, 4, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    /* TOR in entry 0 starts at address 0; an empty range matches
     * nothing. */
    rig_reset();
    pmp_set(0, CFG_TOR | CFG_R, 0x100 >> 2);
    CHECK(riscv_pmp_allows(rig_cpu, 0, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(!riscv_pmp_allows(rig_cpu, 0x100, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    pmp_set(1, CFG_TOR | CFG_R, 0x80 >> 2); /* top below bottom */
    CHECK(!riscv_pmp_allows(rig_cpu, 0x100, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    /* NAPOT with every bit set: the whole address space. */
    pmp_set(2, CFG_NAPOT | CFG_R, PMPADDR_ALL);
    CHECK(riscv_pmp_allows(rig_cpu, UINT64_C(0xfffffffffffff8) - 8, 8,
                           RISCV_ACCESS_LOAD, RISCV_PRV_U));
    /* OFF matches nothing. */
    pmp_set(2, CFG_R, PMPADDR_ALL);
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x1000, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
}

UNIT_TEST(pmp_lowest_entry_wins_and_partial_matches_fail)
{
    rig_reset();
    pmp_set(3, CFG_NAPOT | CFG_R, napot(0x4000, 0x100));
    pmp_set(4, CFG_NAPOT | CFG_R | CFG_W, napot(0x4000, 0x1000));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x4010, 8, RISCV_ACCESS_STORE, RISCV_PRV_U));
    CHECK(
        riscv_pmp_allows(rig_cpu, 0x4200, 8, RISCV_ACCESS_STORE, RISCV_PRV_U));
    /* An access straddling entry 3's end matches it partly: it fails, even
     * though entry 4 would allow every byte, and even in M-mode. */
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x40fc, 8, RISCV_ACCESS_LOAD, RISCV_PRV_U));
    CHECK(
        !riscv_pmp_allows(rig_cpu, 0x40fc, 8, RISCV_ACCESS_LOAD, RISCV_PRV_M));
}

UNIT_TEST(pmp_binds_m_mode_only_when_locked)
{
    rig_reset();
    pmp_set(0, CFG_NAPOT, napot(RIG_DATA, 0x1000)); /* no permission */
    CHECK(riscv_pmp_allows(rig_cpu, RIG_DATA, 8, RISCV_ACCESS_STORE,
                           RISCV_PRV_M));
    CHECK(!rig_cpu->mem_checks); /* the fast path stays on */
    pmp_set(1, CFG_NAPOT | CFG_L | CFG_R, napot(RIG_DATA + 0x1000, 0x1000));
    CHECK(rig_cpu->mem_checks);
    CHECK(riscv_pmp_allows(rig_cpu, RIG_DATA + 0x1000, 8, RISCV_ACCESS_LOAD,
                           RISCV_PRV_M));
    CHECK(!riscv_pmp_allows(rig_cpu, RIG_DATA + 0x1000, 8, RISCV_ACCESS_STORE,
                            RISCV_PRV_M));
    CHECK(!riscv_pmp_allows(rig_cpu, RIG_DATA + 0x1000, 4, RISCV_ACCESS_FETCH,
                            RISCV_PRV_M));
    /* End to end: an M-mode store to the locked read-only page faults. */
    X(T0) = RIG_DATA + 0x1000;
    rig_emit(enc_load(3, A0, T0, 0));
    rig_emit(enc_store(3, T0, T0, 0));
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(1), RIG_DATA + 0x1000);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 0x1000), 0);
}

/* ---- PMP registers ---- */

UNIT_TEST(pmp_csr_warl_and_rv64_layout)
{
    rig_reset();
    X(T0) = UINT64_MAX;
    /* 0: R=0 W=1 is reserved (W dropped); 1: W+X keeps X; 2: bits 6:5. */
    X(T1) = 0x0000000000600602ULL;
    rig_emit(enc_csr(CSRRW, ZERO, CSR_PMPCFG0, T1));
    rig_emit(enc_csr(CSRRS, A0, CSR_PMPCFG0, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_PMPADDR0 + 5, T0));
    rig_emit(enc_csr(CSRRS, A1, CSR_PMPADDR0 + 5, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_PMPADDR0 + 16, T0)); /* exists */
    rig_emit(enc_csr(CSRRS, A2, CSR_PMPADDR0 + 16, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_PMPCFG0 + 4, T0)); /* pmpcfg4 */
    rig_emit(enc_csr(CSRRS, A3, CSR_PMPCFG0 + 4, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_PMPCFG2, T0));
    rig_emit(enc_csr(CSRRS, A4, CSR_PMPCFG2, ZERO));
    run_to_end();
    CHECK_EQ_U64(X(A0), 0x0000000000000400ULL);
    CHECK_EQ_U64(X(A1), PMPADDR_ALL);
    CHECK_EQ_U64(X(A2), 0);
    CHECK_EQ_U64(X(A3), 0);
    CHECK_EQ_U64(X(A4), 0x9f9f9f9f9f9f9f9fULL); /* locked now */

    /* The odd pmpcfg registers do not exist on RV64. */
    for (unsigned csr = CSR_PMPCFG0 + 1; csr <= CSR_PMPCFG15; csr += 2) {
        uint32_t read = enc_csr(CSRRS, A0, csr, ZERO);
        rig_reset();
        rig_emit(read);
        run_to_trap(RISCV_EXCP_ILLEGAL_INSN, PROG(0), read);
    }
}

UNIT_TEST(pmp_locks)
{
    rig_reset();
    pmp_set(1, CFG_NA4 | CFG_R | CFG_L, 0x1000 >> 2);
    /* A locked entry ignores writes to its configuration and address. */
    pmp_set(1, CFG_NAPOT | CFG_RWX, 0x2000 >> 2);
    CHECK_EQ_U64(pmp_cfg(1), CFG_NA4 | CFG_R | CFG_L);
    CHECK_EQ_U64(rig_cpu->pmpaddr[1], 0x1000 >> 2);
    /* Its neighbours in the same pmpcfg0 still change. */
    pmp_set(0, CFG_NA4 | CFG_W | CFG_R, 0x3000 >> 2);
    CHECK_EQ_U64(pmp_cfg(0), CFG_NA4 | CFG_W | CFG_R);
    CHECK_EQ_U64(rig_cpu->pmpaddr[0], 0x3000 >> 2);

    /* A locked TOR entry also locks the address below it. */
    pmp_set(4, 0, 0x4000 >> 2);
    pmp_set(5, CFG_TOR | CFG_R | CFG_L, 0x5000 >> 2);
    pmp_set(4, CFG_R, 0x100 >> 2);
    CHECK_EQ_U64(rig_cpu->pmpaddr[4], 0x4000 >> 2);
    CHECK_EQ_U64(pmp_cfg(4), CFG_R); /* its configuration is free */
    /* ...but a locked NA4/NAPOT entry does not. */
    pmp_set(7, CFG_NA4 | CFG_L, 0x7000 >> 2);
    pmp_set(6, 0, 0x600 >> 2);
    CHECK_EQ_U64(rig_cpu->pmpaddr[6], 0x600 >> 2);
    /* Only a reset unlocks. */
    device_reset(DEVICE(rig_cpu));
    CHECK_EQ_U64(pmp_cfg(1), 0);
    CHECK(!rig_cpu->mem_checks);
}

/* ---- PMP faults in U-mode ---- */

/* U-mode program on an execute-only page, data page read-only. */
static void reset_u_pages(void)
{
    rig_reset();
    pmp_set(0, CFG_NAPOT | CFG_X, napot(RIG_RAM_BASE, 0x1000));
    pmp_set(1, CFG_NAPOT | CFG_R, napot(RIG_DATA, 0x1000));
    enter_u();
    X(T0) = RIG_DATA;
}

UNIT_TEST(pmp_faults_in_u_mode)
{
    reset_u_pages();
    rig_write64(RIG_DATA, 77);
    rig_emit(enc_load(3, A0, T0, 0));  /* 0: ld allowed */
    rig_emit(enc_store(2, A0, T0, 4)); /* 1: sw denied */
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(1), RIG_DATA + 4);
    CHECK_EQ_U64(X(A0), 77);
    CHECK_EQ_U64(rig_read64(RIG_DATA), 77);

    reset_u_pages();
    X(A0) = 0x55;
    rig_emit(enc_load(2, A0, T0, 0x7fc)); /* inside */
    rig_emit(enc_load(2, A0, ZERO, 0));   /* address 0: no entry */
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(1), 0);

    /* A device is protected like RAM: the access never reaches it. */
    reset_u_pages();
    X(T1) = RIG_MMIO_BASE;
    rig_emit(enc_load(2, A0, T1, 8));
    run_to_trap(RISCV_EXCP_LOAD_ACCESS_FAULT, PROG(0), RIG_MMIO_BASE + 8);
    CHECK_EQ_U64(rig_mmio.reads, 0);

    /* An AMO needs R and W: a store/AMO fault on the read-only page. */
    reset_u_pages();
    rig_emit(enc_amo(0x00, 3, A0, T0, ZERO));
    run_to_trap(RISCV_EXCP_STORE_ACCESS_FAULT, PROG(0), RIG_DATA);
    /* LR only reads. */
    reset_u_pages();
    rig_emit(enc_amo(0x02, 3, A0, T0, ZERO));
    run_to_end();
    CHECK(rig_cpu->reservation_valid);

    /* Fetching from the data page (R, no X): mepc = mtval = the target. */
    reset_u_pages();
    rig_emit(enc_jalr(RA, T0, 0));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, RIG_DATA, RIG_DATA);
    CHECK_EQ_U64(X(RA), PROG(1));
}

UNIT_TEST(pmp_fetch_fault_names_the_second_parcel)
{
    /* c.nop, then a 32-bit addi a0, zero, 1 straddling the end of the one
     * executable word (NA4): mepc is the addi, mtval its second half. */
    uint32_t addi = enc_addi(A0, ZERO, 1);
    rig_reset();
    pmp_set(0, CFG_NA4 | CFG_X, PROG(0) >> 2);
    enter_u();
    rig_emit(0x0001 | (addi & 0xffff) << 16);
    rig_emit(addi >> 16);
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, PROG(0) + 2, PROG(1));
    CHECK_EQ_U64(X(A0), 0);
}

/* ---- the fast path's flag ---- */

UNIT_TEST(mem_checks_only_when_needed)
{
    rig_reset();
    CHECK(!rig_cpu->mem_checks);
    pmp_set(0, CFG_NAPOT | CFG_R, napot(RIG_DATA, 0x1000));
    CHECK(!rig_cpu->mem_checks); /* M-mode, not locked */
    rig_cpu->csr.mstatus |= MSTATUS_MPRV;
    riscv_cpu_update_mem_checks(rig_cpu);
    CHECK(!rig_cpu->mem_checks); /* MPRV with MPP = M */
    rig_cpu->csr.mstatus &= ~MSTATUS_MPP;
    riscv_cpu_update_mem_checks(rig_cpu);
    CHECK(rig_cpu->mem_checks); /* MPRV with MPP = U */
    CHECK_EQ_U64(rig_cpu->fast_size, 0);
    rig_reset();
    enter_u();
    CHECK(rig_cpu->mem_checks);
    rig_reset();
    trigger_set(1, MC6 | MC6_M | MC6_LOAD, RIG_DATA);
    CHECK(rig_cpu->mem_checks);
    trigger_set(1, MC6 | MC6_LOAD, RIG_DATA); /* no privilege: inert */
    CHECK(!rig_cpu->mem_checks);
}

/* ---- triggers ---- */

UNIT_TEST(trigger_registers)
{
    rig_reset();
    X(T0) = 1;
    X(T1) = 2;
    X(T2) = UINT64_MAX;
    X(T3) = 2ULL << 60; /* legacy mcontrol: not supported */
    X(T4) = MC6 | MC6_MATCH(3) | MC6_M | MC6_EXECUTE | (1ULL << 21);
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TSELECT, T0));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TSELECT, T1)); /* no trigger 2 */
    rig_emit(enc_csr(CSRRS, A0, CSR_TSELECT, ZERO));
    rig_emit(enc_csr(CSRRS, A1, CSR_TINFO, ZERO));
    rig_emit(enc_csr(CSRRS, A2, CSR_TDATA1, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TDATA1, T2)); /* type 15 */
    rig_emit(enc_csr(CSRRS, A3, CSR_TDATA1, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TDATA1, T3));
    rig_emit(enc_csr(CSRRS, A4, CSR_TDATA1, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TDATA1, T4)); /* select=1 dropped */
    rig_emit(enc_csr(CSRRS, A5, CSR_TDATA1, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TDATA2, T2));
    rig_emit(enc_csr(CSRRS, A6, CSR_TDATA2, ZERO));
    rig_emit(enc_csr(CSRRW, ZERO, CSR_TDATA3, T2));
    rig_emit(enc_csr(CSRRS, A7, CSR_TDATA3, ZERO));
    run_to_end();
    CHECK_EQ_U64(X(A0), 1);
    CHECK_EQ_U64(X(A1), (1ULL << 24) | (1ULL << 6) | (1ULL << 15));
    CHECK_EQ_U64(X(A2), MC6_DISABLED);
    CHECK_EQ_U64(X(A3), MC6_DISABLED);
    CHECK_EQ_U64(X(A4), MC6_DISABLED);
    CHECK_EQ_U64(X(A5), MC6 | MC6_MATCH(3) | MC6_M | MC6_EXECUTE);
    CHECK_EQ_U64(X(A6), UINT64_MAX);
    CHECK_EQ_U64(X(A7), 0);
    /* Unsupported match types (4..15) read back as equal (0); every
     * other field we do not support is WARL 0, dmode included. */
    CHECK(riscv_trigger_csr_write(rig_cpu, CSR_TDATA1,
                                  UINT64_C(0x6fffffffffffffff)));
    uint64_t v = 0;
    CHECK(riscv_trigger_csr_read(rig_cpu, CSR_TDATA1, &v));
    CHECK_EQ_U64(v, MC6 | MC6_M | MC6_U | MC6_EXECUTE | MC6_STORE | MC6_LOAD);
}

UNIT_TEST(execute_trigger_fires_before_the_instruction)
{
    rig_reset();
    rig_cpu->csr.mstatus |= MSTATUS_MIE;
    trigger_set(0, MC6 | MC6_M | MC6_EXECUTE, PROG(2));
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_addi(A1, ZERO, 1));
    rig_emit(enc_addi(A2, ZERO, 1));
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(2), PROG(2));
    CHECK_EQ_U64(X(A1), 1);
    CHECK_EQ_U64(X(A2), 0);
    /* Taking it cleared MIE, so the handler does not trigger again. */
    CHECK_EQ_U64(rig_cpu->csr.mstatus & MSTATUS_MIE, 0);

    /* M-mode with MIE clear: no firing (no reentrancy into the handler). */
    rig_reset();
    trigger_set(0, MC6 | MC6_M | MC6_EXECUTE, PROG(1));
    rig_emit(enc_addi(A0, ZERO, 1));
    rig_emit(enc_addi(A1, ZERO, 1));
    run_to_end();
    CHECK_EQ_U64(X(A1), 1);
}

UNIT_TEST(load_and_store_triggers_fire_before_the_access)
{
    /* U-mode, trigger 1 on loads touching RIG_DATA + 4. */
    reset_u_allowed();
    enter_u();
    trigger_set(1, MC6 | MC6_U | MC6_LOAD, RIG_DATA + 4);
    X(T0) = RIG_DATA;
    X(A1) = 0x55;
    rig_emit(enc_load(2, A0, T0, 0));  /* lw: bytes 0..3, no match */
    rig_emit(enc_store(3, T0, T0, 0)); /* a store: not a load trigger */
    rig_emit(enc_load(3, A1, T0, 0));  /* ld: bytes 0..7 include 4 */
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(2), RIG_DATA);
    CHECK_EQ_U64(X(A1), 0x55);

    /* A NAPOT store trigger over 8 bytes: memory is left unchanged. */
    reset_u_allowed();
    enter_u();
    trigger_set(0, MC6 | MC6_U | MC6_STORE | MC6_MATCH(1), (RIG_DATA + 8) | 3);
    X(T0) = RIG_DATA;
    rig_emit(enc_store(3, T0, T0, 0));  /* 0..7: outside */
    rig_emit(enc_store(0, T0, T0, 15)); /* sb at 15: inside */
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(1), RIG_DATA + 15);
    CHECK_EQ_U64(rig_read64(RIG_DATA + 8), 0);
    CHECK_EQ_U64(rig_read64(RIG_DATA), RIG_DATA);

    /* Greater-or-equal and less-than; a trigger for M only stays quiet in
     * U-mode. */
    reset_u_allowed();
    enter_u();
    trigger_set(0, MC6 | MC6_U | MC6_LOAD | MC6_MATCH(2), RIG_DATA + 0x100);
    trigger_set(1, MC6 | MC6_M | MC6_LOAD | MC6_MATCH(3), RIG_DATA + 0x200);
    X(T0) = RIG_DATA;
    rig_emit(enc_load(3, A0, T0, 0xf8));
    rig_emit(enc_load(0, A0, T0, 0x100));
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(1), RIG_DATA + 0x100);
}

UNIT_TEST(trigger_before_pmp_fault)
{
    /* An execute trigger has priority over the fetch's access fault. */
    rig_reset();
    enter_u();
    trigger_set(0, MC6 | MC6_U | MC6_EXECUTE, PROG(0));
    rig_emit(enc_addi(A0, ZERO, 1));
    run_to_trap(RISCV_EXCP_BREAKPOINT, PROG(0), PROG(0));
    rig_reset();
    enter_u();
    rig_emit(enc_addi(A0, ZERO, 1));
    run_to_trap(RISCV_EXCP_INSN_ACCESS_FAULT, PROG(0), PROG(0));
}

/* ---- migration ---- */

static void save_cpu(MigWriter *w)
{
    Error *err = NULL;
    mig_writer_init(w);
    if (!vmstate_save(w, DEVICE_GET_CLASS(rig_cpu)->vmsd, rig_cpu, NULL,
                      &err)) {
        UNIT_FAIL("save: %s", error_get_message(err));
    }
}

static bool load_cpu(const MigWriter *w, Error **errp)
{
    MigReader r;
    mig_reader_init(&r, w->data, w->len);
    return vmstate_load(&r, DEVICE_GET_CLASS(rig_cpu)->vmsd, rig_cpu, 1, errp);
}

UNIT_TEST(migration_carries_priv_pmp_and_triggers)
{
    MigWriter plain, full;
    Error *err = NULL;

    /* At reset no subsection is sent. */
    rig_reset();
    save_cpu(&plain);

    reset_u_allowed();
    pmp_set(2, CFG_NAPOT | CFG_R | CFG_L, napot(RIG_DATA, 0x1000));
    trigger_set(1, MC6 | MC6_U | MC6_LOAD, RIG_DATA + 8);
    rig_cpu->csr.mstatus = MSTATUS_TW; /* MPP = U */
    enter_u();
    save_cpu(&full);
    CHECK(full.len > plain.len);

    rig_reset();
    CHECK(load_cpu(&full, &err));
    CHECK_EQ_U64(rig_cpu->priv, RISCV_PRV_U);
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_TW);
    CHECK_EQ_U64(pmp_cfg(2), CFG_NAPOT | CFG_R | CFG_L);
    CHECK_EQ_U64(rig_cpu->pmpaddr[2], napot(RIG_DATA, 0x1000));
    CHECK_EQ_U64(pmp_cfg(15), CFG_NAPOT | CFG_RWX);
    CHECK_EQ_U64(rig_cpu->tselect, 1);
    CHECK_EQ_U64(rig_cpu->tdata1[1], MC6 | MC6_U | MC6_LOAD);
    CHECK_EQ_U64(rig_cpu->tdata2[1], RIG_DATA + 8);
    CHECK(rig_cpu->mem_checks);

    /* A stream without the subsections (as before they existed) loads
     * with their reset values, whatever the hart held. */
    CHECK(load_cpu(&plain, &err));
    CHECK(rig_cpu->mem_checks); /* nothing reset it */
    rig_reset();
    CHECK(load_cpu(&plain, &err));
    CHECK_EQ_U64(rig_cpu->priv, RISCV_PRV_M);
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPP_M);
    CHECK(!rig_cpu->mem_checks);

    /* An M-only snapshot stored MPP as 0 and meant M.  mstatus is the first
     * field after hartid, x[32] and pc. */
    size_t mstatus_at = 8 + 32 * 8 + 8;
    CHECK_EQ_U64(plain.data[mstatus_at + 6], MSTATUS_MPP_M >> 8);
    plain.data[mstatus_at + 6] = 0;
    CHECK(load_cpu(&plain, &err));
    CHECK_EQ_U64(rig_cpu->csr.mstatus, MSTATUS_MPP_M);

    /* Values no write could produce are refused with the field named. */
    mig_writer_free(&full);
    rig_reset();
    rig_cpu->priv = 2;
    save_cpu(&full);
    rig_reset();
    CHECK(!load_cpu(&full, &err));
    CHECK(strstr(error_get_message(err), "'priv'"));
    error_free(err);
    err = NULL;
    mig_writer_free(&full);
    rig_reset();
    rig_cpu->pmpcfg[3] = CFG_W;
    save_cpu(&full);
    rig_reset();
    CHECK(!load_cpu(&full, &err));
    CHECK(strstr(error_get_message(err), "pmpcfg[3]"));
    error_free(err);
    mig_writer_free(&plain);
    mig_writer_free(&full);
}

int main(void)
{
    return unit_run_all();
}

/*
 * U-mode under PMP: M-mode sets up the entries (NAPOT, NA4, TOR), drops to
 * U-mode with mret, and checks what U-mode may and may not do: each
 * violation traps to M-mode with the right mcause, mepc and mtval, and M
 * recovers and goes on.  Then MPRV, a locked entry binding M-mode, and the
 * WARL rules of MPP.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "csr.h"
#include "trap.h"
#include "uart.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

#define CAUSE_INSN_ACCESS 1
#define CAUSE_ILLEGAL 2
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_ECALL_U 8
#define MSTATUS_MPRV (1UL << 17)
/* What a U-mode function "returns" when M-mode recovered from its trap. */
#define FAULTED 0xfa017ed0ul
/* RAM the image does not cover and no entry grants. */
#define FORBIDDEN 0x80100000ul

uint64_t user_call(void *fn, uint64_t arg, void *stack_top);
extern char user_call_resume[];
extern char __stack_top[];

static uint64_t user_stack[512] __attribute__((aligned(4096)));
static volatile uint64_t secret[512] __attribute__((aligned(4096)));
static volatile uint32_t mailbox[2] __attribute__((aligned(8)));

static volatile uint64_t trap_mcause, trap_mepc, trap_mtval;
static volatile bool trap_from_m;

static void on_exception(struct trap_frame *frame)
{
    trap_mcause = frame->mcause;
    trap_mepc = frame->mepc;
    trap_mtval = frame->mtval;
    trap_from_m = (frame->mstatus & MSTATUS_MPP_MASK) == MSTATUS_MPP_MASK;
    if (trap_from_m) {
        /* M-mode checks fault on one uncompressed instruction. */
        frame->mepc += 4;
        return;
    }
    /* From U-mode: back to user_call's caller, in M-mode. */
    if (frame->mcause != CAUSE_ECALL_U) {
        frame->x[10] = FAULTED;
    }
    frame->mepc = (uint64_t)user_call_resume;
    csr_set(mstatus, MSTATUS_MPP_MASK);
}

static uint64_t run_user(uint64_t (*fn)(uint64_t), uint64_t arg)
{
    trap_mcause = trap_mepc = trap_mtval = ~0ul;
    return user_call((void *)fn, arg, user_stack + 512);
}

/* The U-mode side: plain functions, run through run_user(). */
static __attribute__((noipa)) uint64_t user_load(uint64_t addr)
{
    return *(volatile uint64_t *)addr;
}

static __attribute__((noipa)) uint64_t user_store(uint64_t addr)
{
    *(volatile uint32_t *)addr = 0x5a5a5a5a;
    return 0;
}

static __attribute__((noipa)) uint64_t user_jump(uint64_t addr)
{
    return ((uint64_t(*)(uint64_t))addr)(0);
}

static __attribute__((noipa)) uint64_t user_read_mstatus(uint64_t arg)
{
    (void)arg;
    return csr_read(mstatus);
}

static __attribute__((noipa)) uint64_t user_read_cycle(uint64_t arg)
{
    (void)arg;
    return csr_read(cycle);
}

static __attribute__((noipa)) uint64_t user_sum(uint64_t n)
{
    uint64_t sum = 0;
    for (uint64_t i = 1; i <= n; i++) {
        sum += i;
    }
    return sum;
}

static uint64_t napot(const volatile void *base, uint64_t size)
{
    return ((uint64_t)base >> 2) | ((size >> 3) - 1);
}

static void expect_trap(uint64_t got, uint64_t cause, uint64_t mtval)
{
    check_eq("returned the fault mark", got, FAULTED);
    check_count("mcause", trap_mcause, cause);
    check_eq("mtval", trap_mtval, mtval);
}

/* An illegal csrr: mtval is the instruction, whichever rd the compiler
 * chose (rs1 is x0). */
static void expect_illegal_csrr(uint64_t got, uint64_t csr)
{
    check_eq("returned the fault mark", got, FAULTED);
    check_count("mcause", trap_mcause, CAUSE_ILLEGAL);
    check_eq("mtval is the csrr", trap_mtval & ~0xf80ul, csr << 20 | 0x2073);
}

int main(void)
{
    uart_init(true);
    trap_set_exception_handler(on_exception);
    print("user-pmp: PMP with U-mode\n");

    check_group("misa");
    check_true("U bit set", (csr_read(misa) >> ('U' - 'A')) & 1);

    /* 0: the secret page, read-only; 1: the user stack; 2: one word of the
     * mailbox (NA4); 3-4: TOR over the whole image, read and execute. */
    csr_write(pmpaddr0, napot(secret, 4096));
    csr_write(pmpaddr1, napot(user_stack, 4096));
    csr_write(pmpaddr2, (uint64_t)&mailbox[0] >> 2);
    csr_write(pmpaddr3, 0x80000000ul >> 2);
    csr_write(pmpaddr4, (uint64_t)__stack_top >> 2);
    csr_write(pmpcfg0, (uint64_t)(PMP_NAPOT | PMP_R) |
                           (uint64_t)(PMP_NAPOT | PMP_R | PMP_W) << 8 |
                           (uint64_t)(PMP_NA4 | PMP_R | PMP_W) << 16 |
                           (uint64_t)(PMP_TOR | PMP_R | PMP_X) << 32);
    check_group("pmp registers");
    check_eq("pmpcfg0 reads back", csr_read(pmpcfg0), 0x0000000d00131b19ul);
    check_eq("pmpaddr4 reads back", csr_read(pmpaddr4),
             (uint64_t)__stack_top >> 2);

    check_group("U-mode runs");
    check_count("sum 1..100 in U-mode", run_user(user_sum, 100), 5050);
    check_count("returned by ecall from U", trap_mcause, CAUSE_ECALL_U);

    check_group("U reads the read-only page");
    secret[3] = 0x5ec2e7;
    check_eq("value", run_user(user_load, (uint64_t)&secret[3]), 0x5ec2e7);

    check_group("U stores to the read-only page");
    expect_trap(run_user(user_store, (uint64_t)&secret[3]), CAUSE_STORE_ACCESS,
                (uint64_t)&secret[3]);
    check_eq("memory unchanged", secret[3], 0x5ec2e7);
    check_eq("mepc in user_store",
             trap_mepc >= (uint64_t)user_store &&
                 trap_mepc < (uint64_t)user_store + 16,
             1);

    check_group("U loads outside every entry");
    expect_trap(run_user(user_load, FORBIDDEN), CAUSE_LOAD_ACCESS, FORBIDDEN);

    check_group("U jumps to its stack (no X)");
    expect_trap(run_user(user_jump, (uint64_t)user_stack), CAUSE_INSN_ACCESS,
                (uint64_t)user_stack);
    check_eq("mepc is the target", trap_mepc, (uint64_t)user_stack);

    check_group("NA4 grants exactly one word");
    check_count("store to mailbox[0]",
                run_user(user_store, (uint64_t)&mailbox[0]), 0);
    check_eq("mailbox[0] written", mailbox[0], 0x5a5a5a5a);
    expect_trap(run_user(user_store, (uint64_t)&mailbox[1]), CAUSE_STORE_ACCESS,
                (uint64_t)&mailbox[1]);

    check_group("U reads mstatus");
    expect_illegal_csrr(run_user(user_read_mstatus, 0), 0x300);

    check_group("mcounteren");
    csr_write(mcounteren, 0);
    expect_illegal_csrr(run_user(user_read_cycle, 0), 0xc00);
    csr_write(mcounteren, 1);
    check_true("cycle readable once enabled",
               run_user(user_read_cycle, 0) != FAULTED);

    check_group("MPRV");
    csr_clear(mstatus, MSTATUS_MPP_MASK); /* MPP = U */
    trap_mcause = ~0ul;
    uint64_t v;
    /* One block: no access of the compiler's may run with U's rights. */
    __asm__ volatile("csrs mstatus, %2\n"
                     "ld %0, 0(%1)\n"
                     "csrc mstatus, %2"
                     : "=&r"(v)
                     : "r"(FORBIDDEN), "r"(MSTATUS_MPRV)
                     : "memory");
    check_count("M load with U's rights faults", trap_mcause,
                CAUSE_LOAD_ACCESS);
    check_true("trap taken from M-mode", trap_from_m);
    trap_mcause = ~0ul;
    __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(FORBIDDEN) : "memory");
    check_count("without MPRV it loads", trap_mcause, ~0ul);

    check_group("M-mode");
    trap_mcause = ~0ul;
    secret[4] = 1; /* entry 0 is not locked: M-mode ignores it */
    check_count("store to an unlocked read-only page", trap_mcause, ~0ul);
    /* Lock entry 5 over FORBIDDEN, read-only: now M-mode is bound too. */
    csr_write(pmpaddr5, napot((void *)FORBIDDEN, 4096));
    csr_set(pmpcfg0, (uint64_t)(PMP_NAPOT | PMP_R | PMP_L) << 40);
    __asm__ volatile("sd zero, 0(%0)" ::"r"(FORBIDDEN) : "memory");
    check_count("store to a locked read-only page faults", trap_mcause,
                CAUSE_STORE_ACCESS);
    check_eq("mtval", trap_mtval, FORBIDDEN);
    trap_mcause = ~0ul;
    __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(FORBIDDEN) : "memory");
    check_count("load from it works", trap_mcause, ~0ul);
    csr_clear(pmpcfg0, 0xfful << 40);
    check_eq("a locked entry ignores writes", (csr_read(pmpcfg0) >> 40) & 0xff,
             PMP_NAPOT | PMP_R | PMP_L);

    check_group("MPP");
    csr_set(mstatus, MSTATUS_MPP_MASK);
    csr_clear(mstatus, 2ul << MSTATUS_MPP_SHIFT); /* MPP = 1: no S-mode */
    check_eq("MPP keeps M", csr_read(mstatus) & MSTATUS_MPP_MASK,
             MSTATUS_MPP_MASK);

    return check_summary("user-pmp");
}

/*
 * Synchronous trap self-test: illegal instructions, breakpoint, ecall,
 * load/store access faults at unmapped addresses, misaligned loads, stores
 * and AMOs, instruction access faults and jumps to 2-byte aligned targets.
 * Each case checks mcause, mepc and mtval as the handler saw them, that the
 * faulting instruction had no effect, and that execution resumed after it.
 *
 * Misaligned loads and stores complete on the default board and trap with
 * -M virt,misaligned=trap: the first one tells which, and the program
 * checks that behaviour (expected outputs traps.out and
 * traps-misaligned-trap.out).  Misaligned AMOs trap on both.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "csr.h"
#include "trap.h"
#include "uart.h"

#define UNMAPPED 0x20000000ul
#define UNTOUCHED 0x1234abcdul

/* What the exception handler saw. */
static volatile uint32_t traps;
static volatile uint64_t trap_mcause, trap_mepc, trap_mtval, trap_mstatus;
/* When set, resume at the saved ra (for faults where pc + 4 is useless). */
static volatile bool resume_at_ra;

static void on_exception(struct trap_frame *frame)
{
    traps++;
    trap_mcause = frame->mcause;
    trap_mepc = frame->mepc;
    trap_mtval = frame->mtval;
    trap_mstatus = frame->mstatus;
    if (resume_at_ra) {
        frame->mepc = frame->x[1];
        resume_at_ra = false;
    } else {
        /* Built without C, so every faulting instruction is 4 bytes, and
         * the zero word's first halfword (a 16-bit illegal instruction) is
         * followed by its second. */
        frame->mepc += 4;
    }
}

/* Outcome of one faulting instruction. */
struct outcome {
    uint64_t pc;      /* address of the faulting instruction */
    uint64_t rd;      /* its destination register, preset to UNTOUCHED */
    uint64_t resumed; /* set by the instruction after it */
};

static void begin(void)
{
    traps = 0;
    trap_mcause = trap_mepc = trap_mtval = ~0ul;
}

static void expect(const char *name, const struct outcome *o, uint64_t cause,
                   uint64_t mepc, uint64_t mtval)
{
    check_group(name);
    check_count("one trap", traps, 1);
    check_count("mcause", trap_mcause, cause);
    check_eq("mepc", trap_mepc, mepc);
    check_eq("mtval", trap_mtval, mtval);
    check_count("resumed after the instruction", o->resumed, 1);
    check_group(NULL);
}

/* One instruction at local label 1, preceded by capturing its address and
 * followed by setting `resumed`.  %[rd] is the destination (preset). */
#define RUN_FAULT(o, insn, ...)                                                \
    __asm__ volatile(                                                          \
        "la %[pc], 1f\n"                                                       \
        "1: " insn "\n"                                                        \
        "li %[resumed], 1\n"                                                   \
        : [pc] "=&r"((o).pc), [rd] "+&r"((o).rd), [resumed] "+&r"((o).resumed) \
        : __VA_ARGS__                                                          \
        : "memory")

static void test_illegal(void)
{
    struct outcome o = {0, UNTOUCHED, 0};

    begin();
    RUN_FAULT(o, ".word 0xffffffff", "i"(0));
    check_group("illegal instruction 0xffffffff");
    check_count("one trap", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_ILLEGAL_INSN);
    check_eq("mepc", trap_mepc, o.pc);
    /* The spec lets mtval hold the instruction bits or 0. */
    check_true("mtval is the instruction or 0",
               trap_mtval == 0xffffffff || trap_mtval == 0);
    check_count("resumed after the instruction", o.resumed, 1);
    check_group(NULL);

    /* A zero halfword is the 16-bit instruction the spec defines as
     * illegal: mtval is those 16 bits. */
    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, ".word 0x00000000", "i"(0));
    expect("illegal instruction 0x00000000", &o, CAUSE_ILLEGAL_INSN, o.pc, 0);
}

static void test_ebreak_ecall(void)
{
    struct outcome o = {0, UNTOUCHED, 0};

    begin();
    RUN_FAULT(o, "ebreak", "i"(0));
    check_group("ebreak");
    check_count("one trap", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_BREAKPOINT);
    check_eq("mepc", trap_mepc, o.pc);
    check_true("mtval is the pc or 0", trap_mtval == o.pc || trap_mtval == 0);
    check_count("resumed after the instruction", o.resumed, 1);
    check_group(NULL);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "ecall", "i"(0));
    expect("ecall", &o, CAUSE_ECALL_M, o.pc, 0);
}

static void test_access_faults(void)
{
    struct outcome o = {0, UNTOUCHED, 0};

    begin();
    RUN_FAULT(o, "ld %[rd], 16(%[a])", [a] "r"(0ul));
    expect("load access fault at 0x10", &o, CAUSE_LOAD_ACCESS_FAULT, o.pc,
           0x10);
    check_eq("load access fault at 0x10: destination unchanged", o.rd,
             UNTOUCHED);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "lw %[rd], 0(%[a])", [a] "r"(UNMAPPED));
    expect("load access fault at 0x20000000", &o, CAUSE_LOAD_ACCESS_FAULT, o.pc,
           UNMAPPED);
    check_eq("load access fault at 0x20000000: destination unchanged", o.rd,
             UNTOUCHED);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "sd %[rd], 0(%[a])", [a] "r"(0ul));
    expect("store access fault at 0x0", &o, CAUSE_STORE_ACCESS_FAULT, o.pc, 0);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "sw %[rd], 0(%[a])", [a] "r"(UNMAPPED));
    expect("store access fault at 0x20000000", &o, CAUSE_STORE_ACCESS_FAULT,
           o.pc, UNMAPPED);
}

static void expect_no_trap(const char *name, const struct outcome *o,
                           uint64_t rd)
{
    check_group(name);
    check_count("no trap", traps, 0);
    check_eq("result", o->rd, rd);
    check_count("resumed after the instruction", o->resumed, 1);
    check_group(NULL);
}

/* The default board: misaligned loads and stores to RAM complete. */
static void test_misaligned_complete(const struct outcome *first, uint64_t *buf)
{
    uintptr_t base = (uintptr_t)buf;
    struct outcome o = {0, UNTOUCHED, 0};

    expect_no_trap("misaligned lw", first, 0x04030201);

    begin();
    RUN_FAULT(o, "ld %[rd], 4(%[a])", [a] "r"(base));
    expect_no_trap("misaligned ld", &o, 0x0b0a090807060504ul);

    o = (struct outcome){0, 0xa5b6, 0};
    begin();
    RUN_FAULT(o, "sh %[rd], 1(%[a])", [a] "r"(base));
    expect_no_trap("misaligned sh", &o, 0xa5b6);

    o = (struct outcome){0, 0x1122334455667788ul, 0};
    begin();
    RUN_FAULT(o, "sd %[rd], 5(%[a])", [a] "r"(base));
    expect_no_trap("misaligned sd", &o, 0x1122334455667788ul);

    check_eq("misaligned stores: first doubleword", buf[0],
             0x6677880403a5b600ul);
    check_eq("misaligned stores: second doubleword", buf[1],
             0x0f0e0d1122334455ul);
}

/* -M virt,misaligned=trap: they raise the address-misaligned exception. */
static void test_misaligned_trap(const struct outcome *first, uint64_t *buf)
{
    uintptr_t base = (uintptr_t)buf;
    struct outcome o = {0, UNTOUCHED, 0};

    expect("misaligned lw", first, CAUSE_LOAD_MISALIGNED, first->pc, base + 1);
    check_eq("misaligned lw: destination unchanged", first->rd, UNTOUCHED);
    check_eq("misaligned lw: destination unchanged", o.rd, UNTOUCHED);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "ld %[rd], 4(%[a])", [a] "r"(base));
    expect("misaligned ld", &o, CAUSE_LOAD_MISALIGNED, o.pc, base + 4);
    check_eq("misaligned ld: destination unchanged", o.rd, UNTOUCHED);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "sh %[rd], 1(%[a])", [a] "r"(base));
    expect("misaligned sh", &o, CAUSE_STORE_MISALIGNED, o.pc, base + 1);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "sd %[rd], 4(%[a])", [a] "r"(base));
    expect("misaligned sd", &o, CAUSE_STORE_MISALIGNED, o.pc, base + 4);

    check_eq("misaligned stores left memory unchanged", buf[0] ^ buf[1],
             0x0808080808080808ul);
}

static void test_misaligned(void)
{
    static uint64_t buf[2] = {0x0706050403020100ul, 0x0f0e0d0c0b0a0908ul};
    uintptr_t base = (uintptr_t)buf;
    struct outcome o = {0, UNTOUCHED, 0};

    begin();
    RUN_FAULT(o, "lw %[rd], 1(%[a])", [a] "r"(base));
    if (traps == 0) {
        test_misaligned_complete(&o, buf);
    } else {
        test_misaligned_trap(&o, buf);
    }

    /* Atomics trap whatever the board says. */
    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "amoadd.w %[rd], %[rd], (%[a])", [a] "r"(base + 2));
    expect("misaligned amoadd.w", &o, CAUSE_STORE_MISALIGNED, o.pc, base + 2);
    check_eq("misaligned amoadd.w: destination unchanged", o.rd, UNTOUCHED);

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "lr.d %[rd], (%[a])", [a] "r"(base + 4));
    expect("misaligned lr.d", &o, CAUSE_LOAD_MISALIGNED, o.pc, base + 4);
    check_eq("misaligned lr.d: destination unchanged", o.rd, UNTOUCHED);
}

/*
 * Jumps: the handler resumes at ra, which points past the jump.  An
 * instruction access fault is reported at the target.  With C a 2-byte
 * aligned target is fine (IALIGN=16): no instruction-address-misaligned
 * exception, and a 32-bit instruction may sit there.
 */
static void test_fetch_faults(void)
{
    uint64_t jump_pc, resumed = 0;
    uintptr_t target;

    begin();
    resume_at_ra = true;
    __asm__ volatile("la ra, 2f\n"
                     "jr %[t]\n"
                     "2: li %[resumed], 1\n"
                     : [resumed] "+&r"(resumed)
                     : [t] "r"(UNMAPPED)
                     : "ra", "memory");
    check_group("instruction access fault at 0x20000000");
    check_count("one trap", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_INSN_ACCESS_FAULT);
    check_eq("mepc", trap_mepc, UNMAPPED);
    check_eq("mtval", trap_mtval, UNMAPPED);
    check_count("resumed at the return address", resumed, 1);
    check_group(NULL);

    begin();
    resumed = 0;
    __asm__ volatile(
        "la %[target], 3f\n"
        "la %[pc], 1f\n"
        "1: jr %[target]\n"
        ".2byte 0x0001\n" /* c.nop, jumped over */
        "3: li %[resumed], 1\n"
        ".2byte 0x0001\n" /* c.nop: 4-byte aligned again */
        : [resumed] "+&r"(resumed), [pc] "=&r"(jump_pc), [target] "=&r"(target)
        :
        : "memory");
    check_group("jump to a 2-byte aligned target");
    check_count("no trap", traps, 0);
    check_eq("target is 2 bytes past a word", target & 3, 2);
    check_eq("target follows the jump", target, jump_pc + 6);
    check_count("ran the instruction there", resumed, 1);
    check_group(NULL);
}

static void test_mstatus(void)
{
    struct outcome o = {0, UNTOUCHED, 0};
    uint64_t after;

    /* MIE on with no interrupt enabled in mie: nothing can be taken. */
    csr_write(mie, 0);
    irq_global_enable();
    begin();
    RUN_FAULT(o, "ecall", "i"(0));
    after = csr_read(mstatus);
    irq_global_disable();
    check_group("trap entry and mret");
    check_eq("mstatus.MPP is machine mode",
             (trap_mstatus & MSTATUS_MPP_MASK) >> MSTATUS_MPP_SHIFT, 3);
    check_eq("mstatus.MIE cleared in the handler", trap_mstatus & MSTATUS_MIE,
             0);
    check_eq("mstatus.MPIE holds the old MIE", trap_mstatus & MSTATUS_MPIE,
             MSTATUS_MPIE);
    check_eq("mret restores MIE from MPIE", after & MSTATUS_MIE, MSTATUS_MIE);
    check_group(NULL);
}

int main(void)
{
    uart_init(true);
    print("traps test\n");
    trap_set_exception_handler(on_exception);
    test_illegal();
    test_ebreak_ecall();
    test_access_faults();
    test_misaligned();
    test_fetch_faults();
    test_mstatus();
    trap_set_exception_handler(NULL);
    return check_summary("traps");
}

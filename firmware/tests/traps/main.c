/*
 * Synchronous trap self-test: illegal instructions, breakpoint, ecall,
 * load/store access faults at unmapped addresses, misaligned loads, stores
 * and AMOs, instruction access faults and misaligned jump targets.  Each
 * case checks mcause, mepc and mtval as the handler saw them, that the
 * faulting instruction had no effect, and that execution resumed after it.
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
        frame->mepc += 4; /* no compressed instructions: always 4 bytes */
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

    /* Without the C extension a word with low bits 00 is illegal, not a
     * compressed instruction. */
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

static void test_misaligned(void)
{
    static uint64_t buf[2] = {0x0706050403020100ul, 0x0f0e0d0c0b0a0908ul};
    uintptr_t base = (uintptr_t)buf;
    struct outcome o = {0, UNTOUCHED, 0};

    begin();
    RUN_FAULT(o, "lw %[rd], 1(%[a])", [a] "r"(base));
    expect("misaligned lw", &o, CAUSE_LOAD_MISALIGNED, o.pc, base + 1);
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

    o = (struct outcome){0, UNTOUCHED, 0};
    begin();
    RUN_FAULT(o, "amoadd.w %[rd], %[rd], (%[a])", [a] "r"(base + 2));
    expect("misaligned amoadd.w", &o, CAUSE_STORE_MISALIGNED, o.pc, base + 2);
    check_eq("misaligned amoadd.w: destination unchanged", o.rd, UNTOUCHED);

    check_eq("misaligned stores left memory unchanged", buf[0] ^ buf[1],
             0x0808080808080808ul);
}

/*
 * Jumps: the handler resumes at ra, which points past the jump.  An
 * instruction access fault is reported at the target; a misaligned target
 * is reported on the jump itself (privileged spec 3.1.15).
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
    resume_at_ra = true;
    __asm__ volatile(
        "la ra, 2f\n"
        "la %[target], 3f + 2\n"
        "la %[pc], 1f\n"
        "1: jr %[target]\n"
        "3: nop\n"
        "nop\n"
        "2: li %[resumed], 1\n"
        : [resumed] "+&r"(resumed), [pc] "=&r"(jump_pc), [target] "=&r"(target)
        :
        : "ra", "memory");
    check_group("misaligned jump target");
    check_count("one trap", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_INSN_MISALIGNED);
    check_eq("mepc is the jump", trap_mepc, jump_pc);
    check_eq("mtval is the target", trap_mtval, target);
    check_count("resumed at the return address", resumed, 1);
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

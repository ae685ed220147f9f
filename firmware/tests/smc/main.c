/*
 * Self-modifying code: the program writes instructions into a buffer of
 * two RAM pages, runs them, rewrites them and runs them again, checking
 * that what runs is always what was last stored.  rivet's interpreter
 * caches decoded instructions (docs/cpu.md), so each check first runs the
 * code it then changes.  Cases: a rewrite followed by fence.i, one
 * without (rivet honours every store at once), a store to the very next
 * instruction, a misaligned store across the page boundary that rewrites
 * an instruction on each page, a 32-bit instruction straddling the
 * boundary whose second half alone is rewritten, and compressed code.
 */
#include <stdint.h>

#include "check.h"
#include "uart.h"

#define PAGE 4096
#define RA 1
#define A0 10
#define A1 11

/* Two pages of code, written at run time.  The .bss of the M-mode image is
 * executable (no PMP). */
static volatile uint16_t code[2 * PAGE / 2] __attribute__((aligned(PAGE)));

static uint32_t addi(unsigned rd, unsigned rs1, int32_t imm)
{
    return (uint32_t)imm << 20 | rs1 << 15 | rd << 7 | 0x13;
}

static uint32_t sw(unsigned rs2, unsigned rs1, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 2 << 12 |
           (u & 0x1f) << 7 | 0x23;
}

#define RET 0x00008067u /* jalr zero, 0(ra) */
#define NOP 0x00000013u /* addi zero, zero, 0 */
#define C_JR_RA 0x8082u /* c.jr ra */
#define C_LI_A0(imm) ((uint16_t)(0x4501 | (imm) << 2))
#define C_ADDI_A0(imm) ((uint16_t)(0x0501 | (imm) << 2))

/* The halfword index of byte offset `at` in the buffer. */
static void put16(unsigned at, uint16_t parcel)
{
    code[at / 2] = parcel;
}

static void put32(unsigned at, uint32_t insn)
{
    put16(at, (uint16_t)insn);
    put16(at + 2, (uint16_t)(insn >> 16));
}

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

/* Call the code at byte offset `at` with a0, a1; returns a0. */
static uint64_t run(unsigned at, uint64_t a0, uint64_t a1)
{
    uint64_t (*fn)(uint64_t, uint64_t) =
        (uint64_t(*)(uint64_t, uint64_t))(uintptr_t)&code[at / 2];
    __asm__ volatile("" ::: "memory");
    return fn(a0, a1);
}

int main(void)
{
    uart_init(true);
    check_group("rewrite");
    put32(0, addi(A0, 0, 1));
    put32(4, RET);
    fence_i();
    check_eq("fresh code", run(0, 0, 0), 1);
    put32(0, addi(A0, 0, 2));
    fence_i();
    check_eq("rewritten, then fence.i", run(0, 0, 0), 2);
    put32(0, addi(A0, 0, 3));
    check_eq("rewritten, no fence.i", run(0, 0, 0), 3);

    /* sw a1, 8(a0); nop; addi a0, zero, 1; ret: the store replaces the
     * addi two instructions ahead, which the first call ran. */
    check_group("next instruction");
    put32(16, sw(A1, A0, 8));
    put32(20, NOP);
    put32(24, addi(A0, 0, 1));
    put32(28, RET);
    fence_i();
    uint64_t at24 = (uint64_t)(uintptr_t)&code[16 / 2];
    check_eq("stores what is there", run(16, at24, addi(A0, 0, 1)), 1);
    check_eq("stores a new instruction", run(16, at24, addi(A0, 0, 42)), 42);

    /* addi a0, zero, 10 | addi a0, a0, 5; ret across the boundary; then
     * one misaligned doubleword store rewrites both addi. */
    check_group("page boundary");
    put32(PAGE - 4, addi(A0, 0, 10));
    put32(PAGE, addi(A0, A0, 5));
    put32(PAGE + 4, RET);
    fence_i();
    check_eq("code across the boundary", run(PAGE - 4, 0, 0), 15);
    uint64_t both = (uint64_t)addi(A0, A0, 7) << 32 | addi(A0, 0, 20);
    __asm__ volatile("sd %0, 0(%1)"
                     :
                     : "r"(both), "r"(&code[(PAGE - 4) / 2])
                     : "memory");
    check_eq("one store across it rewrote both", run(PAGE - 4, 0, 0), 27);

    /* c.li a0, 1 | addi a0, a0, 2 (straddling) | c.jr ra; then only the
     * halfword on the second page changes (the immediate's high bits). */
    check_group("straddling instruction");
    uint32_t add2 = addi(A0, A0, 2), add100 = addi(A0, A0, 100);
    put16(PAGE - 4, C_LI_A0(1));
    put32(PAGE - 2, add2);
    put16(PAGE + 2, C_JR_RA);
    fence_i();
    check_eq("32-bit instruction across pages", run(PAGE - 4, 0, 0), 3);
    put16(PAGE, (uint16_t)(add100 >> 16));
    check_eq("its second half rewritten", run(PAGE - 4, 0, 0), 101);

    check_group("compressed");
    put16(64, C_LI_A0(5));
    put16(66, C_ADDI_A0(1));
    put16(68, C_JR_RA);
    fence_i();
    check_eq("c.li, c.addi", run(64, 0, 0), 6);
    put16(66, C_ADDI_A0(9));
    check_eq("c.addi rewritten", run(64, 0, 0), 14);
    return check_summary("smc");
}

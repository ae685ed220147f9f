/*
 * Unit tests of the disassembler behind `-d in_asm`: one encoding of every
 * instruction group, checked against the standard assembler syntax.
 */
#include "cpu/riscv.h"
#include "unit-test.h"

static const char *disas(uint32_t insn, uint64_t pc)
{
    static char text[80];
    riscv_disas(insn, pc, text, sizeof(text));
    return text;
}

UNIT_TEST(integer_register_and_immediate)
{
    CHECK_STREQ(disas(0x00500513, 0), "addi a0, zero, 5");
    CHECK_STREQ(disas(0xfff28293, 0), "addi t0, t0, -1");
    CHECK_STREQ(disas(0x00b50533, 0), "add a0, a0, a1");
    CHECK_STREQ(disas(0x40b50533, 0), "sub a0, a0, a1");
    CHECK_STREQ(disas(0x03f51513, 0), "slli a0, a0, 63");
    CHECK_STREQ(disas(0x43f55513, 0), "srai a0, a0, 63");
    CHECK_STREQ(disas(0x0015d593, 0), "srli a1, a1, 1");
    CHECK_STREQ(disas(0x0015b613, 0), "sltiu a2, a1, 1");
    CHECK_STREQ(disas(0x800007b7, 0), "lui a5, 0x80000");
    CHECK_STREQ(disas(0x00001117, 0), "auipc sp, 0x1");
}

UNIT_TEST(word_and_muldiv)
{
    CHECK_STREQ(disas(0x0015051b, 0), "addiw a0, a0, 1");
    CHECK_STREQ(disas(0x01f5151b, 0), "slliw a0, a0, 31");
    CHECK_STREQ(disas(0x4045551b, 0), "sraiw a0, a0, 4");
    CHECK_STREQ(disas(0x40b5053b, 0), "subw a0, a0, a1");
    CHECK_STREQ(disas(0x02b50533, 0), "mul a0, a0, a1");
    CHECK_STREQ(disas(0x02b52533, 0), "mulhsu a0, a0, a1");
    CHECK_STREQ(disas(0x02b5453b, 0), "divw a0, a0, a1");
    CHECK_STREQ(disas(0x02b5773b, 0), "remuw a4, a0, a1");
}

UNIT_TEST(memory_and_control_flow)
{
    CHECK_STREQ(disas(0x00813083, 0), "ld ra, 8(sp)");
    CHECK_STREQ(disas(0xffc14503, 0), "lbu a0, -4(sp)");
    CHECK_STREQ(disas(0x00113423, 0), "sd ra, 8(sp)");
    CHECK_STREQ(disas(0xfe112e23, 0), "sw ra, -4(sp)");
    CHECK_STREQ(disas(0x00b50463, 0x80000000), "beq a0, a1, 0x80000008");
    CHECK_STREQ(disas(0xfe071ae3, 0x80000010), "bne a4, zero, 0x80000004");
    CHECK_STREQ(disas(0x008000ef, 0x80000000), "jal ra, 0x80000008");
    CHECK_STREQ(disas(0x000080e7, 0), "jalr ra, 0(ra)");
    CHECK_STREQ(disas(0x0ff0000f, 0), "fence iorw, iorw");
    CHECK_STREQ(disas(0x0000100f, 0), "fence.i");
}

UNIT_TEST(atomics)
{
    CHECK_STREQ(disas(0x1005352f, 0), "lr.d a0, (a0)");
    CHECK_STREQ(disas(0x18b5362f, 0), "sc.d a2, a1, (a0)");
    CHECK_STREQ(disas(0x06b5262f, 0), "amoadd.w.aqrl a2, a1, (a0)");
    CHECK_STREQ(disas(0x08b5362f, 0), "amoswap.d a2, a1, (a0)");
    CHECK_STREQ(disas(0xe0b5362f, 0), "amomaxu.d a2, a1, (a0)");
}

UNIT_TEST(system_and_csr)
{
    CHECK_STREQ(disas(0x00000073, 0), "ecall");
    CHECK_STREQ(disas(0x00100073, 0), "ebreak");
    CHECK_STREQ(disas(0x30200073, 0), "mret");
    CHECK_STREQ(disas(0x10500073, 0), "wfi");
    CHECK_STREQ(disas(0x30529073, 0), "csrrw zero, mtvec, t0");
    CHECK_STREQ(disas(0xf1402573, 0), "csrrs a0, mhartid, zero");
    CHECK_STREQ(disas(0x30046073, 0), "csrrsi zero, mstatus, 8");
    CHECK_STREQ(disas(0x7c002573, 0), "csrrs a0, 0x7c0, zero");
}

/* RV64C: every instruction of the integer subset, as binutils 2.40
 * assembles it (the encodings are riscv64-linux-gnu-as output). */
UNIT_TEST(compressed_instructions)
{
    static const struct {
        uint16_t insn;
        uint64_t pc;
        const char *text;
    } cases[] = {
        {0x5575, 0, "c.li a0, -3"},
        {0x0515, 0, "c.addi a0, 5"},
        {0x357d, 0, "c.addiw a0, -1"},
        {0x75fd, 0, "c.lui a1, 0xfffff"},
        {0x6585, 0, "c.lui a1, 0x1"},
        {0x7139, 0, "c.addi16sp sp, -64"},
        {0x1fe0, 0, "c.addi4spn s0, sp, 1020"},
        {0x167e, 0, "c.slli a2, 63"},
        {0x8085, 0, "c.srli s1, 1"},
        {0x94fd, 0, "c.srai s1, 63"},
        {0x98c1, 0, "c.andi s1, -16"},
        {0x86aa, 0, "c.mv a3, a0"},
        {0x96aa, 0, "c.add a3, a0"},
        {0x8c05, 0, "c.sub s0, s1"},
        {0x8c25, 0, "c.xor s0, s1"},
        {0x8c45, 0, "c.or s0, s1"},
        {0x8c65, 0, "c.and s0, s1"},
        {0x9c05, 0, "c.subw s0, s1"},
        {0x9c25, 0, "c.addw s0, s1"},
        {0x40c8, 0, "c.lw a0, 4(s1)"},
        {0x7cec, 0, "c.ld a1, 248(s1)"},
        {0xdce8, 0, "c.sw a0, 124(s1)"},
        {0xe48c, 0, "c.sd a1, 8(s1)"},
        {0x567e, 0, "c.lwsp a2, 252(sp)"},
        {0x76fe, 0, "c.ldsp a3, 504(sp)"},
        {0xc032, 0, "c.swsp a2, 0(sp)"},
        {0xe836, 0, "c.sdsp a3, 16(sp)"},
        {0xa029, 0x80000034, "c.j 0x8000003e"},
        {0xdff5, 0x80000036, "c.beqz a5, 0x80000032"},
        {0xeffd, 0x80000038, "c.bnez a5, 0x80000136"},
        {0x8582, 0, "c.jr a1"},
        {0x9582, 0, "c.jalr a1"},
        {0x9002, 0, "c.ebreak"},
        {0x0001, 0, "c.nop"},
        /* HINTs print as what they encode. */
        {0x4015, 0, "c.li zero, 5"},
        {0x802a, 0, "c.mv zero, a0"},
        {0x902a, 0, "c.add zero, a0"},
        {0x0006, 0, "c.slli zero, 1"},
        {0x8381, 0, "c.srli a5, 0"},
        {0x0782, 0, "c.slli a5, 0"},
        {0x0501, 0, "c.addi a0, 0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STREQ(disas(cases[i].insn, cases[i].pc), cases[i].text);
        /* The upper half of a fetched word is the next instruction's. */
        CHECK_STREQ(disas(0xffff0000u | cases[i].insn, cases[i].pc),
                    cases[i].text);
    }
}

UNIT_TEST(compressed_reserved_and_float_encodings)
{
    static const uint16_t unknown[] = {
        0x0000, /* all zeros: defined illegal */
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
        0x9c41, /* quadrant 1 ALU, bit 12 set, funct2 10 */
        0x9c61, /* quadrant 1 ALU, bit 12 set, funct2 11 */
        0x4002, /* c.lwsp x0 */
        0x6002, /* c.ldsp x0 */
        0x8002, /* c.jr x0 */
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        CHECK_STREQ(disas(unknown[i], 0), "unknown");
    }
}

UNIT_TEST(unknown_encodings)
{
    CHECK_STREQ(disas(0x00000000, 0), "unknown");
    CHECK_STREQ(disas(0xffffffff, 0), "unknown");
    CHECK_STREQ(disas(0x10200073, 0), "unknown"); /* sret */
    CHECK_STREQ(disas(0x0000700b, 0), "unknown");
    /* A short buffer is truncated, never overrun. */
    char small[5];
    riscv_disas(0x00500513, 0, small, sizeof(small));
    CHECK_STREQ(small, "addi");
}

int main(void)
{
    return unit_run_all();
}

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

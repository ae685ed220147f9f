/*
 * A disassembler for every instruction the interpreter implements, RV64C
 * included, for `-d in_asm` and test failure messages.  Output uses the
 * standard mnemonics (no pseudo-instructions, so each line maps to one
 * encoding), ABI register names and absolute branch/jump targets.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cpu-internal.h"

typedef struct CsrName {
    unsigned csrno;
    const char *name;
} CsrName;

static const CsrName csr_names[] = {
    {0x300, "mstatus"},  {0x301, "misa"},       {0x304, "mie"},
    {0x305, "mtvec"},    {0x306, "mcounteren"}, {0x320, "mcountinhibit"},
    {0x340, "mscratch"}, {0x341, "mepc"},       {0x342, "mcause"},
    {0x343, "mtval"},    {0x344, "mip"},        {0xb00, "mcycle"},
    {0xb02, "minstret"}, {0xc00, "cycle"},      {0xc01, "time"},
    {0xc02, "instret"},  {0xf11, "mvendorid"},  {0xf12, "marchid"},
    {0xf13, "mimpid"},   {0xf14, "mhartid"},    {0xf15, "mconfigptr"},
};

static void csr_name(unsigned csrno, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof(csr_names) / sizeof(csr_names[0]); i++) {
        if (csr_names[i].csrno == csrno) {
            snprintf(buf, len, "%s", csr_names[i].name);
            return;
        }
    }
    snprintf(buf, len, "0x%03x", csrno);
}

static const char *fence_set(unsigned bits, char *buf)
{
    char *p = buf;
    if (bits & 8) {
        *p++ = 'i';
    }
    if (bits & 4) {
        *p++ = 'o';
    }
    if (bits & 2) {
        *p++ = 'r';
    }
    if (bits & 1) {
        *p++ = 'w';
    }
    if (p == buf) {
        *p++ = '0';
    }
    *p = '\0';
    return buf;
}

static const char *amo_name(unsigned funct5)
{
    switch (funct5) {
    case 0x00:
        return "amoadd";
    case 0x01:
        return "amoswap";
    case 0x02:
        return "lr";
    case 0x03:
        return "sc";
    case 0x04:
        return "amoxor";
    case 0x08:
        return "amoor";
    case 0x0c:
        return "amoand";
    case 0x10:
        return "amomin";
    case 0x14:
        return "amomax";
    case 0x18:
        return "amominu";
    case 0x1c:
        return "amomaxu";
    default:
        return NULL;
    }
}

static int32_t disas_imm_s(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 25) * 32) | (int32_t)((insn >> 7) & 31);
}

static int32_t disas_imm_b(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 31) * 4096) |
           (int32_t)(((insn >> 7) & 1) << 11) |
           (int32_t)(((insn >> 25) & 0x3f) << 5) |
           (int32_t)(((insn >> 8) & 0xf) << 1);
}

static int32_t disas_imm_j(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 31) * (1 << 20)) |
           (int32_t)(insn & 0xff000) | (int32_t)(((insn >> 20) & 1) << 11) |
           (int32_t)(((insn >> 21) & 0x3ff) << 1);
}

/*
 * RV64C, printed as the compressed mnemonics with the operands of the
 * assembler's syntax (c.addi sp, -16; c.lw a0, 4(a1); c.j 0x80000010).
 * HINTs print as the instruction they are encoded as; reserved encodings
 * and the F/D forms read "unknown".  Returns false for those.
 */
static bool riscv_disas_compressed(uint32_t insn, uint64_t pc, char *buf,
                                   size_t len)
{
    const char *rd = riscv_reg_name(rvc_rd(insn));
    const char *rs2 = riscv_reg_name(rvc_rs2(insn));
    const char *rs1p = riscv_reg_name(rvc_rs1p(insn));
    const char *rs2p = riscv_reg_name(rvc_rs2p(insn));
    bool bit12 = insn & 0x1000;

    switch (rvc_op(insn)) {
    case 0x00:
        if (rvc_imm_addi4spn(insn) == 0) {
            return false;
        }
        snprintf(buf, len, "c.addi4spn %s, sp, %u", rs2p,
                 rvc_imm_addi4spn(insn));
        return true;
    case 0x02:
    case 0x03:
    case 0x06:
    case 0x07: {
        static const char *const names[8] = {
            [2] = "c.lw", [3] = "c.ld", [6] = "c.sw", [7] = "c.sd"};
        unsigned f3 = rvc_op(insn) & 7;
        snprintf(buf, len, "%s %s, %u(%s)", names[f3], rs2p,
                 (f3 & 1) ? rvc_imm_ld(insn) : rvc_imm_lw(insn), rs1p);
        return true;
    }
    case 0x08:
        if (insn == 0x0001) {
            snprintf(buf, len, "c.nop");
        } else {
            snprintf(buf, len, "c.addi %s, %d", rd, rvc_imm_ci(insn));
        }
        return true;
    case 0x09:
        if (rvc_rd(insn) == 0) {
            return false;
        }
        snprintf(buf, len, "c.addiw %s, %d", rd, rvc_imm_ci(insn));
        return true;
    case 0x0a:
        snprintf(buf, len, "c.li %s, %d", rd, rvc_imm_ci(insn));
        return true;
    case 0x0b:
        if (rvc_shamt(insn) == 0) {
            return false;
        }
        if (rvc_rd(insn) == 2) {
            snprintf(buf, len, "c.addi16sp sp, %d", rvc_imm_addi16sp(insn));
        } else {
            snprintf(buf, len, "c.lui %s, 0x%x", rd,
                     (uint32_t)rvc_imm_ci(insn) & 0xfffff);
        }
        return true;
    case 0x0c: {
        static const char *const shifts_andi[3] = {"c.srli", "c.srai",
                                                   "c.andi"};
        static const char *const alu[8] = {"c.sub",  "c.xor",  "c.or", "c.and",
                                           "c.subw", "c.addw", NULL,   NULL};
        unsigned group = (insn >> 10) & 3;
        if (group == 2) {
            snprintf(buf, len, "c.andi %s, %d", rs1p, rvc_imm_ci(insn));
            return true;
        }
        if (group < 2) {
            snprintf(buf, len, "%s %s, %u", shifts_andi[group], rs1p,
                     rvc_shamt(insn));
            return true;
        }
        const char *op = alu[(bit12 ? 4 : 0) | ((insn >> 5) & 3)];
        if (!op) {
            return false;
        }
        snprintf(buf, len, "%s %s, %s", op, rs1p, rs2p);
        return true;
    }
    case 0x0d:
        snprintf(buf, len, "c.j 0x%" PRIx64,
                 pc + (uint64_t)(int64_t)rvc_imm_j(insn));
        return true;
    case 0x0e:
    case 0x0f:
        snprintf(buf, len, "%s %s, 0x%" PRIx64,
                 rvc_op(insn) == 0x0e ? "c.beqz" : "c.bnez", rs1p,
                 pc + (uint64_t)(int64_t)rvc_imm_b(insn));
        return true;
    case 0x10:
        snprintf(buf, len, "c.slli %s, %u", rd, rvc_shamt(insn));
        return true;
    case 0x12:
    case 0x13:
        if (rvc_rd(insn) == 0) {
            return false;
        }
        if (rvc_op(insn) == 0x12) {
            snprintf(buf, len, "c.lwsp %s, %u(sp)", rd, rvc_imm_lwsp(insn));
        } else {
            snprintf(buf, len, "c.ldsp %s, %u(sp)", rd, rvc_imm_ldsp(insn));
        }
        return true;
    case 0x14:
        if (rvc_rs2(insn) != 0) {
            snprintf(buf, len, "%s %s, %s", bit12 ? "c.add" : "c.mv", rd, rs2);
        } else if (rvc_rd(insn) != 0) {
            snprintf(buf, len, "%s %s", bit12 ? "c.jalr" : "c.jr", rd);
        } else if (bit12) {
            snprintf(buf, len, "c.ebreak");
        } else {
            return false;
        }
        return true;
    case 0x16:
        snprintf(buf, len, "c.swsp %s, %u(sp)", rs2, rvc_imm_swsp(insn));
        return true;
    case 0x17:
        snprintf(buf, len, "c.sdsp %s, %u(sp)", rs2, rvc_imm_sdsp(insn));
        return true;
    default:
        return false;
    }
}

void riscv_disas(uint32_t insn, uint64_t pc, char *buf, int buflen)
{
    size_t len = buflen > 0 ? (size_t)buflen : 0;
    const char *rd = riscv_reg_name((insn >> 7) & 31);
    const char *rs1 = riscv_reg_name((insn >> 15) & 31);
    const char *rs2 = riscv_reg_name((insn >> 20) & 31);
    unsigned funct3 = (insn >> 12) & 7;
    unsigned funct7 = insn >> 25;
    int32_t imm = (int32_t)insn >> 20;
    const char *op = NULL;

    if (len == 0) {
        return;
    }
    if (rvc_is_compressed(insn)) {
        if (!riscv_disas_compressed(insn & 0xffff, pc, buf, len)) {
            snprintf(buf, len, "unknown");
        }
        return;
    }
    switch (insn & 0x7f) {
    case 0x37:
        snprintf(buf, len, "lui %s, 0x%x", rd, insn >> 12);
        return;
    case 0x17:
        snprintf(buf, len, "auipc %s, 0x%x", rd, insn >> 12);
        return;
    case 0x6f:
        snprintf(buf, len, "jal %s, 0x%" PRIx64, rd,
                 pc + (uint64_t)(int64_t)disas_imm_j(insn));
        return;
    case 0x67:
        if (funct3 == 0) {
            snprintf(buf, len, "jalr %s, %d(%s)", rd, imm, rs1);
            return;
        }
        break;
    case 0x63: {
        static const char *const names[8] = {"beq", "bne", NULL,   NULL,
                                             "blt", "bge", "bltu", "bgeu"};
        op = names[funct3];
        if (op) {
            snprintf(buf, len, "%s %s, %s, 0x%" PRIx64, op, rs1, rs2,
                     pc + (uint64_t)(int64_t)disas_imm_b(insn));
            return;
        }
        break;
    }
    case 0x03: {
        static const char *const names[8] = {"lb",  "lh",  "lw",  "ld",
                                             "lbu", "lhu", "lwu", NULL};
        op = names[funct3];
        if (op) {
            snprintf(buf, len, "%s %s, %d(%s)", op, rd, imm, rs1);
            return;
        }
        break;
    }
    case 0x23: {
        static const char *const names[8] = {"sb", "sh", "sw", "sd"};
        op = names[funct3];
        if (op) {
            snprintf(buf, len, "%s %s, %d(%s)", op, rs2, disas_imm_s(insn),
                     rs1);
            return;
        }
        break;
    }
    case 0x13: {
        static const char *const names[8] = {"addi", NULL, "slti", "sltiu",
                                             "xori", NULL, "ori",  "andi"};
        unsigned shamt = (insn >> 20) & 0x3f;
        if (funct3 == 1 && (insn >> 26) == 0) {
            snprintf(buf, len, "slli %s, %s, %u", rd, rs1, shamt);
            return;
        }
        if (funct3 == 5 && ((insn >> 26) == 0 || (insn >> 26) == 0x10)) {
            snprintf(buf, len, "%s %s, %s, %u", (insn >> 26) ? "srai" : "srli",
                     rd, rs1, shamt);
            return;
        }
        op = names[funct3];
        if (op) {
            snprintf(buf, len, "%s %s, %s, %d", op, rd, rs1, imm);
            return;
        }
        break;
    }
    case 0x1b: {
        unsigned shamt = (insn >> 20) & 0x1f;
        if (funct3 == 0) {
            snprintf(buf, len, "addiw %s, %s, %d", rd, rs1, imm);
            return;
        }
        if (funct3 == 1 && funct7 == 0) {
            op = "slliw";
        } else if (funct3 == 5 && funct7 == 0) {
            op = "srliw";
        } else if (funct3 == 5 && funct7 == 0x20) {
            op = "sraiw";
        }
        if (op) {
            snprintf(buf, len, "%s %s, %s, %u", op, rd, rs1, shamt);
            return;
        }
        break;
    }
    case 0x33: {
        static const char *const base[8] = {"add", "sll", "slt", "sltu",
                                            "xor", "srl", "or",  "and"};
        static const char *const muldiv[8] = {"mul", "mulh", "mulhsu", "mulhu",
                                              "div", "divu", "rem",    "remu"};
        if (funct7 == 0) {
            op = base[funct3];
        } else if (funct7 == 1) {
            op = muldiv[funct3];
        } else if (funct7 == 0x20 && funct3 == 0) {
            op = "sub";
        } else if (funct7 == 0x20 && funct3 == 5) {
            op = "sra";
        }
        if (op) {
            snprintf(buf, len, "%s %s, %s, %s", op, rd, rs1, rs2);
            return;
        }
        break;
    }
    case 0x3b: {
        static const char *const base[8] = {"addw", "sllw", NULL, NULL,
                                            NULL,   "srlw", NULL, NULL};
        static const char *const muldiv[8] = {"mulw", NULL,    NULL,   NULL,
                                              "divw", "divuw", "remw", "remuw"};
        if (funct7 == 0) {
            op = base[funct3];
        } else if (funct7 == 1) {
            op = muldiv[funct3];
        } else if (funct7 == 0x20 && funct3 == 0) {
            op = "subw";
        } else if (funct7 == 0x20 && funct3 == 5) {
            op = "sraw";
        }
        if (op) {
            snprintf(buf, len, "%s %s, %s, %s", op, rd, rs1, rs2);
            return;
        }
        break;
    }
    case 0x2f: {
        const char *name = amo_name(insn >> 27);
        static const char *const order[4] = {"", ".rl", ".aq", ".aqrl"};
        if (!name || (funct3 != 2 && funct3 != 3)) {
            break;
        }
        char width = funct3 == 2 ? 'w' : 'd';
        const char *ord = order[(insn >> 25) & 3];
        if ((insn >> 27) == 0x02) {
            if (((insn >> 20) & 31) != 0) {
                break;
            }
            snprintf(buf, len, "lr.%c%s %s, (%s)", width, ord, rd, rs1);
        } else {
            snprintf(buf, len, "%s.%c%s %s, %s, (%s)", name, width, ord, rd,
                     rs2, rs1);
        }
        return;
    }
    case 0x0f:
        if (funct3 == 1) {
            snprintf(buf, len, "fence.i");
            return;
        }
        if (funct3 == 0) {
            char pred[5], succ[5];
            if (((insn >> 28) & 0xf) == 8) {
                snprintf(buf, len, "fence.tso");
                return;
            }
            snprintf(buf, len, "fence %s, %s",
                     fence_set((insn >> 24) & 0xf, pred),
                     fence_set((insn >> 20) & 0xf, succ));
            return;
        }
        break;
    case 0x73: {
        static const char *const names[8] = {NULL,     "csrrw", "csrrs",
                                             "csrrc",  NULL,    "csrrwi",
                                             "csrrsi", "csrrci"};
        if (funct3 == 0) {
            switch (insn) {
            case 0x00000073u:
                op = "ecall";
                break;
            case 0x00100073u:
                op = "ebreak";
                break;
            case 0x30200073u:
                op = "mret";
                break;
            case 0x10500073u:
                op = "wfi";
                break;
            default:
                break;
            }
            if (op) {
                snprintf(buf, len, "%s", op);
                return;
            }
            break;
        }
        op = names[funct3];
        if (op) {
            char csr[16];
            csr_name(insn >> 20, csr, sizeof(csr));
            if (funct3 & 4) {
                snprintf(buf, len, "%s %s, %s, %u", op, rd, csr,
                         (insn >> 15) & 31);
            } else {
                snprintf(buf, len, "%s %s, %s, %s", op, rd, csr, rs1);
            }
            return;
        }
        break;
    }
    default:
        break;
    }
    snprintf(buf, len, "unknown");
}

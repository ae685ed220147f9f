/*
 * The control and status registers of an M-only RV64 hart and the Zicsr
 * instructions that access them.  Counters are derived from the retired
 * instruction count and the virtual clock rather than stored, so the
 * interpreter loop never has to touch them; mcountinhibit holds them.
 */
#include "cpu-internal.h"
#include "machine/virt-map.h"
#include "util/vclock.h"

/* mtime-compatible time: the virtual clock in VIRT_CLINT_TIMEBASE_HZ ticks,
 * split so that large times do not overflow the multiplication. */
static uint64_t riscv_csr_time(RiscvCPU *cpu)
{
    if (cpu->time_source) {
        return cpu->time_source(cpu->time_opaque);
    }
    uint64_t ns = (uint64_t)vclock_get_ns();
    const uint64_t ns_per_s = 1000000000ULL;
    return (ns / ns_per_s) * VIRT_CLINT_TIMEBASE_HZ +
           (ns % ns_per_s) * VIRT_CLINT_TIMEBASE_HZ / ns_per_s;
}

void riscv_cpu_set_time_source(RiscvCPU *cpu, RiscvTimeSource *fn, void *opaque)
{
    cpu->time_source = fn;
    cpu->time_opaque = opaque;
}

/*
 * The counters as the next instruction reads them: counting, the retired
 * count minus an offset; stopped by mcountinhibit, a held value.
 * cpu->insn_count counts the instructions before the executing one, which
 * a CSR instruction reads: the executing instruction has not retired.
 */
static uint64_t riscv_csr_mcycle(const RiscvCPU *cpu)
{
    if (cpu->csr.mcountinhibit & MCOUNTINHIBIT_CY) {
        return cpu->csr.mcycle_held;
    }
    return cpu->insn_count - cpu->csr.mcycle_offset;
}

static uint64_t riscv_csr_minstret(const RiscvCPU *cpu)
{
    if (cpu->csr.mcountinhibit & MCOUNTINHIBIT_IR) {
        return cpu->csr.minstret_held;
    }
    return cpu->insn_count - cpu->csr.minstret_offset;
}

/*
 * Write a counter: the value the instruction after the writing one reads
 * (Zicsr: "a value written to instret by one instruction will be the
 * value read by the following instruction": the write replaces the
 * writing instruction's own increment).  Both counters follow that rule:
 * a cycle here is an instruction.
 */
static void riscv_counter_write(RiscvCPU *cpu, bool inhibited, uint64_t *held,
                                uint64_t *offset, uint64_t value)
{
    if (inhibited) {
        *held = value;
    } else {
        *offset = cpu->insn_count + 1 - value;
    }
}

/*
 * mcountinhibit takes effect from the next instruction: the instruction
 * that stops a counter is still counted, the one that restarts it is not.
 * Stopping holds the value the next instruction would have read; restarting
 * continues from the held value.
 */
static void riscv_mcountinhibit_write(RiscvCPU *cpu, uint64_t value)
{
    RiscvCsrs *csr = &cpu->csr;
    uint64_t next_count = cpu->insn_count + 1;
    uint64_t started = csr->mcountinhibit & ~value;
    uint64_t stopped = value & ~csr->mcountinhibit;

    if (stopped & MCOUNTINHIBIT_CY) {
        csr->mcycle_held = next_count - csr->mcycle_offset;
    }
    if (stopped & MCOUNTINHIBIT_IR) {
        csr->minstret_held = next_count - csr->minstret_offset;
    }
    if (started & MCOUNTINHIBIT_CY) {
        csr->mcycle_offset = next_count - csr->mcycle_held;
    }
    if (started & MCOUNTINHIBIT_IR) {
        csr->minstret_offset = next_count - csr->minstret_held;
    }
    csr->mcountinhibit = value;
}

static bool riscv_csr_in(unsigned csrno, unsigned first, unsigned last)
{
    return csrno >= first && csrno <= last;
}

bool riscv_csr_read(RiscvCPU *cpu, unsigned csrno, uint64_t *value)
{
    RiscvCsrs *csr = &cpu->csr;

    switch (csrno) {
    case CSR_MSTATUS:
        *value = (csr->mstatus & MSTATUS_WRITABLE) | MSTATUS_MPP_M;
        return true;
    case CSR_MISA:
        *value = csr->misa;
        return true;
    case CSR_MIE:
        *value = csr->mie;
        return true;
    case CSR_MIP:
        *value = (cpu->irq_lines | csr->mip) & MIP_ALL;
        return true;
    case CSR_MTVEC:
        *value = csr->mtvec;
        return true;
    case CSR_MCOUNTEREN:
        *value = csr->mcounteren;
        return true;
    case CSR_MCOUNTINHIBIT:
        *value = csr->mcountinhibit;
        return true;
    case CSR_MSCRATCH:
        *value = csr->mscratch;
        return true;
    case CSR_MEPC:
        *value = csr->mepc;
        return true;
    case CSR_MCAUSE:
        *value = csr->mcause;
        return true;
    case CSR_MTVAL:
        *value = csr->mtval;
        return true;
    case CSR_MCYCLE:
    case CSR_CYCLE:
        *value = riscv_csr_mcycle(cpu);
        return true;
    case CSR_MINSTRET:
    case CSR_INSTRET:
        *value = riscv_csr_minstret(cpu);
        return true;
    case CSR_TIME:
        *value = riscv_csr_time(cpu);
        return true;
    case CSR_MHARTID:
        *value = cpu->hartid;
        return true;
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
    case CSR_MCONFIGPTR:
        *value = 0;
        return true;
    default:
        break;
    }
    /* The spec requires the hpm counters and event selectors to exist; ours
     * count nothing, which it allows. */
    if (riscv_csr_in(csrno, CSR_HPMCOUNTER3, CSR_HPMCOUNTER31) ||
        riscv_csr_in(csrno, CSR_MHPMCOUNTER3, CSR_MHPMCOUNTER31) ||
        riscv_csr_in(csrno, CSR_MHPMEVENT3, CSR_MHPMEVENT31)) {
        *value = 0;
        return true;
    }
    return false;
}

/* Write a CSR that exists and is writable (checked by the caller).
 * insn_count counts the instructions before the writing one. */
static void riscv_csr_write(RiscvCPU *cpu, unsigned csrno, uint64_t value)
{
    RiscvCsrs *csr = &cpu->csr;

    switch (csrno) {
    case CSR_MSTATUS:
        csr->mstatus = value & MSTATUS_WRITABLE;
        break;
    case CSR_MISA:
        /* WARL: the extension set is fixed (C included: IALIGN stays 16,
         * so the spec's rule for clearing C never applies). */
        break;
    case CSR_MIE:
        csr->mie = value & MIP_ALL;
        break;
    case CSR_MIP:
        /* MSIP, MTIP and MEIP are read-only in mip: the CLINT and the PLIC
         * drive them.  No bit is software-writable without S-mode. */
        break;
    case CSR_MTVEC:
        /* Modes 2 and 3 are reserved: fall back to direct mode. */
        if ((value & 3) > MTVEC_MODE_VECTORED) {
            value &= ~3ULL;
        }
        csr->mtvec = value;
        break;
    case CSR_MCOUNTEREN:
        csr->mcounteren = value & 0xffffffffULL;
        break;
    case CSR_MCOUNTINHIBIT:
        riscv_mcountinhibit_write(cpu, value & MCOUNTINHIBIT_WRITABLE);
        break;
    case CSR_MSCRATCH:
        csr->mscratch = value;
        break;
    case CSR_MEPC:
        /* IALIGN=16: bit 0 always reads zero. */
        csr->mepc = value & ~1ULL;
        break;
    case CSR_MCAUSE:
        csr->mcause = value;
        break;
    case CSR_MTVAL:
        csr->mtval = value;
        break;
    case CSR_MCYCLE:
        riscv_counter_write(cpu, csr->mcountinhibit & MCOUNTINHIBIT_CY,
                            &csr->mcycle_held, &csr->mcycle_offset, value);
        break;
    case CSR_MINSTRET:
        riscv_counter_write(cpu, csr->mcountinhibit & MCOUNTINHIBIT_IR,
                            &csr->minstret_held, &csr->minstret_offset, value);
        break;
    default:
        /* hpm counters/events: hardwired to zero. */
        break;
    }
}

bool riscv_csr_execute(RiscvCPU *cpu, uint32_t insn, bool *wrote)
{
    unsigned funct3 = (insn >> 12) & 7;
    unsigned rd = (insn >> 7) & 31;
    unsigned rs1 = (insn >> 15) & 31;
    unsigned csrno = insn >> 20;
    bool immediate = funct3 & 4;
    uint64_t operand = immediate ? rs1 : cpu->x[rs1];
    unsigned op = funct3 & 3;

    *wrote = false;
    if (op == 0) {
        return false;
    }
    /* Side-effect rules (Zicsr): CSRRW does not read when rd is x0;
     * CSRRS/CSRRC do not write when rs1 (or uimm) is 0.  The existence
     * check applies either way. */
    bool do_write = op == 1 || rs1 != 0;
    uint64_t old = 0;
    if (!riscv_csr_read(cpu, csrno, &old)) {
        return false;
    }
    if (do_write && (csrno >> 10) == 3) {
        return false; /* csr[11:10] == 3: read-only */
    }
    if (do_write) {
        uint64_t value;
        switch (op) {
        case 1:
            value = operand;
            break;
        case 2:
            value = old | operand;
            break;
        default:
            value = old & ~operand;
            break;
        }
        riscv_csr_write(cpu, csrno, value);
        *wrote = true;
    }
    if (op != 1 || rd != 0) {
        cpu->x[rd] = old;
        cpu->x[0] = 0;
    }
    return true;
}

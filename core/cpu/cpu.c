/*
 * The RISC-V hart as a device: its QOM type and properties, reset, the
 * interrupt input pins, trap and interrupt entry, mret and the register
 * dump.  The instruction loop itself lives in exec.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu-internal.h"
#include "probes/cpu.h"
#include "util/log.h"

static const Property riscv_cpu_props[] = {
    DEFINE_PROP_UINT64("reset-pc", RiscvCPU, reset_pc, 0x80000000ULL),
    DEFINE_PROP_UINT64("hartid", RiscvCPU, hartid, 0),
    DEFINE_PROP_BOOL("trap-misaligned", RiscvCPU, trap_misaligned, false),
    DEFINE_PROP_END_OF_LIST(),
};

static const char *const riscv_exception_names[] = {
    [RISCV_EXCP_INSN_MISALIGNED] = "instruction address misaligned",
    [RISCV_EXCP_INSN_ACCESS_FAULT] = "instruction access fault",
    [RISCV_EXCP_ILLEGAL_INSN] = "illegal instruction",
    [RISCV_EXCP_BREAKPOINT] = "breakpoint",
    [RISCV_EXCP_LOAD_MISALIGNED] = "load address misaligned",
    [RISCV_EXCP_LOAD_ACCESS_FAULT] = "load access fault",
    [RISCV_EXCP_STORE_MISALIGNED] = "store/AMO address misaligned",
    [RISCV_EXCP_STORE_ACCESS_FAULT] = "store/AMO access fault",
    [RISCV_EXCP_ECALL_U] = "environment call from U-mode",
    [RISCV_EXCP_ECALL_M] = "environment call from M-mode",
};

static const char *riscv_cause_name(uint64_t mcause)
{
    if (mcause & RISCV_MCAUSE_INTERRUPT) {
        switch (mcause & ~RISCV_MCAUSE_INTERRUPT) {
        case RISCV_IRQ_MSIP:
            return "machine software interrupt";
        case RISCV_IRQ_MTIP:
            return "machine timer interrupt";
        case RISCV_IRQ_MEIP:
            return "machine external interrupt";
        default:
            return "interrupt";
        }
    }
    size_t n = sizeof(riscv_exception_names) / sizeof(riscv_exception_names[0]);
    if (mcause < n && riscv_exception_names[mcause]) {
        return riscv_exception_names[mcause];
    }
    return "exception";
}

/* Common trap entry (privileged spec 3.1.6.1 and 3.3.1): stack the
 * interrupt enable and the privilege level, record the cause and jump to
 * mtvec in M-mode. */
static uint64_t riscv_cpu_enter_trap(RiscvCPU *cpu, uint64_t epc,
                                     uint64_t mcause, uint64_t tval)
{
    RiscvCsrs *csr = &cpu->csr;

    if (log_item_enabled(LOG_ITEM_INT)) {
        log_item(LOG_ITEM_INT,
                 "riscv: %s (mcause 0x%" PRIx64 ") epc 0x%016" PRIx64
                 " tval 0x%016" PRIx64,
                 riscv_cause_name(mcause), mcause, epc, tval);
    }
    csr->mepc = epc & ~1ULL; /* IALIGN=16: mepc[0] is always zero */
    csr->mcause = mcause;
    csr->mtval = tval;
    if (mcause & RISCV_MCAUSE_INTERRUPT) {
        probe_cpu_interrupt(mcause & ~RISCV_MCAUSE_INTERRUPT, csr->mepc);
    } else {
        probe_cpu_exception(mcause, csr->mepc, tval);
    }
    uint64_t mie = csr->mstatus & MSTATUS_MIE;
    csr->mstatus &= ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP);
    if (mie) {
        csr->mstatus |= MSTATUS_MPIE;
    }
    csr->mstatus |= (uint64_t)cpu->priv << MSTATUS_MPP_SHIFT;
    cpu->priv = RISCV_PRV_M;
    /* A trap breaks any LR/SC sequence in progress. */
    cpu->reservation_valid = false;
    riscv_cpu_update_mem_checks(cpu);

    uint64_t base = csr->mtvec & ~3ULL;
    if ((mcause & RISCV_MCAUSE_INTERRUPT) &&
        (csr->mtvec & 3) == MTVEC_MODE_VECTORED) {
        return base + 4 * (mcause & ~RISCV_MCAUSE_INTERRUPT);
    }
    return base;
}

uint64_t riscv_cpu_do_exception(RiscvCPU *cpu, uint64_t epc,
                                RiscvException cause, uint64_t tval)
{
    return riscv_cpu_enter_trap(cpu, epc, (uint64_t)cause, tval);
}

void riscv_cpu_raise_exception(RiscvCPU *cpu, RiscvException cause,
                               uint64_t tval)
{
    cpu->pc = riscv_cpu_do_exception(cpu, cpu->pc, cause, tval);
}

bool riscv_cpu_take_interrupt(RiscvCPU *cpu, uint64_t pc, uint64_t *new_pc)
{
    if (!(cpu->csr.mstatus & MSTATUS_MIE)) {
        return false;
    }
    uint64_t pending = riscv_cpu_enabled_pending(cpu);
    if (!pending) {
        return false;
    }
    /* Priority among machine interrupts: external, software, timer. */
    unsigned irq;
    if (pending & MIP_MEIP) {
        irq = RISCV_IRQ_MEIP;
    } else if (pending & MIP_MSIP) {
        irq = RISCV_IRQ_MSIP;
    } else {
        irq = RISCV_IRQ_MTIP;
    }
    *new_pc = riscv_cpu_enter_trap(cpu, pc, RISCV_MCAUSE_INTERRUPT | irq, 0);
    return true;
}

uint64_t riscv_cpu_do_mret(RiscvCPU *cpu)
{
    RiscvCsrs *csr = &cpu->csr;
    uint64_t mpie = csr->mstatus & MSTATUS_MPIE;
    unsigned mpp =
        (unsigned)((csr->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    /* MIE <- MPIE, MPIE <- 1, privilege <- MPP, MPP <- U (the least
     * privileged mode); returning below M clears MPRV (3.1.6.1). */
    csr->mstatus &= ~(MSTATUS_MIE | MSTATUS_MPP);
    if (mpie) {
        csr->mstatus |= MSTATUS_MIE;
    }
    csr->mstatus |= MSTATUS_MPIE;
    if (mpp != RISCV_PRV_M) {
        csr->mstatus &= ~MSTATUS_MPRV;
    }
    cpu->priv = (uint8_t)mpp;
    riscv_cpu_update_mem_checks(cpu);
    return csr->mepc;
}

void riscv_cpu_update_mem_checks(RiscvCPU *cpu)
{
    cpu->mem_checks = cpu->priv != RISCV_PRV_M ||
                      riscv_cpu_data_priv(cpu) != RISCV_PRV_M ||
                      riscv_pmp_binds_m(cpu) || riscv_triggers_armed(cpu);
    if (cpu->mem_checks) {
        cpu->fast_size = 0; /* no unchecked data window */
        cpu->fast_prev_size = 0;
    }
}

/* Split an access that crosses a boundary of its size (a misaligned one)
 * where the hardware would: each part is checked on its own, and a fault
 * reports the address of the part that failed (3.1.16, mtval). */
int riscv_check_access(RiscvCPU *cpu, uint64_t addr, unsigned size,
                       unsigned kinds, uint64_t *tval)
{
    /* Triggers fire before the access (and an execute trigger before the
     * instruction), ahead of any access fault: mtval is the address. */
    unsigned trigger_size = (kinds & RISCV_ACCESS_FETCH) ? 1 : size;
    if (riscv_trigger_fires(cpu, addr, trigger_size, kinds)) {
        *tval = addr;
        return RISCV_EXCP_BREAKPOINT;
    }
    unsigned priv =
        (kinds & RISCV_ACCESS_FETCH) ? cpu->priv : riscv_cpu_data_priv(cpu);
    uint64_t split = (addr | (size - 1)) + 1;
    uint64_t first = split - addr < size ? split - addr : size;
    uint64_t fault_addr = addr;
    bool ok = riscv_pmp_allows(cpu, addr, (unsigned)first, kinds, priv);
    if (ok && first < size) {
        fault_addr = split;
        ok =
            riscv_pmp_allows(cpu, split, (unsigned)(size - first), kinds, priv);
    }
    if (ok) {
        return -1;
    }
    *tval = fault_addr;
    if (kinds & RISCV_ACCESS_FETCH) {
        return RISCV_EXCP_INSN_ACCESS_FAULT;
    }
    return (kinds & RISCV_ACCESS_STORE) ? RISCV_EXCP_STORE_ACCESS_FAULT
                                        : RISCV_EXCP_LOAD_ACCESS_FAULT;
}

/* GPIO input n drives mip bit n. */
static void riscv_cpu_set_irq(void *opaque, int n, int level)
{
    RiscvCPU *cpu = RISCV_CPU(opaque);
    if (n < 0 || n >= RISCV_NUM_IRQ_LINES) {
        return;
    }
    uint64_t bit = (1ULL << n) & MIP_ALL;
    if (!bit) {
        /* Lines that are not M-mode interrupts in an M-only hart. */
        log_item(LOG_ITEM_UNIMP, "riscv: interrupt line %d is not wired", n);
        return;
    }
    if (level) {
        cpu->irq_lines |= bit;
        /* An interrupt enabled in mie ends WFI at once (the run loop stops
         * idling); a disabled one does not, as the privileged spec asks,
         * and the board relies on that to tell when nothing can ever wake
         * the hart (machine/wake.c). */
        if (cpu->csr.mie & bit) {
            cpu->waiting = false;
        }
    } else {
        cpu->irq_lines &= ~bit;
    }
    cpu->check_interrupts = true;
}

void riscv_cpu_set_address_space(RiscvCPU *cpu, AddressSpace *as)
{
    cpu->as = as;
    cpu->fast_host = NULL;
    cpu->fast_base = 0;
    cpu->fast_size = 0;
    cpu->fast_prev_host = NULL;
    cpu->fast_prev_base = 0;
    cpu->fast_prev_size = 0;
    cpu->fast_generation = as ? as->generation : 0;
}

static void riscv_cpu_instance_init(Object *obj)
{
    RiscvCPU *cpu = RISCV_CPU(obj);
    /* Inputs exist before realize so the board can wire them first. */
    qdev_init_gpio_in(DEVICE(obj), riscv_cpu_set_irq, RISCV_NUM_IRQ_LINES);
    cpu->csr.misa = MISA_VALUE;
}

static void riscv_cpu_instance_finalize(Object *obj)
{
    RiscvCPU *cpu = RISCV_CPU(obj);
    free(cpu->decoded);
    cpu->decoded = NULL;
}

static bool riscv_cpu_realize(DeviceState *dev, Error **errp)
{
    RiscvCPU *cpu = RISCV_CPU(dev);
    (void)errp;
    if (!cpu->as) {
        riscv_cpu_set_address_space(cpu, get_address_space_memory());
    }
    return true;
}

static void riscv_cpu_reset(DeviceState *dev)
{
    RiscvCPU *cpu = RISCV_CPU(dev);

    for (int i = 0; i < 32; i++) {
        cpu->x[i] = 0;
    }
    /* Boot convention shared with QEMU and OpenSBI: a0 = hartid, a1 = the
     * device-tree pointer (none here). */
    cpu->x[10] = cpu->hartid;
    cpu->x[11] = 0;
    cpu->pc = cpu->reset_pc;
    /* M-mode, MPP = M (what an M-only hart always read), PMP entries off,
     * triggers disabled. */
    cpu->csr = (RiscvCsrs){.misa = MISA_VALUE, .mstatus = MSTATUS_MPP_M};
    cpu->priv = RISCV_PRV_M;
    memset(cpu->pmpcfg, 0, sizeof(cpu->pmpcfg));
    memset(cpu->pmpaddr, 0, sizeof(cpu->pmpaddr));
    cpu->tselect = 0;
    for (unsigned i = 0; i < RISCV_TRIGGERS; i++) {
        cpu->tdata1[i] = riscv_trigger_disabled_tdata1();
        cpu->tdata2[i] = 0;
    }
    cpu->waiting = false;
    cpu->reservation_valid = false;
    cpu->reservation_addr = 0;
    cpu->insn_count = 0;
    /* irq_lines follow the wires, which reset does not change. */
    cpu->check_interrupts = true;
    riscv_cpu_set_address_space(cpu, cpu->as);
    riscv_cpu_update_mem_checks(cpu);
}

/* Migration: every architectural register, the interrupt line levels, WFI
 * and LR/SC state, and the retired-instruction count the counters derive
 * from.  The RAM fast-path window is a host cache and is rebuilt.
 *
 * The privilege level, PMP and the triggers are subsections, sent only when
 * they differ from reset: a snapshot of an M-mode program that uses neither
 * is the same stream as before they existed, and such an older snapshot
 * loads with them at their reset values (docs/migration.md). */
static bool riscv_cpu_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvCPU *cpu = opaque;
    (void)version_id;
    if (cpu->x[0] != 0) {
        error_setg(errp, "field 'x[0]': the zero register holds 0x%" PRIx64,
                   cpu->x[0]);
        return false;
    }
    /* A hart saved before RV64C had no C: it resumes with it (code that
     * ran without C runs the same, except that a jump to a 2-byte aligned
     * target no longer traps). */
    if (cpu->csr.misa == MISA_VALUE_BEFORE_C) {
        cpu->csr.misa = MISA_VALUE;
    }
    if (cpu->csr.misa != MISA_VALUE) {
        error_setg(errp,
                   "field 'csr.misa': 0x%" PRIx64 " is not this hart's "
                   "0x%" PRIx64,
                   cpu->csr.misa, (uint64_t)MISA_VALUE);
        return false;
    }
    /* Fetch relies on a 2-byte aligned pc (see riscv_cpu_exec). */
    if (cpu->pc & 1) {
        error_setg(errp, "field 'pc': 0x%" PRIx64 " is not 2-byte aligned",
                   cpu->pc);
        return false;
    }
    /* An M-only hart stored MPP as 0 and read it as M; a snapshot with MPP
     * really U carries the "riscv-cpu/priv" subsection, loaded after this,
     * which sets it again. */
    if ((cpu->csr.mstatus & MSTATUS_MPP) == 0) {
        cpu->csr.mstatus |= MSTATUS_MPP_M;
    }
    if ((cpu->csr.mstatus & MSTATUS_MPP) != MSTATUS_MPP_M) {
        error_setg(
            errp,
            "field 'csr.mstatus': MPP is 0x%" PRIx64
            ", not a privilege level of this hart",
            (uint64_t)((cpu->csr.mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT));
        return false;
    }
    /* Before mcountinhibit stopped the counters, writes kept any of its
     * low 32 bits; only CY and IR exist.  The held values are those of the
     * moment of the snapshot until the subsection "riscv-cpu/counters", in
     * streams that have it, brings the saved ones. */
    cpu->csr.mcountinhibit &= MCOUNTINHIBIT_WRITABLE;
    cpu->csr.mcycle_held = cpu->insn_count - cpu->csr.mcycle_offset;
    cpu->csr.minstret_held = cpu->insn_count - cpu->csr.minstret_offset;
    cpu->check_interrupts = true;
    riscv_cpu_set_address_space(cpu, cpu->as);
    riscv_cpu_update_mem_checks(cpu);
    return true;
}

static const VMStateField riscv_csrs_fields[] = {
    VMSTATE_UINT64_CHECKED(mstatus, RiscvCsrs, MSTATUS_WRITABLE, 0),
    VMSTATE_UINT64(misa, RiscvCsrs),
    VMSTATE_UINT64_CHECKED(mie, RiscvCsrs, MIP_ALL, 0),
    VMSTATE_UINT64_CHECKED(mip, RiscvCsrs, MIP_ALL, 0),
    /* Modes 2 and 3 are reserved and never stored. */
    VMSTATE_UINT64_CHECKED(mtvec, RiscvCsrs, ~2ULL, 0),
    VMSTATE_UINT64(mscratch, RiscvCsrs),
    VMSTATE_UINT64_CHECKED(mepc, RiscvCsrs, ~1ULL, 0),
    VMSTATE_UINT64(mcause, RiscvCsrs),
    VMSTATE_UINT64(mtval, RiscvCsrs),
    VMSTATE_UINT64(mcycle_offset, RiscvCsrs),
    VMSTATE_UINT64(minstret_offset, RiscvCsrs),
    VMSTATE_UINT64_CHECKED(mcounteren, RiscvCsrs, 0xffffffffULL, 0),
    VMSTATE_UINT64_CHECKED(mcountinhibit, RiscvCsrs, 0xffffffffULL, 0),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_riscv_csrs = {
    .name = "riscv-csrs",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_csrs_fields,
};

/* "riscv-cpu/priv": the privilege level, and mstatus again, since the main
 * section cannot tell an MPP of U from an older M-only snapshot. */
static bool riscv_cpu_priv_needed(void *opaque)
{
    RiscvCPU *cpu = opaque;
    uint64_t priv_bits = MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TW;
    return cpu->priv != RISCV_PRV_M ||
           (cpu->csr.mstatus & priv_bits) != MSTATUS_MPP_M;
}

static bool riscv_cpu_priv_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvCPU *cpu = opaque;
    (void)version_id;
    uint64_t mpp =
        (uint64_t)((cpu->csr.mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    if (cpu->priv != RISCV_PRV_M && cpu->priv != RISCV_PRV_U) {
        error_setg(errp,
                   "field 'priv': %u is not a privilege level of this "
                   "hart",
                   cpu->priv);
        return false;
    }
    if (mpp != RISCV_PRV_M && mpp != RISCV_PRV_U) {
        error_setg(errp,
                   "field 'mstatus': MPP is %" PRIu64
                   ", not a privilege level of this hart",
                   mpp);
        return false;
    }
    riscv_cpu_update_mem_checks(cpu);
    return true;
}

static const VMStateField riscv_cpu_priv_fields[] = {
    VMSTATE_CHECKED(priv, RiscvCPU, VMS_TYPE_UINT8, 0, RISCV_PRV_M),
    {.name = "mstatus",
     .type = VMS_TYPE_UINT64,
     .shape = VMS_SHAPE_SINGLE,
     .offset = offsetof(RiscvCPU, csr.mstatus),
     .elem_size = sizeof(uint64_t),
     .num = 1,
     .mask = MSTATUS_WRITABLE},
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_riscv_cpu_priv = {
    .name = "riscv-cpu/priv",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_cpu_priv_fields,
    .needed = riscv_cpu_priv_needed,
    .post_load = riscv_cpu_priv_post_load,
};

/* "riscv-cpu/pmp": every entry's configuration and address. */
static bool riscv_cpu_pmp_needed(void *opaque)
{
    RiscvCPU *cpu = opaque;
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        if (cpu->pmpcfg[i] || cpu->pmpaddr[i]) {
            return true;
        }
    }
    return false;
}

/* After "riscv-cpu/pmp" or "riscv-cpu/trigger": both kinds of state are
 * checked (the one not in the stream holds its valid reset value). */
static bool riscv_cpu_protection_post_load(void *opaque, int version_id,
                                           Error **errp)
{
    RiscvCPU *cpu = opaque;
    (void)version_id;
    if (!riscv_pmp_check_state(cpu, errp) ||
        !riscv_trigger_check_state(cpu, errp)) {
        return false;
    }
    riscv_cpu_update_mem_checks(cpu);
    return true;
}

static const VMStateField riscv_cpu_pmp_fields[] = {
    VMSTATE_ARRAY(pmpcfg, RiscvCPU, VMS_TYPE_UINT8),
    VMSTATE_UINT64_ARRAY(pmpaddr, RiscvCPU),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_riscv_cpu_pmp = {
    .name = "riscv-cpu/pmp",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_cpu_pmp_fields,
    .needed = riscv_cpu_pmp_needed,
    .post_load = riscv_cpu_protection_post_load,
};

/* "riscv-cpu/trigger": tselect and each trigger's tdata1 and tdata2. */
static bool riscv_cpu_trigger_needed(void *opaque)
{
    RiscvCPU *cpu = opaque;
    if (cpu->tselect != 0) {
        return true;
    }
    for (unsigned i = 0; i < RISCV_TRIGGERS; i++) {
        if (cpu->tdata1[i] != riscv_trigger_disabled_tdata1() ||
            cpu->tdata2[i] != 0) {
            return true;
        }
    }
    return false;
}

static const VMStateField riscv_cpu_trigger_fields[] = {
    VMSTATE_UINT64(tselect, RiscvCPU),
    VMSTATE_UINT64_ARRAY(tdata1, RiscvCPU),
    VMSTATE_UINT64_ARRAY(tdata2, RiscvCPU),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_riscv_cpu_trigger = {
    .name = "riscv-cpu/trigger",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_cpu_trigger_fields,
    .needed = riscv_cpu_trigger_needed,
    .post_load = riscv_cpu_protection_post_load,
};

static const VMStateField riscv_cpu_fields[] = {
    {.name = "hartid",
     .type = VMS_TYPE_UINT64,
     .offset = offsetof(RiscvCPU, hartid),
     .elem_size = sizeof(uint64_t),
     .num = 1,
     .must_equal = true},
    VMSTATE_UINT64_ARRAY(x, RiscvCPU),
    VMSTATE_UINT64(pc, RiscvCPU),
    VMSTATE_STRUCT(csr, RiscvCPU, vmstate_riscv_csrs),
    VMSTATE_UINT64_CHECKED(irq_lines, RiscvCPU, MIP_ALL, 0),
    VMSTATE_BOOL(waiting, RiscvCPU),
    VMSTATE_BOOL(reservation_valid, RiscvCPU),
    VMSTATE_UINT64(reservation_addr, RiscvCPU),
    VMSTATE_UINT64(insn_count, RiscvCPU),
    VMSTATE_END_OF_LIST(),
};

/* The values mcountinhibit holds, sent while it holds any: a stream
 * without them (older rivet) resumes with the counters' values at the
 * snapshot (riscv_cpu_post_load). */
static bool riscv_cpu_counters_needed(void *opaque)
{
    RiscvCPU *cpu = opaque;
    return (cpu->csr.mcountinhibit & MCOUNTINHIBIT_WRITABLE) != 0;
}

static const VMStateField riscv_cpu_counters_fields[] = {
    VMSTATE_FIELD_("mcycle_held", VMS_TYPE_UINT64, VMS_SHAPE_SINGLE,
                   offsetof(RiscvCPU, csr.mcycle_held), sizeof(uint64_t), 1, 0),
    VMSTATE_FIELD_("minstret_held", VMS_TYPE_UINT64, VMS_SHAPE_SINGLE,
                   offsetof(RiscvCPU, csr.minstret_held), sizeof(uint64_t), 1,
                   0),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_riscv_cpu_counters = {
    .name = "riscv-cpu/counters",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_cpu_counters_fields,
    .needed = riscv_cpu_counters_needed,
};

static const VMStateDescription *const riscv_cpu_subsections[] = {
    &vmstate_riscv_cpu_counters,
    &vmstate_riscv_cpu_priv,
    &vmstate_riscv_cpu_pmp,
    &vmstate_riscv_cpu_trigger,
    NULL,
};

static const VMStateDescription vmstate_riscv_cpu = {
    .name = "riscv-cpu",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_cpu_fields,
    .subsections = riscv_cpu_subsections,
    .post_load = riscv_cpu_post_load,
};

static void riscv_cpu_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;
    dc->desc = "RISC-V RV64IMAC hart (M and U modes, PMP, Sdtrig)";
    dc->realize = riscv_cpu_realize;
    dc->reset = riscv_cpu_reset;
    dc->vmsd = &vmstate_riscv_cpu;
    device_class_set_props(dc, riscv_cpu_props);
}

static const TypeInfo riscv_cpu_type_info = {
    .name = TYPE_RISCV_CPU,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(RiscvCPU),
    .class_init = riscv_cpu_class_init,
    .instance_init = riscv_cpu_instance_init,
    .instance_finalize = riscv_cpu_instance_finalize,
};

__attribute__((constructor)) static void riscv_cpu_register_types(void)
{
    type_register_static(&riscv_cpu_type_info);
}

static const char *const riscv_abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *riscv_reg_name(unsigned i)
{
    return riscv_abi_names[i & 31];
}

/* QEMU's riscv dump (`info registers`, `-d cpu`): one " NAME  VALUE" line
 * per CSR, names padded to 8, then the registers four to a line as
 * "x10/a0".  rivet has M and U modes only, so no S-mode or hypervisor
 * CSRs; the privilege mode gets a line of its own (QEMU shows it only in
 * gdb). */
void riscv_cpu_dump_state(RiscvCPU *cpu, FILE *out)
{
    static const struct {
        unsigned csrno;
        const char *name;
    } dump_csrs[] = {
        {CSR_MHARTID, "mhartid"},   {CSR_MSTATUS, "mstatus"},
        {CSR_MIP, "mip"},           {CSR_MIE, "mie"},
        {CSR_MTVEC, "mtvec"},       {CSR_MEPC, "mepc"},
        {CSR_MCAUSE, "mcause"},     {CSR_MTVAL, "mtval"},
        {CSR_MSCRATCH, "mscratch"},
    };

    fprintf(out, " %-8s %016" PRIx64 "\n", "pc", cpu->pc);
    fprintf(out, " %-8s %s\n", "priv", cpu->priv == RISCV_PRV_M ? "M" : "U");
    for (size_t i = 0; i < sizeof(dump_csrs) / sizeof(dump_csrs[0]); i++) {
        uint64_t value = 0;
        riscv_csr_read(cpu, dump_csrs[i].csrno, &value);
        fprintf(out, " %-8s %016" PRIx64 "\n", dump_csrs[i].name, value);
    }
    for (unsigned i = 0; i < 32; i++) {
        char name[16];
        snprintf(name, sizeof(name), "x%u/%s", i, riscv_abi_names[i]);
        fprintf(out, " %-8s %016" PRIx64 "%s", name, cpu->x[i],
                (i % 4 == 3) ? "\n" : "");
    }
}

void riscv_cpu_log_state(RiscvCPU *cpu)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        log_printf("rivet: no memory for the register dump\n");
        return;
    }
    riscv_cpu_dump_state(cpu, out);
    fclose(out);
    log_printf("%s", text);
    log_printf("insn_count %" PRIu64 "%s\n", cpu->insn_count,
               cpu->waiting ? " (waiting for interrupt)" : "");
    free(text);
}

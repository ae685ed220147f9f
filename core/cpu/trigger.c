/*
 * Sdtrig (RISC-V debug spec 1.0, chapter 5): RISCV_TRIGGERS triggers, each
 * able to be an mcontrol6 address trigger (type 6) or disabled (type 15).
 *
 * Supported: execute, load and store address matching with match = 0
 * (equal), 1 (NAPOT), 2 (greater or equal), 3 (less than), size = 0 (any),
 * action = 0 (breakpoint exception), the m and u privilege bits.  Every
 * other field is WARL 0: there is no Debug Mode, no data matching, no
 * chaining, no hit bits and no textra (tdata3 reads 0).
 *
 * Reentrancy (5.4, native triggers): with no tcontrol register, a trigger
 * does not fire in M-mode while mstatus.MIE is 0, so a breakpoint inside
 * the trap handler cannot loop.
 */
#include <inttypes.h>

#include "cpu-internal.h"

#define TDATA1_TYPE_SHIFT 60
#define TDATA1_TYPE_MCONTROL6 6ULL
#define TDATA1_TYPE_DISABLED 15ULL

/* mcontrol6 fields. */
#define MC6_LOAD (1ULL << 0)
#define MC6_STORE (1ULL << 1)
#define MC6_EXECUTE (1ULL << 2)
#define MC6_U (1ULL << 3)
#define MC6_M (1ULL << 6)
#define MC6_MATCH_SHIFT 7
#define MC6_MATCH (15ULL << MC6_MATCH_SHIFT)
#define MC6_WRITABLE (MC6_LOAD | MC6_STORE | MC6_EXECUTE | MC6_U | MC6_M)

enum { MATCH_EQUAL = 0, MATCH_NAPOT = 1, MATCH_GE = 2, MATCH_LT = 3 };

/* tinfo: version 1 (Sdtrig 1.0) in bits 31:24, and the supported types. */
#define TINFO_VALUE                                                            \
    ((1ULL << 24) | (1ULL << TDATA1_TYPE_MCONTROL6) |                          \
     (1ULL << TDATA1_TYPE_DISABLED))

uint64_t riscv_trigger_disabled_tdata1(void)
{
    return TDATA1_TYPE_DISABLED << TDATA1_TYPE_SHIFT;
}

static uint64_t tdata1_type(uint64_t tdata1)
{
    return tdata1 >> TDATA1_TYPE_SHIFT;
}

/* The WARL rules of tdata1: an mcontrol6 keeps the fields we support and a
 * supported match type (others read back as equal); any other type,
 * including 0, leaves the trigger disabled (type 15), so enumeration still
 * sees it exists. */
static uint64_t tdata1_legal(uint64_t value)
{
    if (tdata1_type(value) != TDATA1_TYPE_MCONTROL6) {
        return riscv_trigger_disabled_tdata1();
    }
    uint64_t match = (value & MC6_MATCH) >> MC6_MATCH_SHIFT;
    if (match > MATCH_LT) {
        match = MATCH_EQUAL;
    }
    return (TDATA1_TYPE_MCONTROL6 << TDATA1_TYPE_SHIFT) |
           (match << MC6_MATCH_SHIFT) | (value & MC6_WRITABLE);
}

/* Whether any byte of [addr, last] matches tdata2 under match. */
static bool trigger_matches(unsigned match, uint64_t tdata2, uint64_t addr,
                            uint64_t last)
{
    switch (match) {
    case MATCH_NAPOT: {
        /* Compare the bits above the lowest 0 of tdata2. */
        unsigned zero = (unsigned)__builtin_ctzll(~tdata2);
        uint64_t span = zero >= 63 ? UINT64_MAX : (2ULL << zero) - 1;
        uint64_t lo = tdata2 & ~span;
        return last >= lo && addr <= lo + span;
    }
    case MATCH_GE:
        return last >= tdata2;
    case MATCH_LT:
        return addr < tdata2;
    default:
        return addr <= tdata2 && tdata2 <= last;
    }
}

/* Whether trigger t (mcontrol6) is enabled at the current privilege. */
static bool trigger_enabled_now(const RiscvCPU *cpu, uint64_t tdata1)
{
    if (cpu->priv == RISCV_PRV_M) {
        return (tdata1 & MC6_M) && (cpu->csr.mstatus & MSTATUS_MIE);
    }
    return tdata1 & MC6_U;
}

bool riscv_trigger_fires(const RiscvCPU *cpu, uint64_t addr, unsigned size,
                         unsigned kinds)
{
    for (unsigned i = 0; i < RISCV_TRIGGERS; i++) {
        uint64_t t = cpu->tdata1[i];
        if (tdata1_type(t) != TDATA1_TYPE_MCONTROL6 || !(t & kinds) ||
            !trigger_enabled_now(cpu, t)) {
            continue;
        }
        unsigned match = (unsigned)((t & MC6_MATCH) >> MC6_MATCH_SHIFT);
        if (trigger_matches(match, cpu->tdata2[i], addr, addr + size - 1)) {
            return true;
        }
    }
    return false;
}

bool riscv_triggers_armed(const RiscvCPU *cpu)
{
    for (unsigned i = 0; i < RISCV_TRIGGERS; i++) {
        uint64_t t = cpu->tdata1[i];
        if (tdata1_type(t) == TDATA1_TYPE_MCONTROL6 &&
            (t & (MC6_LOAD | MC6_STORE | MC6_EXECUTE)) &&
            (t & (MC6_M | MC6_U))) {
            return true;
        }
    }
    return false;
}

bool riscv_trigger_csr_read(const RiscvCPU *cpu, unsigned csrno,
                            uint64_t *value)
{
    switch (csrno) {
    case CSR_TSELECT:
        *value = cpu->tselect;
        return true;
    case CSR_TDATA1:
        *value = cpu->tdata1[cpu->tselect];
        return true;
    case CSR_TDATA2:
        *value = cpu->tdata2[cpu->tselect];
        return true;
    case CSR_TDATA3:
        *value = 0;
        return true;
    case CSR_TINFO:
        *value = TINFO_VALUE;
        return true;
    default:
        return false;
    }
}

bool riscv_trigger_csr_write(RiscvCPU *cpu, unsigned csrno, uint64_t value)
{
    switch (csrno) {
    case CSR_TSELECT:
        /* WARL: a trigger that does not exist is not selected, so a
         * debugger reading back sees where enumeration ends. */
        if (value < RISCV_TRIGGERS) {
            cpu->tselect = value;
        }
        return true;
    case CSR_TDATA1:
        cpu->tdata1[cpu->tselect] = tdata1_legal(value);
        return true;
    case CSR_TDATA2:
        cpu->tdata2[cpu->tselect] = value;
        return true;
    case CSR_TDATA3:
    case CSR_TINFO:
        /* textra is not supported; tinfo ignores writes. */
        return true;
    default:
        return false;
    }
}

bool riscv_trigger_check_state(const RiscvCPU *cpu, Error **errp)
{
    if (cpu->tselect >= RISCV_TRIGGERS) {
        error_setg(errp, "field 'tselect': %" PRIu64 " selects no trigger",
                   cpu->tselect);
        return false;
    }
    for (unsigned i = 0; i < RISCV_TRIGGERS; i++) {
        if (tdata1_legal(cpu->tdata1[i]) != cpu->tdata1[i]) {
            error_setg(errp,
                       "field 'tdata1[%u]': 0x%" PRIx64 " is not a legal value",
                       i, cpu->tdata1[i]);
            return false;
        }
    }
    return true;
}

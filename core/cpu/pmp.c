/*
 * Physical Memory Protection (RISC-V privileged spec, section 3.7): 16
 * entries, granularity 4 bytes, address matching OFF/TOR/NA4/NAPOT.
 *
 * The checks run only on the interpreter's slow path, while
 * cpu->mem_checks is set (U-mode, MPRV to U, or a locked entry): an M-mode
 * hart without locked entries never looks at PMP.
 */
#include <inttypes.h>

#include "cpu-internal.h"

/* The fields of a pmpNcfg byte. */
#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_A 0x18
#define PMP_L 0x80
/* Bits 6:5 are reserved (WARL 0). */
#define PMP_CFG_WRITABLE (PMP_R | PMP_W | PMP_X | PMP_A | PMP_L)

enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* pmpaddr holds bits 55:2 of an address (RV64, 56-bit physical space);
 * bits 63:54 are WARL 0. */
#define PMP_ADDR_MASK ((1ULL << 54) - 1)

static unsigned pmp_mode(uint8_t cfg)
{
    return (cfg & PMP_A) >> PMP_A_SHIFT;
}

/* The byte range [*lo, *hi) entry i covers; false if it is off or empty. */
static bool pmp_range(const RiscvCPU *cpu, unsigned i, uint64_t *lo,
                      uint64_t *hi)
{
    uint64_t a = cpu->pmpaddr[i];
    switch (pmp_mode(cpu->pmpcfg[i])) {
    case PMP_TOR:
        *lo = i == 0 ? 0 : cpu->pmpaddr[i - 1] << 2;
        *hi = a << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        /* a = base/4 with its low k bits set: 2^(k+3) bytes.  All 54 bits
         * set is the whole 2^56-byte space. */
        uint64_t ones = (uint64_t)__builtin_ctzll(~a);
        uint64_t size = 8ULL << ones;
        *lo = (a << 2) & ~(size - 1);
        *hi = *lo + size;
        return true;
    }
    default:
        return false;
    }
}

bool riscv_pmp_allows(const RiscvCPU *cpu, uint64_t addr, unsigned size,
                      unsigned kinds, unsigned priv)
{
    uint64_t last = addr + size - 1;
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (!pmp_range(cpu, i, &lo, &hi) || last < lo || addr >= hi) {
            continue;
        }
        /* The lowest-numbered entry that matches any byte decides; it
         * must match all of them (3.7.1.3: partial matches fail). */
        if (addr < lo || last >= hi) {
            return false;
        }
        uint8_t cfg = cpu->pmpcfg[i];
        if (priv == RISCV_PRV_M && !(cfg & PMP_L)) {
            return true;
        }
        return (kinds & ~cfg & (PMP_R | PMP_W | PMP_X)) == 0;
    }
    /* No entry matches: M-mode succeeds, U-mode fails because entries are
     * implemented. */
    return priv == RISCV_PRV_M;
}

bool riscv_pmp_binds_m(const RiscvCPU *cpu)
{
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        uint8_t cfg = cpu->pmpcfg[i];
        if ((cfg & PMP_L) && pmp_mode(cfg) != PMP_OFF) {
            return true;
        }
    }
    return false;
}

/* pmpaddr[i] cannot change while entry i is locked, or while entry i+1 is
 * a locked TOR entry that uses it as its bottom. */
static bool pmp_addr_locked(const RiscvCPU *cpu, unsigned i)
{
    if (cpu->pmpcfg[i] & PMP_L) {
        return true;
    }
    if (i + 1 < RISCV_PMP_ENTRIES) {
        uint8_t next = cpu->pmpcfg[i + 1];
        return (next & PMP_L) && pmp_mode(next) == PMP_TOR;
    }
    return false;
}

/* The WARL rules of one configuration byte. */
static uint8_t pmp_legal_cfg(uint8_t cfg)
{
    cfg &= PMP_CFG_WRITABLE;
    /* R=0, W=1 is reserved: the write of W is dropped. */
    if ((cfg & (PMP_R | PMP_W)) == PMP_W) {
        cfg &= (uint8_t)~PMP_W;
    }
    return cfg;
}

/* pmpcfg0 holds entries 0..7, pmpcfg2 entries 8..15 (RV64: the odd ones
 * do not exist).  Returns the first entry of csrno, or -1. */
static int pmp_cfg_first_entry(unsigned csrno)
{
    if (csrno == CSR_PMPCFG0) {
        return 0;
    }
    if (csrno == CSR_PMPCFG2) {
        return 8;
    }
    return -1;
}

/* Whether csrno is a PMP register beyond the 16 entries (pmpcfg4..14,
 * pmpaddr16..63): they exist and read as zero (all PMP fields are WARL and
 * may be read-only zero). */
static bool pmp_csr_unimplemented(unsigned csrno)
{
    if (csrno > CSR_PMPCFG2 && csrno <= CSR_PMPCFG15) {
        return (csrno & 1) == 0;
    }
    return csrno >= CSR_PMPADDR0 + RISCV_PMP_ENTRIES && csrno <= CSR_PMPADDR63;
}

bool riscv_pmp_csr_read(const RiscvCPU *cpu, unsigned csrno, uint64_t *value)
{
    int first = pmp_cfg_first_entry(csrno);
    if (first >= 0) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | cpu->pmpcfg[first + k];
        }
        *value = v;
        return true;
    }
    if (csrno >= CSR_PMPADDR0 && csrno < CSR_PMPADDR0 + RISCV_PMP_ENTRIES) {
        *value = cpu->pmpaddr[csrno - CSR_PMPADDR0];
        return true;
    }
    if (pmp_csr_unimplemented(csrno)) {
        *value = 0;
        return true;
    }
    return false;
}

bool riscv_pmp_csr_write(RiscvCPU *cpu, unsigned csrno, uint64_t value)
{
    int first = pmp_cfg_first_entry(csrno);
    if (first >= 0) {
        for (int k = 0; k < 8; k++) {
            /* A locked entry ignores writes to its configuration. */
            if (!(cpu->pmpcfg[first + k] & PMP_L)) {
                cpu->pmpcfg[first + k] =
                    pmp_legal_cfg((uint8_t)(value >> (8 * k)));
            }
        }
        return true;
    }
    if (csrno >= CSR_PMPADDR0 && csrno < CSR_PMPADDR0 + RISCV_PMP_ENTRIES) {
        unsigned i = csrno - CSR_PMPADDR0;
        if (!pmp_addr_locked(cpu, i)) {
            cpu->pmpaddr[i] = value & PMP_ADDR_MASK;
        }
        return true;
    }
    return pmp_csr_unimplemented(csrno);
}

bool riscv_pmp_check_state(const RiscvCPU *cpu, Error **errp)
{
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        if (pmp_legal_cfg(cpu->pmpcfg[i]) != cpu->pmpcfg[i]) {
            error_setg(errp, "field 'pmpcfg[%u]': 0x%02x is not a legal value",
                       i, cpu->pmpcfg[i]);
            return false;
        }
        if (cpu->pmpaddr[i] & ~PMP_ADDR_MASK) {
            error_setg(errp,
                       "field 'pmpaddr[%u]': 0x%" PRIx64
                       " has bits above bit 53",
                       i, cpu->pmpaddr[i]);
            return false;
        }
    }
    return true;
}

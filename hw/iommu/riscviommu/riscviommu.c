/*
 * The RISC-V IOMMU: device directory, first-stage Sv39 translation, the
 * command and fault queues and their wired interrupt (riscviommu.h says
 * which subset of the specification).
 */
#include "hw/iommu/riscviommu/riscviommu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/riscviommu.h"
#include "util/log.h"

/* ---------------------------------------------------------------------- */
/* Memory the IOMMU reads and writes itself                                 */

/* Whether [addr, addr + len) is RAM, all of it in one block: tables and
 * queues anywhere else are an access fault. */
static bool riscv_iommu_is_ram(RiscvIommuState *s, uint64_t addr, uint64_t len)
{
    if (addr >> RISCV_IOMMU_PAS_BITS) {
        return false;
    }
    const FlatRange *fr = address_space_lookup(s->dma_as, addr);
    return fr && fr->mr->kind == MR_KIND_RAM &&
           len <= fr->size - (addr - fr->start);
}

/* n little-endian doublewords from addr; false if not all RAM. */
static bool riscv_iommu_load(RiscvIommuState *s, uint64_t addr, uint64_t *dw,
                             unsigned n)
{
    if (!riscv_iommu_is_ram(s, addr, 8ull * n)) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (address_space_ld(s->dma_as, addr + 8ull * i, 8, &dw[i]) !=
            MEMTX_OK) {
            return false;
        }
    }
    return true;
}

static bool riscv_iommu_store(RiscvIommuState *s, uint64_t addr,
                              const uint64_t *dw, unsigned n)
{
    if (!riscv_iommu_is_ram(s, addr, 8ull * n)) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (address_space_st(s->dma_as, addr + 8ull * i, 8, dw[i]) !=
            MEMTX_OK) {
            return false;
        }
    }
    return true;
}

static uint64_t riscv_iommu_ppn_addr(uint64_t reg)
{
    return ((reg & RISCV_IOMMU_PPN_MASK) >> RISCV_IOMMU_PPN_SHIFT) << 12;
}

/* Index mask of a queue of 2^(LOG2SZ-1 + 1) entries. */
static uint32_t riscv_iommu_queue_mask(uint64_t qb)
{
    return (uint32_t)((2ull << (qb & RISCV_IOMMU_QB_LOG2SZM1_MASK)) - 1);
}

/* ---------------------------------------------------------------------- */
/* Interrupts                                                               */

/* ipsr bits whose conditions hold now (the specification's ipsr table):
 * they are set again after software cleared them. */
static void riscv_iommu_update_ipsr(RiscvIommuState *s)
{
    if ((s->cqcsr & RISCV_IOMMU_CQCSR_CIE) &&
        (s->cqcsr &
         (RISCV_IOMMU_CQCSR_ERRORS | RISCV_IOMMU_CQCSR_FENCE_W_IP))) {
        s->ipsr |= RISCV_IOMMU_IPSR_CIP;
    }
    if ((s->fqcsr & RISCV_IOMMU_FQCSR_FIE) &&
        (s->fqcsr & (RISCV_IOMMU_FQCSR_FQMF | RISCV_IOMMU_FQCSR_FQOF))) {
        s->ipsr |= RISCV_IOMMU_IPSR_FIP;
    }
}

/* One vector: the wire is up while a cause is pending. */
static void riscv_iommu_update_irq(RiscvIommuState *s)
{
    riscv_iommu_update_ipsr(s);
    int level = (s->ipsr & (RISCV_IOMMU_IPSR_CIP | RISCV_IOMMU_IPSR_FIP)) != 0;
    if (level != irq_get_level(s->irq)) {
        probe_riscviommu_irq((uint32_t)level);
    }
    irq_set(s->irq, level);
}

/* ---------------------------------------------------------------------- */
/* Fault queue                                                              */

static bool riscv_iommu_cause_is_translation(int cause)
{
    /* The causes DTF silences: those of the address translation itself
     * (the specification's table of faults reported when DTF is 1). */
    return cause < 256 || cause == IOMMU_CAUSE_TTYPE_DISALLOWED;
}

static void riscv_iommu_report_fault(RiscvIommuState *s, int cause,
                                     unsigned ttyp, uint32_t device_id,
                                     uint64_t iotval, bool dtf)
{
    probe_riscviommu_fault(device_id, iotval, (uint32_t)cause, ttyp);
    if (dtf && riscv_iommu_cause_is_translation(cause)) {
        return;
    }
    if (!(s->fqcsr & RISCV_IOMMU_FQCSR_FQON) ||
        (s->fqcsr & (RISCV_IOMMU_FQCSR_FQMF | RISCV_IOMMU_FQCSR_FQOF))) {
        /* Off, or an error latched: the record is discarded. */
        return;
    }
    uint32_t mask = riscv_iommu_queue_mask(s->fqb);
    if (((s->fqt + 1) & mask) == (s->fqh & mask)) {
        s->fqcsr |= RISCV_IOMMU_FQCSR_FQOF;
        riscv_iommu_update_irq(s);
        return;
    }
    uint64_t record[4] = {
        (uint64_t)cause | (uint64_t)ttyp << 34 | (uint64_t)device_id << 40,
        0,
        iotval,
        0,
    };
    uint64_t addr = riscv_iommu_ppn_addr(s->fqb) +
                    (uint64_t)s->fqt * RISCV_IOMMU_FQ_RECORD_SIZE;
    if (!riscv_iommu_store(s, addr, record, 4)) {
        s->fqcsr |= RISCV_IOMMU_FQCSR_FQMF;
    } else {
        s->fqt = (s->fqt + 1) & mask;
        if (s->fqcsr & RISCV_IOMMU_FQCSR_FIE) {
            s->ipsr |= RISCV_IOMMU_IPSR_FIP;
        }
    }
    riscv_iommu_update_irq(s);
}

/* ---------------------------------------------------------------------- */
/* Caches                                                                   */

static void riscv_iommu_flush_caches(RiscvIommuState *s)
{
    memset(s->dc_cache, 0, sizeof(s->dc_cache));
    memset(s->iotlb, 0, sizeof(s->iotlb));
    iommu_invalidated(&s->parent_obj);
}

/* ---------------------------------------------------------------------- */
/* Device directory                                                         */

static unsigned riscv_iommu_ddt_levels(uint64_t ddtp)
{
    return (unsigned)(ddtp & RISCV_IOMMU_DDTP_MODE_MASK) -
           RISCV_IOMMU_DDTP_1LVL + 1;
}

/* The device IDs the mode reaches: DDI[0] is 7 bits, DDI[1] 9, DDI[2] 8. */
static bool riscv_iommu_device_id_fits(uint64_t ddtp, uint32_t device_id)
{
    static const unsigned bits[] = {7, 16, 24};
    return (device_id >> bits[riscv_iommu_ddt_levels(ddtp) - 1]) == 0;
}

/* The checks of the specification's "Device-context configuration
 * checks", for what this IOMMU implements. */
static bool riscv_iommu_dc_misconfigured(const uint64_t dc[4])
{
    uint64_t tc = dc[0], iohgatp = dc[1], ta = dc[2], fsc = dc[3];
    unsigned fsc_mode = (unsigned)(fsc >> RISCV_IOMMU_DC_FSC_MODE_SHIFT);
    return (tc & ~(RISCV_IOMMU_DC_TC_V | RISCV_IOMMU_DC_TC_DTF)) != 0 ||
           iohgatp != 0 || (ta & ~RISCV_IOMMU_DC_TA_PSCID_MASK) != 0 ||
           (fsc_mode != RISCV_IOMMU_FSC_BARE &&
            fsc_mode != RISCV_IOMMU_FSC_SV39) ||
           (fsc & ~(RISCV_IOMMU_DC_FSC_PPN_MASK |
                    0xfull << RISCV_IOMMU_DC_FSC_MODE_SHIFT)) != 0;
}

/* The device context of device_id, from the cache or the DDT; 0 or the
 * fault cause. */
static int riscv_iommu_find_dc(RiscvIommuState *s, uint32_t device_id,
                               RiscvIommuDcEntry *out)
{
    for (unsigned i = 0; i < RISCV_IOMMU_DC_CACHE_SIZE; i++) {
        if (s->dc_cache[i].valid && s->dc_cache[i].device_id == device_id) {
            *out = s->dc_cache[i];
            return 0;
        }
    }
    unsigned levels = riscv_iommu_ddt_levels(s->ddtp);
    uint64_t table = riscv_iommu_ppn_addr(s->ddtp);
    /* Non-leaf levels: DDI[2] (bits 23:16), DDI[1] (bits 15:7). */
    for (unsigned level = levels - 1; level > 0; level--) {
        unsigned ddi = level == 2 ? device_id >> 16 : (device_id >> 7) & 0x1ff;
        uint64_t entry;
        if (!riscv_iommu_load(s, table + 8ull * ddi, &entry, 1)) {
            return IOMMU_CAUSE_DDT_LOAD_FAULT;
        }
        if (!(entry & RISCV_IOMMU_DDTE_V)) {
            return IOMMU_CAUSE_DDT_INVALID;
        }
        if (entry & ~(RISCV_IOMMU_PPN_MASK | RISCV_IOMMU_DDTE_V)) {
            return IOMMU_CAUSE_DDT_MISCONFIGURED;
        }
        table = riscv_iommu_ppn_addr(entry);
    }
    uint64_t dc[4];
    if (!riscv_iommu_load(
            s, table + (uint64_t)(device_id & 0x7f) * RISCV_IOMMU_DC_SIZE, dc,
            4)) {
        return IOMMU_CAUSE_DDT_LOAD_FAULT;
    }
    if (!(dc[0] & RISCV_IOMMU_DC_TC_V)) {
        return IOMMU_CAUSE_DDT_INVALID;
    }
    if (riscv_iommu_dc_misconfigured(dc)) {
        return IOMMU_CAUSE_DDT_MISCONFIGURED;
    }
    *out = (RiscvIommuDcEntry){.valid = true,
                               .device_id = device_id,
                               .tc = dc[0],
                               .ta = dc[2],
                               .fsc = dc[3]};
    s->dc_cache[s->dc_next] = *out;
    s->dc_next = (s->dc_next + 1) % RISCV_IOMMU_DC_CACHE_SIZE;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* First-stage translation                                                  */

static bool riscv_iommu_allows(bool readable, bool writable, unsigned access)
{
    return (!(access & IOMMU_ACCESS_READ) || readable) &&
           (!(access & IOMMU_ACCESS_WRITE) || writable);
}

static uint32_t riscv_iommu_pscid(const RiscvIommuDcEntry *dc)
{
    return (uint32_t)((dc->ta & RISCV_IOMMU_DC_TA_PSCID_MASK) >>
                      RISCV_IOMMU_DC_TA_PSCID_SHIFT);
}

static RiscvIommuIotlbEntry *
riscv_iommu_iotlb_lookup(RiscvIommuState *s, const RiscvIommuDcEntry *dc,
                         uint64_t iova)
{
    uint32_t pscid = riscv_iommu_pscid(dc);
    for (unsigned i = 0; i < RISCV_IOMMU_IOTLB_SIZE; i++) {
        RiscvIommuIotlbEntry *e = &s->iotlb[i];
        if (e->valid && e->device_id == dc->device_id && e->pscid == pscid &&
            iova - e->va < e->size) {
            return e;
        }
    }
    return NULL;
}

/* The Sv39 walk of the privileged architecture ("Virtual Address
 * Translation Process"), for a U-mode request; fills *leaf or returns the
 * fault cause. */
static int riscv_iommu_walk(RiscvIommuState *s, const RiscvIommuDcEntry *dc,
                            uint64_t iova, unsigned access,
                            RiscvIommuIotlbEntry *leaf)
{
    bool write = access & IOMMU_ACCESS_WRITE;
    int page_fault =
        write ? IOMMU_CAUSE_WRITE_PAGE_FAULT : IOMMU_CAUSE_READ_PAGE_FAULT;
    int access_fault =
        write ? IOMMU_CAUSE_WRITE_ACCESS_FAULT : IOMMU_CAUSE_READ_ACCESS_FAULT;
    /* Bits 63:39 must all equal bit 38. */
    uint64_t high = iova >> 38;
    if (high != 0 && high != (UINT64_MAX >> 38)) {
        return page_fault;
    }
    uint64_t table = (dc->fsc & RISCV_IOMMU_DC_FSC_PPN_MASK) << 12;
    for (int level = 2; level >= 0; level--) {
        unsigned vpn = (unsigned)(iova >> (12 + 9 * level)) & 0x1ff;
        uint64_t pte;
        if (!riscv_iommu_load(s, table + 8ull * vpn, &pte, 1)) {
            return access_fault;
        }
        if (!(pte & RISCV_IOMMU_PTE_V) ||
            ((pte & RISCV_IOMMU_PTE_W) && !(pte & RISCV_IOMMU_PTE_R)) ||
            (pte & RISCV_IOMMU_PTE_HIGH_MASK)) {
            return page_fault;
        }
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (!(pte & (RISCV_IOMMU_PTE_R | RISCV_IOMMU_PTE_X))) {
            /* A pointer to the next level: D, A and U are reserved. */
            if (pte &
                (RISCV_IOMMU_PTE_D | RISCV_IOMMU_PTE_A | RISCV_IOMMU_PTE_U)) {
                return page_fault;
            }
            table = ppn << 12;
            continue;
        }
        uint64_t pages = 1ull << (9 * level);
        if (ppn & (pages - 1)) {
            return page_fault; /* misaligned superpage */
        }
        bool usable = (pte & RISCV_IOMMU_PTE_U) && (pte & RISCV_IOMMU_PTE_A);
        *leaf = (RiscvIommuIotlbEntry){
            .valid = true,
            .global = (pte & RISCV_IOMMU_PTE_G) != 0,
            .readable = usable && (pte & RISCV_IOMMU_PTE_R),
            .writable = usable && (pte & RISCV_IOMMU_PTE_W) &&
                        (pte & RISCV_IOMMU_PTE_D),
            .device_id = dc->device_id,
            .pscid = riscv_iommu_pscid(dc),
            .size = pages << 12,
        };
        leaf->va = iova & ~(leaf->size - 1);
        leaf->pa = ppn << 12;
        if (!riscv_iommu_allows(leaf->readable, leaf->writable, access)) {
            return page_fault;
        }
        return 0;
    }
    return page_fault; /* no leaf at level 0 */
}

/* ---------------------------------------------------------------------- */
/* Translation: the IOMMUClass method                                       */

/* The translation process for an untranslated request of device_id:
 * 0 with the mapping around iova in *map (size 0: identity, no bound),
 * or the fault cause, recorded in the fault queue. */
static int riscv_iommu_lookup(RiscvIommuState *s, uint32_t device_id,
                              uint64_t iova, unsigned access,
                              RiscvIommuIotlbEntry *map)
{
    unsigned mode = (unsigned)(s->ddtp & RISCV_IOMMU_DDTP_MODE_MASK);
    unsigned ttyp = (access & IOMMU_ACCESS_WRITE)
                        ? RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE
                        : RISCV_IOMMU_TTYP_UNTRANSLATED_READ;
    RiscvIommuDcEntry dc = {0};
    int cause = 0;

    *map = (RiscvIommuIotlbEntry){.readable = true, .writable = true};
    if (mode == RISCV_IOMMU_DDTP_BARE) {
        return 0;
    }
    if (mode == RISCV_IOMMU_DDTP_OFF) {
        cause = IOMMU_CAUSE_ALL_DISALLOWED;
    } else if (!riscv_iommu_device_id_fits(s->ddtp, device_id)) {
        cause = IOMMU_CAUSE_TTYPE_DISALLOWED;
    } else {
        cause = riscv_iommu_find_dc(s, device_id, &dc);
    }
    if (cause) {
        riscv_iommu_report_fault(s, cause, ttyp, device_id, iova, false);
        return cause;
    }
    if ((dc.fsc >> RISCV_IOMMU_DC_FSC_MODE_SHIFT) == RISCV_IOMMU_FSC_BARE) {
        return 0;
    }
    RiscvIommuIotlbEntry *hit = riscv_iommu_iotlb_lookup(s, &dc, iova);
    if (!hit || !riscv_iommu_allows(hit->readable, hit->writable, access)) {
        /* A miss, or a cached entry without the permission: walk (a
         * fault is never cached) and refill that entry or the next. */
        RiscvIommuIotlbEntry walked;
        cause = riscv_iommu_walk(s, &dc, iova, access, &walked);
        if (cause) {
            riscv_iommu_report_fault(s, cause, ttyp, device_id, iova,
                                     (dc.tc & RISCV_IOMMU_DC_TC_DTF) != 0);
            return cause;
        }
        if (!hit) {
            hit = &s->iotlb[s->iotlb_next];
            s->iotlb_next = (s->iotlb_next + 1) % RISCV_IOMMU_IOTLB_SIZE;
        }
        *hit = walked;
    }
    *map = *hit;
    return 0;
}

static int riscv_iommu_translate(IOMMU *iommu, uint32_t device_id,
                                 uint64_t iova, uint64_t len, unsigned access,
                                 uint64_t *phys, uint64_t *mapped)
{
    RiscvIommuState *s = RISCV_IOMMU(iommu);
    RiscvIommuIotlbEntry map;
    int cause = riscv_iommu_lookup(s, device_id, iova, access, &map);
    if (cause) {
        return cause;
    }
    if (map.size == 0) {
        *phys = iova;
        *mapped = len;
    } else {
        uint64_t offset = iova - map.va;
        *phys = map.pa + offset;
        *mapped = map.size - offset < len ? map.size - offset : len;
    }
    probe_riscviommu_translate(device_id, iova, *phys, *mapped, access);
    return 0;
}

/* The debug interface: tr_req_ctl.Go translates tr_req_iova for DID,
 * reading (NW) or reading and writing, into tr_response. */
static void riscv_iommu_debug_translate(RiscvIommuState *s)
{
    uint32_t did = (uint32_t)(s->tr_req_ctl >> 40);
    unsigned access = (s->tr_req_ctl & RISCV_IOMMU_TR_REQ_NW)
                          ? IOMMU_ACCESS_READ
                          : IOMMU_ACCESS_READ | IOMMU_ACCESS_WRITE;
    RiscvIommuIotlbEntry map;
    if (riscv_iommu_lookup(s, did, s->tr_req_iova, access, &map)) {
        s->tr_response = RISCV_IOMMU_TR_RESPONSE_FAULT;
    } else if (map.size <= 4096) {
        /* A page, or the identity (reported page by page). */
        uint64_t pa = map.size ? map.pa : s->tr_req_iova;
        s->tr_response = (pa >> 12) << 10;
    } else {
        /* A superpage of 2^(X+1) pages: PPN bits X-1..0 set, bit X clear
         * (the specification's tr_response.S encoding). */
        unsigned x = (unsigned)__builtin_ctzll(map.size >> 12) - 1;
        uint64_t ppn = (map.pa >> 12) | ((1ull << x) - 1);
        s->tr_response = ppn << 10 | RISCV_IOMMU_TR_RESPONSE_S;
    }
    s->tr_req_ctl &= ~RISCV_IOMMU_TR_REQ_GO;
}

static IommuMode riscv_iommu_get_mode(IOMMU *iommu)
{
    switch (RISCV_IOMMU(iommu)->ddtp & RISCV_IOMMU_DDTP_MODE_MASK) {
    case RISCV_IOMMU_DDTP_OFF:
        return IOMMU_MODE_OFF;
    case RISCV_IOMMU_DDTP_BARE:
        return IOMMU_MODE_BARE;
    default:
        return IOMMU_MODE_TRANSLATE;
    }
}

/* ---------------------------------------------------------------------- */
/* Command queue                                                            */

/* IOTINVAL.VMA: first-stage entries of host address spaces (GV 0); with
 * PSCV those of PSCID only, global ones kept; with AV those covering
 * ADDR only. */
static void riscv_iommu_iotinval_vma(RiscvIommuState *s, uint64_t cmd0,
                                     uint64_t cmd1)
{
    if (cmd0 & RISCV_IOMMU_CMD_GV) {
        return; /* guest address spaces: there are none */
    }
    bool pscv = cmd0 & RISCV_IOMMU_CMD_PSCV;
    bool av = cmd0 & RISCV_IOMMU_CMD_AV;
    uint32_t pscid = (uint32_t)(cmd0 >> 12) & 0xfffff;
    uint64_t addr = ((cmd1 >> 10) & ((1ull << 52) - 1)) << 12;
    for (unsigned i = 0; i < RISCV_IOMMU_IOTLB_SIZE; i++) {
        RiscvIommuIotlbEntry *e = &s->iotlb[i];
        if (e->valid && (!pscv || (e->pscid == pscid && !e->global)) &&
            (!av || addr - e->va < e->size)) {
            e->valid = false;
        }
    }
    iommu_invalidated(&s->parent_obj);
}

/* IODIR.INVAL_DDT: the cached device context of DID, or all (DV 0).  The
 * IOTLB entries of those devices go too: a new context may point at other
 * page tables. */
static void riscv_iommu_iodir_inval_ddt(RiscvIommuState *s, uint64_t cmd0)
{
    bool dv = cmd0 & RISCV_IOMMU_CMD_IODIR_DV;
    uint32_t did = (uint32_t)(cmd0 >> 40);
    for (unsigned i = 0; i < RISCV_IOMMU_DC_CACHE_SIZE; i++) {
        if (!dv || s->dc_cache[i].device_id == did) {
            s->dc_cache[i].valid = false;
        }
    }
    for (unsigned i = 0; i < RISCV_IOMMU_IOTLB_SIZE; i++) {
        if (!dv || s->iotlb[i].device_id == did) {
            s->iotlb[i].valid = false;
        }
    }
    iommu_invalidated(&s->parent_obj);
}

/* Reserved bits of each command (the specification's command formats):
 * a command with one set is illegal. */
#define RISCV_IOMMU_IOTINVAL_RSVD0                                             \
    ((1ull << 11) | (0x3ffull << 34) | (0xfull << 60))
#define RISCV_IOMMU_IOTINVAL_RSVD1 (0x3ffull | (3ull << 62))
#define RISCV_IOMMU_IOFENCE_RSVD0 (0x3ffffull << 14)
#define RISCV_IOMMU_IOFENCE_RSVD1 (3ull << 62)
#define RISCV_IOMMU_IODIR_RSVD0 ((3ull << 10) | (1ull << 32) | (0x3full << 34))

/* Runs one command; false when the queue stops at it (cmd_ill, or cqmf
 * from IOFENCE.C's write), cqh staying on it. */
static bool riscv_iommu_run_command(RiscvIommuState *s, uint64_t cmd0,
                                    uint64_t cmd1)
{
    unsigned opcode = (unsigned)(cmd0 & 0x7f);
    unsigned func3 = (unsigned)(cmd0 >> 7) & 7;
    probe_riscviommu_command(opcode, func3, cmd0, cmd1);
    switch (opcode) {
    case RISCV_IOMMU_CMD_IOTINVAL:
        if ((cmd0 & RISCV_IOMMU_IOTINVAL_RSVD0) ||
            (cmd1 & RISCV_IOMMU_IOTINVAL_RSVD1) || func3 > 1 ||
            (func3 == 1 && (cmd0 & RISCV_IOMMU_CMD_PSCV))) {
            break;
        }
        if (func3 == 0) {
            riscv_iommu_iotinval_vma(s, cmd0, cmd1);
        }
        /* GVMA: no second-stage translation is ever cached. */
        return true;
    case RISCV_IOMMU_CMD_IODIR:
        if ((cmd0 & RISCV_IOMMU_IODIR_RSVD0) || cmd1 != 0 || func3 > 1 ||
            (func3 == 0 && (cmd0 >> 12) & 0xfffff) ||
            (func3 == 1 && !(cmd0 & RISCV_IOMMU_CMD_IODIR_DV)) ||
            ((cmd0 & RISCV_IOMMU_CMD_IODIR_DV) &&
             (s->ddtp & RISCV_IOMMU_DDTP_MODE_MASK) >= RISCV_IOMMU_DDTP_1LVL &&
             !riscv_iommu_device_id_fits(s->ddtp, (uint32_t)(cmd0 >> 40)))) {
            /* Also a DID wider than the DDT mode reaches. */
            break;
        }
        if (func3 == 0) {
            riscv_iommu_iodir_inval_ddt(s, cmd0);
        }
        /* INVAL_PDT: no process context is ever cached. */
        return true;
    case RISCV_IOMMU_CMD_IOFENCE:
        if ((cmd0 & RISCV_IOMMU_IOFENCE_RSVD0) ||
            (cmd1 & RISCV_IOMMU_IOFENCE_RSVD1) || func3 != 0) {
            break;
        }
        /* Every earlier command and DMA is complete already: the fence
         * only has to say so. */
        if (cmd0 & RISCV_IOMMU_CMD_AV) {
            uint64_t addr = (cmd1 & ((1ull << 62) - 1)) << 2;
            uint32_t data = (uint32_t)(cmd0 >> 32);
            if (!riscv_iommu_is_ram(s, addr, 4) ||
                address_space_st(s->dma_as, addr, 4, data) != MEMTX_OK) {
                s->cqcsr |= RISCV_IOMMU_CQCSR_CQMF;
                return false;
            }
        }
        if (cmd0 & RISCV_IOMMU_CMD_IOFENCE_WSI) {
            s->cqcsr |= RISCV_IOMMU_CQCSR_FENCE_W_IP;
        }
        return true;
    default:
        break;
    }
    log_item(LOG_ITEM_GUEST_ERROR,
             "riscv-iommu: illegal command 0x%016" PRIx64 " 0x%016" PRIx64
             " at cqh=%" PRIu32,
             cmd0, cmd1, s->cqh);
    s->cqcsr |= RISCV_IOMMU_CQCSR_CMD_ILL;
    return false;
}

/* Runs the commands between cqh and cqt while the queue is on and no
 * error stops it. */
static void riscv_iommu_process_commands(RiscvIommuState *s)
{
    uint32_t mask = riscv_iommu_queue_mask(s->cqb);
    uint64_t base = riscv_iommu_ppn_addr(s->cqb);
    while ((s->cqcsr & RISCV_IOMMU_CQCSR_CQON) &&
           !(s->cqcsr & RISCV_IOMMU_CQCSR_ERRORS) &&
           (s->cqh & mask) != (s->cqt & mask)) {
        uint64_t cmd[2];
        if (!riscv_iommu_load(s, base + (uint64_t)s->cqh * RISCV_IOMMU_CMD_SIZE,
                              cmd, 2)) {
            s->cqcsr |= RISCV_IOMMU_CQCSR_CQMF;
            break;
        }
        if (!riscv_iommu_run_command(s, cmd[0], cmd[1])) {
            break;
        }
        s->cqh = (s->cqh + 1) & mask;
    }
    riscv_iommu_update_irq(s);
}

/* ---------------------------------------------------------------------- */
/* Registers                                                                */

static void riscv_iommu_write_ddtp(RiscvIommuState *s, uint64_t value)
{
    unsigned old_mode = (unsigned)(s->ddtp & RISCV_IOMMU_DDTP_MODE_MASK);
    unsigned mode = (unsigned)(value & RISCV_IOMMU_DDTP_MODE_MASK);
    bool old_ddt = old_mode >= RISCV_IOMMU_DDTP_1LVL;
    if (mode > RISCV_IOMMU_DDTP_3LVL ||
        (old_ddt && mode >= RISCV_IOMMU_DDTP_1LVL && mode != old_mode)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "riscv-iommu: ddtp mode %u refused (from mode %u: a DDT "
                 "mode is entered from Off or Bare)",
                 mode, old_mode);
        mode = old_mode;
    }
    s->ddtp = (value & RISCV_IOMMU_PPN_MASK) | mode;
    riscv_iommu_flush_caches(s);
}

static void riscv_iommu_write_cqcsr(RiscvIommuState *s, uint32_t value)
{
    uint32_t rw1c = RISCV_IOMMU_CQCSR_ERRORS | RISCV_IOMMU_CQCSR_FENCE_W_IP;
    s->cqcsr &= ~(value & rw1c);
    if ((value & RISCV_IOMMU_CQCSR_CQEN) &&
        !(s->cqcsr & RISCV_IOMMU_CQCSR_CQEN)) {
        s->cqh = 0;
        s->cqcsr &= ~rw1c;
        s->cqcsr |= RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CQON;
    } else if (!(value & RISCV_IOMMU_CQCSR_CQEN)) {
        s->cqcsr &= ~(RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CQON);
    }
    s->cqcsr =
        (s->cqcsr & ~RISCV_IOMMU_CQCSR_CIE) | (value & RISCV_IOMMU_CQCSR_CIE);
    riscv_iommu_process_commands(s);
}

static void riscv_iommu_write_fqcsr(RiscvIommuState *s, uint32_t value)
{
    uint32_t rw1c = RISCV_IOMMU_FQCSR_FQMF | RISCV_IOMMU_FQCSR_FQOF;
    s->fqcsr &= ~(value & rw1c);
    if ((value & RISCV_IOMMU_FQCSR_FQEN) &&
        !(s->fqcsr & RISCV_IOMMU_FQCSR_FQEN)) {
        s->fqt = 0;
        s->fqcsr &= ~rw1c;
        s->fqcsr |= RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FQON;
    } else if (!(value & RISCV_IOMMU_FQCSR_FQEN)) {
        s->fqcsr &= ~(RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FQON);
    }
    s->fqcsr =
        (s->fqcsr & ~RISCV_IOMMU_FQCSR_FIE) | (value & RISCV_IOMMU_FQCSR_FIE);
    riscv_iommu_update_irq(s);
}

/* A queue base changes only while its queue is off (the specification:
 * the register is writable when cqon/fqon is 0). */
static uint64_t riscv_iommu_queue_base(uint64_t value)
{
    return value & (RISCV_IOMMU_PPN_MASK | RISCV_IOMMU_QB_LOG2SZM1_MASK);
}

/* The value of the 8-byte register at reg (its first offset). */
static uint64_t riscv_iommu_reg64(const RiscvIommuState *s, hwaddr reg)
{
    switch (reg) {
    case RISCV_IOMMU_CAPABILITIES:
        return RISCV_IOMMU_CAPABILITIES_VALUE;
    case RISCV_IOMMU_DDTP:
        return s->ddtp;
    case RISCV_IOMMU_CQB:
        return s->cqb;
    case RISCV_IOMMU_FQB:
        return s->fqb;
    case RISCV_IOMMU_TR_REQ_IOVA:
        return s->tr_req_iova;
    case RISCV_IOMMU_TR_REQ_CTL:
        return s->tr_req_ctl;
    case RISCV_IOMMU_TR_RESPONSE:
        return s->tr_response;
    default:
        return 0; /* pqb, icvec: no page-request queue, one vector */
    }
}

static bool riscv_iommu_is_reg64(hwaddr reg)
{
    return reg == RISCV_IOMMU_CAPABILITIES || reg == RISCV_IOMMU_DDTP ||
           reg == RISCV_IOMMU_CQB || reg == RISCV_IOMMU_FQB ||
           reg == RISCV_IOMMU_PQB || reg == RISCV_IOMMU_ICVEC ||
           reg == RISCV_IOMMU_TR_REQ_IOVA || reg == RISCV_IOMMU_TR_REQ_CTL ||
           reg == RISCV_IOMMU_TR_RESPONSE;
}

static uint32_t riscv_iommu_reg32(const RiscvIommuState *s, hwaddr reg)
{
    switch (reg) {
    case RISCV_IOMMU_FCTL:
        return RISCV_IOMMU_FCTL_WSI;
    case RISCV_IOMMU_CQH:
        return s->cqh;
    case RISCV_IOMMU_CQT:
        return s->cqt;
    case RISCV_IOMMU_FQH:
        return s->fqh;
    case RISCV_IOMMU_FQT:
        return s->fqt;
    case RISCV_IOMMU_CQCSR:
        return s->cqcsr;
    case RISCV_IOMMU_FQCSR:
        return s->fqcsr;
    case RISCV_IOMMU_IPSR:
        return s->ipsr;
    default:
        return 0; /* pqh, pqt, pqcsr, and what the capabilities leave out */
    }
}

/* Whether an access of size at addr is one the specification defines: 4
 * bytes at a register or either half of an 8-byte one, 8 bytes at an
 * 8-byte register. */
static bool riscv_iommu_access_ok(hwaddr addr, unsigned size, const char *what)
{
    bool ok = (size == 4 && addr % 4 == 0 && addr < RISCV_IOMMU_MMIO_SIZE) ||
              (size == 8 && riscv_iommu_is_reg64(addr));
    if (!ok) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "riscv-iommu: bad %s offset=0x%03" PRIx64 " size=%u", what,
                 addr, size);
    }
    return ok;
}

static uint64_t riscv_iommu_read(void *opaque, hwaddr addr, unsigned size)
{
    RiscvIommuState *s = opaque;
    uint64_t value = 0;
    if (riscv_iommu_access_ok(addr, size, "read")) {
        if (size == 8) {
            value = riscv_iommu_reg64(s, addr);
        } else if (riscv_iommu_is_reg64(addr & ~7ull)) {
            value = (uint32_t)(riscv_iommu_reg64(s, addr & ~7ull) >>
                               (addr & 4 ? 32 : 0));
        } else {
            value = riscv_iommu_reg32(s, addr);
        }
    }
    probe_riscviommu_read(addr, size, value);
    return value;
}

static void riscv_iommu_write64(RiscvIommuState *s, hwaddr reg, uint64_t value)
{
    switch (reg) {
    case RISCV_IOMMU_DDTP:
        riscv_iommu_write_ddtp(s, value);
        break;
    case RISCV_IOMMU_CQB:
        if (s->cqcsr & (RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CQON)) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "riscv-iommu: cqb written while the command queue is on");
        } else {
            /* The indexes hold as many bits as the new queue has. */
            s->cqb = riscv_iommu_queue_base(value);
            s->cqh &= riscv_iommu_queue_mask(s->cqb);
            s->cqt &= riscv_iommu_queue_mask(s->cqb);
        }
        break;
    case RISCV_IOMMU_FQB:
        if (s->fqcsr & (RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FQON)) {
            log_item(LOG_ITEM_GUEST_ERROR,
                     "riscv-iommu: fqb written while the fault queue is on");
        } else {
            s->fqb = riscv_iommu_queue_base(value);
            s->fqh &= riscv_iommu_queue_mask(s->fqb);
            s->fqt &= riscv_iommu_queue_mask(s->fqb);
        }
        break;
    case RISCV_IOMMU_TR_REQ_IOVA:
        s->tr_req_iova = value & ~0xfffull;
        break;
    case RISCV_IOMMU_TR_REQ_CTL:
        /* Go is write-1-to-set; PV, Priv and Exe stay 0 (no process
         * contexts, no execute requests). */
        s->tr_req_ctl =
            (s->tr_req_ctl & RISCV_IOMMU_TR_REQ_GO) |
            (value & (RISCV_IOMMU_TR_REQ_GO | RISCV_IOMMU_TR_REQ_NW |
                      RISCV_IOMMU_TR_REQ_DID_MASK));
        if (s->tr_req_ctl & RISCV_IOMMU_TR_REQ_GO) {
            riscv_iommu_debug_translate(s);
        }
        break;
    default:
        break; /* capabilities, tr_response (read-only), pqb, icvec (WARL
                * 0) */
    }
}

static void riscv_iommu_write32(RiscvIommuState *s, hwaddr reg, uint32_t value)
{
    switch (reg) {
    case RISCV_IOMMU_CQT:
        s->cqt = value & riscv_iommu_queue_mask(s->cqb);
        riscv_iommu_process_commands(s);
        break;
    case RISCV_IOMMU_FQH:
        s->fqh = value & riscv_iommu_queue_mask(s->fqb);
        break;
    case RISCV_IOMMU_CQCSR:
        riscv_iommu_write_cqcsr(s, value);
        break;
    case RISCV_IOMMU_FQCSR:
        riscv_iommu_write_fqcsr(s, value);
        break;
    case RISCV_IOMMU_IPSR:
        s->ipsr &= ~(value & (RISCV_IOMMU_IPSR_CIP | RISCV_IOMMU_IPSR_FIP));
        riscv_iommu_update_irq(s);
        break;
    default:
        break; /* fctl, cqh, fqt (read-only here), and the absent ones */
    }
}

static void riscv_iommu_write(void *opaque, hwaddr addr, uint64_t value,
                              unsigned size)
{
    RiscvIommuState *s = opaque;
    probe_riscviommu_write(addr, size, value);
    if (!riscv_iommu_access_ok(addr, size, "write")) {
        return;
    }
    hwaddr reg64 = addr & ~7ull;
    if (size == 8) {
        riscv_iommu_write64(s, addr, value);
    } else if (riscv_iommu_is_reg64(reg64)) {
        /* One half of an 8-byte register: the other half stays. */
        uint64_t old = riscv_iommu_reg64(s, reg64);
        unsigned shift = addr & 4 ? 32 : 0;
        uint64_t merged = (old & ~(0xffffffffull << shift)) |
                          ((value & 0xffffffffull) << shift);
        riscv_iommu_write64(s, reg64, merged);
    } else {
        riscv_iommu_write32(s, addr, (uint32_t)value);
    }
}

static const MemoryRegionOps riscv_iommu_ops = {
    .read = riscv_iommu_read,
    .write = riscv_iommu_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the
     * specification leaves UNSPECIFIED instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
    .impl = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
};

/* ---------------------------------------------------------------------- */
/* Lifecycle and migration                                                  */

static void riscv_iommu_reset(DeviceState *dev)
{
    RiscvIommuState *s = RISCV_IOMMU(dev);
    s->ddtp = RISCV_IOMMU_DDTP_OFF;
    s->cqb = 0;
    s->cqh = 0;
    s->cqt = 0;
    s->fqb = 0;
    s->fqh = 0;
    s->fqt = 0;
    s->cqcsr = 0;
    s->fqcsr = 0;
    s->ipsr = 0;
    s->tr_req_iova = 0;
    s->tr_req_ctl = 0;
    s->tr_response = 0;
    s->dc_next = 0;
    s->iotlb_next = 0;
    riscv_iommu_flush_caches(s);
    riscv_iommu_update_irq(s);
}

static void riscv_iommu_instance_init(Object *obj)
{
    RiscvIommuState *s = RISCV_IOMMU(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);
    memory_region_init_io(&s->iomem, obj, &riscv_iommu_ops, s, "riscv-iommu",
                          RISCV_IOMMU_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    s->dma_as = get_address_space_memory();
}

static void riscv_iommu_instance_finalize(Object *obj)
{
    memory_region_destroy(&RISCV_IOMMU(obj)->iomem);
}

/* The DEVICE_PROP_REGISTERS text (-d dev_regs). */
static bool riscv_iommu_get_registers(Object *obj, ObjectProperty *prop,
                                      PropValue *out, Error **errp)
{
    const RiscvIommuState *s = RISCV_IOMMU(obj);
    (void)prop;
    if (asprintf(&out->s,
                 "ddtp=0x%" PRIx64 " cqb=0x%" PRIx64 " cqh=0x%" PRIx32
                 " cqt=0x%" PRIx32 " fqb=0x%" PRIx64 " fqh=0x%" PRIx32
                 " fqt=0x%" PRIx32 " cqcsr=0x%" PRIx32 " fqcsr=0x%" PRIx32
                 " ipsr=0x%" PRIx32 " tr_req_iova=0x%" PRIx64
                 " tr_req_ctl=0x%" PRIx64 " tr_response=0x%" PRIx64,
                 s->ddtp, s->cqb, s->cqh, s->cqt, s->fqb, s->fqh, s->fqt,
                 s->cqcsr, s->fqcsr, s->ipsr, s->tr_req_iova, s->tr_req_ctl,
                 s->tr_response) < 0) {
        out->s = NULL;
        error_setg(errp, "riscv-iommu: out of memory rendering the registers");
        return false;
    }
    return true;
}

static bool riscv_iommu_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvIommuState *s = opaque;
    (void)version_id;
    unsigned mode = (unsigned)(s->ddtp & RISCV_IOMMU_DDTP_MODE_MASK);
    uint32_t cq_mask = riscv_iommu_queue_mask(s->cqb);
    uint32_t fq_mask = riscv_iommu_queue_mask(s->fqb);
    if (mode > RISCV_IOMMU_DDTP_3LVL || (s->cqh & ~cq_mask) ||
        (s->cqt & ~cq_mask) || (s->fqh & ~fq_mask) || (s->fqt & ~fq_mask)) {
        error_setg(errp,
                   "riscv-iommu: ddtp mode %u or a queue index outside its "
                   "queue",
                   mode);
        return false;
    }
    riscv_iommu_flush_caches(s);
    riscv_iommu_update_irq(s);
    return true;
}

/* Migration: the registers software sees.  The caches are not saved: a
 * resumed IOMMU starts with them empty, as hardware may at any time.  The
 * interrupt output follows from ipsr. */
static const VMStateField riscv_iommu_fields[] = {
    VMSTATE_UINT64_CHECKED(ddtp, RiscvIommuState,
                           RISCV_IOMMU_PPN_MASK | RISCV_IOMMU_DDTP_MODE_MASK,
                           0),
    VMSTATE_UINT64_CHECKED(cqb, RiscvIommuState,
                           RISCV_IOMMU_PPN_MASK | RISCV_IOMMU_QB_LOG2SZM1_MASK,
                           0),
    VMSTATE_UINT32(cqh, RiscvIommuState),
    VMSTATE_UINT32(cqt, RiscvIommuState),
    VMSTATE_UINT64_CHECKED(fqb, RiscvIommuState,
                           RISCV_IOMMU_PPN_MASK | RISCV_IOMMU_QB_LOG2SZM1_MASK,
                           0),
    VMSTATE_UINT32(fqh, RiscvIommuState),
    VMSTATE_UINT32(fqt, RiscvIommuState),
    VMSTATE_UINT32_CHECKED(cqcsr, RiscvIommuState,
                           RISCV_IOMMU_CQCSR_CQEN | RISCV_IOMMU_CQCSR_CIE |
                               RISCV_IOMMU_CQCSR_ERRORS |
                               RISCV_IOMMU_CQCSR_FENCE_W_IP |
                               RISCV_IOMMU_CQCSR_CQON,
                           0),
    VMSTATE_UINT32_CHECKED(fqcsr, RiscvIommuState,
                           RISCV_IOMMU_FQCSR_FQEN | RISCV_IOMMU_FQCSR_FIE |
                               RISCV_IOMMU_FQCSR_FQMF | RISCV_IOMMU_FQCSR_FQOF |
                               RISCV_IOMMU_FQCSR_FQON,
                           0),
    VMSTATE_UINT32_CHECKED(ipsr, RiscvIommuState,
                           RISCV_IOMMU_IPSR_CIP | RISCV_IOMMU_IPSR_FIP, 0),
    VMSTATE_UINT64_CHECKED(tr_req_iova, RiscvIommuState, ~0xfffull, 0),
    VMSTATE_UINT64_CHECKED(tr_req_ctl, RiscvIommuState,
                           RISCV_IOMMU_TR_REQ_NW | RISCV_IOMMU_TR_REQ_DID_MASK,
                           0),
    VMSTATE_UINT64(tr_response, RiscvIommuState),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_riscv_iommu = {
    .name = "riscv-iommu",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = riscv_iommu_fields,
    .post_load = riscv_iommu_post_load,
};

static void riscv_iommu_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    IOMMUClass *ic = IOMMU_CLASS(klass);
    (void)data;

    dc->desc = "RISC-V IOMMU";
    dc->reset = riscv_iommu_reset;
    dc->vmsd = &vmstate_riscv_iommu;
    ic->translate = riscv_iommu_translate;
    ic->get_mode = riscv_iommu_get_mode;
    object_class_property_add(klass, DEVICE_PROP_REGISTERS, PROP_TYPE_STRING,
                              riscv_iommu_get_registers, NULL, NULL,
                              "guest-visible registers (read-only)");
}

static const TypeInfo riscv_iommu_info = {
    .name = TYPE_RISCV_IOMMU,
    .parent = TYPE_IOMMU,
    .instance_size = sizeof(RiscvIommuState),
    .class_init = riscv_iommu_class_init,
    .instance_init = riscv_iommu_instance_init,
    .instance_finalize = riscv_iommu_instance_finalize,
};

/* Registered before main(); hw_dep links the device library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void riscv_iommu_register_types(void)
{
    type_register_static(&riscv_iommu_info);
}

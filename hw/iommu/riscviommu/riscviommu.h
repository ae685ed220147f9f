/*
 * The RISC-V IOMMU (RISC-V IOMMU Architecture Specification, version 1.0),
 * in the subset a driver needs to map pages for the devices behind it:
 *
 *   - ddtp: modes Off, Bare, 1LVL, 2LVL and 3LVL (base-format device
 *     contexts of 32 bytes, capabilities.MSI_FLAT 0); a write that asks
 *     for a reserved mode, or moves between two DDT modes without going
 *     through Off or Bare (UNSPECIFIED in the specification), keeps the
 *     old value;
 *   - device contexts with first-stage translation only: iohgatp Bare,
 *     fsc.MODE Bare or Sv39 (PDTV 0, no process contexts), tc.V and
 *     tc.DTF; the other tc bits, a non-zero iohgatp and reserved bits are
 *     "DDT entry misconfigured" (259).  PSCID (ta) tags the IOTLB;
 *   - requests are untranslated reads and writes without a process_id,
 *     so they are U-mode: a leaf PTE needs U, A, and D for a write (no
 *     hardware A/D update, capabilities.AMO_HWAD 0);
 *   - the command queue (cqb, cqh, cqt, cqcsr) with IOTINVAL.VMA,
 *     IOTINVAL.GVMA (nothing to drop: no second stage), IODIR.INVAL_DDT,
 *     IODIR.INVAL_PDT (no process contexts: nothing to drop) and IOFENCE.C
 *     with its optional 4-byte write (AV) and wired interrupt (WSI);
 *     other opcodes set cmd_ill.  Commands run within the write of cqt
 *     (or of cqcsr that enables the queue or clears an error), so busy
 *     reads 0;
 *   - the fault queue (fqb, fqh, fqt, fqcsr) with its 32-byte records,
 *     overflow (fqof) and memory fault (fqmf);
 *   - wired interrupts only (capabilities.IGS = WSI, fctl.WSI reads 1)
 *     with a single vector: icvec reads 0 (WARL) and both causes drive
 *     IRQ output 0 while their ipsr bit is set;
 *   - the debug interface (capabilities.DBG): tr_req_ctl.Go translates
 *     tr_req_iova for its DID as an untranslated read (NW) or read-write
 *     request, faults going to the fault queue as for a device, and
 *     clears Go within the write; tr_response as the specification
 *     encodes it (S and the superpage size in PPN).  PV, Priv and Exe
 *     read 0;
 *   - little-endian only (fctl.BE 0); no ATS, page-request queue,
 *     performance monitor, QoS IDs or MSI translation: their registers
 *     read 0 and ignore writes.
 *
 * Tables, queues and IOFENCE.C writes must lie in RAM: any other address
 * is an access fault (the specification's PMA violation).  Caches: the
 * device contexts of the last RISCV_IOMMU_DC_CACHE_SIZE device IDs
 * (dropped by IODIR.INVAL_DDT) and RISCV_IOMMU_IOTLB_SIZE first-stage
 * translations (dropped by IOTINVAL.VMA); both are empty after a write
 * of ddtp, a reset or a snapshot load, so software that invalidates as
 * the specification says never sees a stale entry.
 *
 * Sysbus: MMIO region 0 (RISCV_IOMMU_MMIO_SIZE), IRQ output 0.
 */
#ifndef RIVET_HW_IOMMU_RISCVIOMMU_H
#define RIVET_HW_IOMMU_RISCVIOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "hwcore/iommu.h"

#define TYPE_RISCV_IOMMU "riscv-iommu"

/* Register offsets (the specification's "IOMMU Memory-mapped register
 * layout"). */
typedef enum RiscvIommuRegister {
    RISCV_IOMMU_CAPABILITIES = 0x00, /* 8 bytes */
    RISCV_IOMMU_FCTL = 0x08,
    RISCV_IOMMU_DDTP = 0x10, /* 8 bytes */
    RISCV_IOMMU_CQB = 0x18,  /* 8 bytes */
    RISCV_IOMMU_CQH = 0x20,
    RISCV_IOMMU_CQT = 0x24,
    RISCV_IOMMU_FQB = 0x28, /* 8 bytes */
    RISCV_IOMMU_FQH = 0x30,
    RISCV_IOMMU_FQT = 0x34,
    RISCV_IOMMU_PQB = 0x38, /* 8 bytes */
    RISCV_IOMMU_PQH = 0x40,
    RISCV_IOMMU_PQT = 0x44,
    RISCV_IOMMU_CQCSR = 0x48,
    RISCV_IOMMU_FQCSR = 0x4c,
    RISCV_IOMMU_PQCSR = 0x50,
    RISCV_IOMMU_IPSR = 0x54,
    RISCV_IOMMU_TR_REQ_IOVA = 0x258, /* 8 bytes */
    RISCV_IOMMU_TR_REQ_CTL = 0x260,  /* 8 bytes */
    RISCV_IOMMU_TR_RESPONSE = 0x268, /* 8 bytes */
    RISCV_IOMMU_ICVEC = 0x2f8,       /* 8 bytes */
} RiscvIommuRegister;

/* capabilities: version 1.0, Sv39, wired interrupts, the debug interface,
 * 56-bit physical addresses. */
#define RISCV_IOMMU_CAP_VERSION 0x10ull
#define RISCV_IOMMU_CAP_SV39 (1ull << 9)
#define RISCV_IOMMU_CAP_IGS_WSI (1ull << 28)
#define RISCV_IOMMU_CAP_DBG (1ull << 31)
#define RISCV_IOMMU_PAS_BITS 56
#define RISCV_IOMMU_CAPABILITIES_VALUE                                         \
    (RISCV_IOMMU_CAP_VERSION | RISCV_IOMMU_CAP_SV39 |                          \
     RISCV_IOMMU_CAP_IGS_WSI | RISCV_IOMMU_CAP_DBG |                           \
     ((uint64_t)RISCV_IOMMU_PAS_BITS << 32))

/* The debug interface: tr_req_ctl and tr_response bits. */
#define RISCV_IOMMU_TR_REQ_GO (1ull << 0)
#define RISCV_IOMMU_TR_REQ_NW (1ull << 3)
#define RISCV_IOMMU_TR_REQ_DID_MASK (0xffffffull << 40)
#define RISCV_IOMMU_TR_RESPONSE_FAULT (1ull << 0)
#define RISCV_IOMMU_TR_RESPONSE_S (1ull << 9)

/* fctl: BE 0 (little-endian), WSI 1, GXL 0; read-only here. */
#define RISCV_IOMMU_FCTL_WSI (1u << 1)

/* ddtp, cqb, fqb: PPN in bits 53:10. */
#define RISCV_IOMMU_PPN_SHIFT 10
#define RISCV_IOMMU_PPN_MASK (((1ull << 44) - 1) << RISCV_IOMMU_PPN_SHIFT)
#define RISCV_IOMMU_DDTP_MODE_MASK 0xfull
/* cqb, fqb: LOG2SZ-1 in bits 4:0. */
#define RISCV_IOMMU_QB_LOG2SZM1_MASK 0x1full

typedef enum RiscvIommuDdtMode {
    RISCV_IOMMU_DDTP_OFF = 0,
    RISCV_IOMMU_DDTP_BARE = 1,
    RISCV_IOMMU_DDTP_1LVL = 2,
    RISCV_IOMMU_DDTP_2LVL = 3,
    RISCV_IOMMU_DDTP_3LVL = 4,
} RiscvIommuDdtMode;

/* cqcsr and fqcsr bits. */
#define RISCV_IOMMU_CQCSR_CQEN (1u << 0)
#define RISCV_IOMMU_CQCSR_CIE (1u << 1)
#define RISCV_IOMMU_CQCSR_CQMF (1u << 8)
#define RISCV_IOMMU_CQCSR_CMD_TO (1u << 9)
#define RISCV_IOMMU_CQCSR_CMD_ILL (1u << 10)
#define RISCV_IOMMU_CQCSR_FENCE_W_IP (1u << 11)
#define RISCV_IOMMU_CQCSR_CQON (1u << 16)
#define RISCV_IOMMU_CQCSR_ERRORS                                               \
    (RISCV_IOMMU_CQCSR_CQMF | RISCV_IOMMU_CQCSR_CMD_TO |                       \
     RISCV_IOMMU_CQCSR_CMD_ILL)
#define RISCV_IOMMU_FQCSR_FQEN (1u << 0)
#define RISCV_IOMMU_FQCSR_FIE (1u << 1)
#define RISCV_IOMMU_FQCSR_FQMF (1u << 8)
#define RISCV_IOMMU_FQCSR_FQOF (1u << 9)
#define RISCV_IOMMU_FQCSR_FQON (1u << 16)

/* ipsr bits (write 1 to clear). */
#define RISCV_IOMMU_IPSR_CIP (1u << 0)
#define RISCV_IOMMU_IPSR_FIP (1u << 1)

/* Device context, base format: four doublewords. */
#define RISCV_IOMMU_DC_SIZE 32
#define RISCV_IOMMU_DC_TC_V (1ull << 0)
#define RISCV_IOMMU_DC_TC_DTF (1ull << 4)
#define RISCV_IOMMU_DC_TA_PSCID_SHIFT 12
#define RISCV_IOMMU_DC_TA_PSCID_MASK (0xfffffull << 12)
#define RISCV_IOMMU_DC_FSC_MODE_SHIFT 60
#define RISCV_IOMMU_DC_FSC_PPN_MASK ((1ull << 44) - 1)
#define RISCV_IOMMU_FSC_BARE 0
#define RISCV_IOMMU_FSC_SV39 8
/* Non-leaf DDT entry: V, PPN in bits 53:10. */
#define RISCV_IOMMU_DDTE_V (1ull << 0)

/* Sv39 page-table entries (the privileged architecture's). */
#define RISCV_IOMMU_PTE_V (1ull << 0)
#define RISCV_IOMMU_PTE_R (1ull << 1)
#define RISCV_IOMMU_PTE_W (1ull << 2)
#define RISCV_IOMMU_PTE_X (1ull << 3)
#define RISCV_IOMMU_PTE_U (1ull << 4)
#define RISCV_IOMMU_PTE_G (1ull << 5)
#define RISCV_IOMMU_PTE_A (1ull << 6)
#define RISCV_IOMMU_PTE_D (1ull << 7)
/* Bits 63:54: N, PBMT and reserved; none is implemented. */
#define RISCV_IOMMU_PTE_HIGH_MASK (0x3ffull << 54)

/* Commands: 16 bytes; opcode in bits 6:0, func3 in bits 9:7. */
#define RISCV_IOMMU_CMD_SIZE 16
typedef enum RiscvIommuOpcode {
    RISCV_IOMMU_CMD_IOTINVAL = 1, /* func3 0 VMA, 1 GVMA */
    RISCV_IOMMU_CMD_IOFENCE = 2,  /* func3 0 C */
    RISCV_IOMMU_CMD_IODIR = 3,    /* func3 0 INVAL_DDT, 1 INVAL_PDT */
} RiscvIommuOpcode;
#define RISCV_IOMMU_CMD_AV (1ull << 10)
#define RISCV_IOMMU_CMD_IOFENCE_WSI (1ull << 11)
#define RISCV_IOMMU_CMD_IOFENCE_PR (1ull << 12)
#define RISCV_IOMMU_CMD_IOFENCE_PW (1ull << 13)
#define RISCV_IOMMU_CMD_PSCV (1ull << 32)
#define RISCV_IOMMU_CMD_GV (1ull << 33)
#define RISCV_IOMMU_CMD_IODIR_DV (1ull << 33)

/* Fault records: 32 bytes. */
#define RISCV_IOMMU_FQ_RECORD_SIZE 32
typedef enum RiscvIommuTtyp {
    RISCV_IOMMU_TTYP_UNTRANSLATED_READ = 2,
    RISCV_IOMMU_TTYP_UNTRANSLATED_WRITE = 3,
} RiscvIommuTtyp;

#define RISCV_IOMMU_MMIO_SIZE 0x1000
#define RISCV_IOMMU_DC_CACHE_SIZE 8
#define RISCV_IOMMU_IOTLB_SIZE 32

/* A cached device context. */
typedef struct RiscvIommuDcEntry {
    bool valid;
    uint32_t device_id;
    uint64_t tc, ta, fsc;
} RiscvIommuDcEntry;

/* A cached first-stage translation: [va, va + size) -> pa. */
typedef struct RiscvIommuIotlbEntry {
    bool valid;
    bool global;   /* the PTE's G bit */
    bool readable; /* R, U and A */
    bool writable; /* W, U, A and D */
    uint32_t device_id;
    uint32_t pscid;
    uint64_t va, pa, size;
} RiscvIommuIotlbEntry;

typedef struct RiscvIommuState {
    IOMMU parent_obj;
    MemoryRegion iomem;
    IRQ irq;
    /* Where the tables, queues and DMA of the devices live: the system
     * address space (a unit test may point it elsewhere before realize). */
    AddressSpace *dma_as;

    /* Guest-visible state, saved by vmstate_riscv_iommu. */
    uint64_t ddtp;
    uint64_t cqb;
    uint32_t cqh;
    uint32_t cqt;
    uint64_t fqb;
    uint32_t fqh;
    uint32_t fqt;
    uint32_t cqcsr;
    uint32_t fqcsr;
    uint32_t ipsr;
    uint64_t tr_req_iova;
    uint64_t tr_req_ctl;
    uint64_t tr_response;

    /* Caches: not saved (emptied at load, as hardware may at any time). */
    RiscvIommuDcEntry dc_cache[RISCV_IOMMU_DC_CACHE_SIZE];
    unsigned dc_next;
    RiscvIommuIotlbEntry iotlb[RISCV_IOMMU_IOTLB_SIZE];
    unsigned iotlb_next;
} RiscvIommuState;

#define RISCV_IOMMU(obj) OBJECT_CHECK(RiscvIommuState, (obj), TYPE_RISCV_IOMMU)

extern const VMStateDescription vmstate_riscv_iommu;

#endif /* RIVET_HW_IOMMU_RISCVIOMMU_H */

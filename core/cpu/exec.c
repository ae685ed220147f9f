/*
 * The interpreter loop: fetch, decode and execute RV64IMAC + Zicsr +
 * Zifencei instructions.
 *
 * Speed comes from four choices.  Instructions are fetched and RAM is
 * accessed through cached host windows (one for code, two for data), so the
 * common case is a range check and a host load.  Instructions are decoded
 * once, into a cache that each use validates against the bits just fetched
 * (see "The decoded-instruction cache" below), and each decoded operation
 * jumps straight to its handler, which dispatches the next one itself.  The
 * hot state (pc, the instruction count, the code window) lives in locals;
 * everything that can change it from outside -- device callbacks, CSR
 * writes, traps -- goes through slow paths that resynchronise.  And the
 * rest (SYSTEM, AMOs, FENCE, illegal encodings) is one switch on the
 * opcode with no per-instruction indirect calls.
 *
 * Timing: instruction k of a slice (counting from 0) sees the virtual clock
 * at entry + k * VCLOCK_NS_PER_INSN.  The clock is only written before an
 * MMIO access, a CSR access and at exit, which are the only places anyone
 * else can read it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu-internal.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/vclock.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

enum {
    OPC_LOAD = 0x03,
    OPC_MISC_MEM = 0x0f,
    OPC_OP_IMM = 0x13,
    OPC_AUIPC = 0x17,
    OPC_OP_IMM_32 = 0x1b,
    OPC_STORE = 0x23,
    OPC_AMO = 0x2f,
    OPC_OP = 0x33,
    OPC_LUI = 0x37,
    OPC_OP_32 = 0x3b,
    OPC_BRANCH = 0x63,
    OPC_JALR = 0x67,
    OPC_JAL = 0x6f,
    OPC_SYSTEM = 0x73,
};

enum {
    AMO_ADD = 0x00,
    AMO_SWAP = 0x01,
    AMO_LR = 0x02,
    AMO_SC = 0x03,
    AMO_XOR = 0x04,
    AMO_OR = 0x08,
    AMO_AND = 0x0c,
    AMO_MIN = 0x10,
    AMO_MAX = 0x14,
    AMO_MINU = 0x18,
    AMO_MAXU = 0x1c,
};

#define INSN_ECALL 0x00000073u
#define INSN_EBREAK 0x00100073u
#define INSN_MRET 0x30200073u
#define INSN_WFI 0x10500073u

/* Little-endian guest accesses on any host. */
static inline uint64_t host_load(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    switch (size) {
    case 1:
        return p[0];
    case 2: {
        uint16_t h;
        memcpy(&h, p, 2);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        h = __builtin_bswap16(h);
#endif
        return h;
    }
    case 4: {
        uint32_t w;
        memcpy(&w, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap32(w);
#endif
        return w;
    }
    default:
        memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return v;
    }
}

static inline void host_store(uint8_t *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        p[0] = (uint8_t)v;
        break;
    case 2: {
        uint16_t h = (uint16_t)v;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        h = __builtin_bswap16(h);
#endif
        memcpy(p, &h, 2);
        break;
    }
    case 4: {
        uint32_t w = (uint32_t)v;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap32(w);
#endif
        memcpy(p, &w, 4);
        break;
    }
    default:
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        memcpy(p, &v, 8);
        break;
    }
}

/* A direct host mapping of [base, base + size) of guest RAM.  Bounds are
 * shrunk to 8-byte alignment so that a naturally aligned access of up to 8
 * bytes is inside the window as soon as its first byte is: one compare on
 * the fast path. */
typedef struct HostWindow {
    uint8_t *host;
    hwaddr base;
    uint64_t size;
} HostWindow;

static HostWindow riscv_window_for(AddressSpace *as, hwaddr addr)
{
    HostWindow w = {NULL, 0, 0};
    const FlatRange *fr = address_space_lookup(as, addr);
    if (!fr || fr->mr->kind != MR_KIND_RAM || !fr->mr->ram) {
        return w;
    }
    hwaddr start = (fr->start + 7) & ~(hwaddr)7;
    hwaddr end = (fr->start + fr->size) & ~(hwaddr)7;
    if (end <= start || addr < start || addr >= end) {
        return w;
    }
    w.host = fr->mr->ram + fr->offset_in_region + (start - fr->start);
    w.base = start;
    w.size = end - start;
    return w;
}

/*
 * Fetch the instruction at pc through the address space, 16-bit parcel by
 * parcel: for the last halfword of a RAM range and for code in a device.
 * Returns the instruction in bits 31:0 and flags above it.  A fault is
 * precise: mtval is the address of the parcel that faulted (pc, or pc + 2
 * for the second half of a 32-bit instruction), and nothing was executed.
 * (A return value rather than pointers: the loop's insn stays a register.)
 */
#define FETCH_FROM_DEVICE (1ULL << 32)  /* a device was read */
#define FETCH_FAULT (1ULL << 33)        /* access fault at pc ... */
#define FETCH_FAULT_SECOND (1ULL << 34) /* ... or at pc + 2 */
static __attribute__((noinline)) uint64_t riscv_fetch_parcels(AddressSpace *as,
                                                              uint64_t pc)
{
    uint64_t parcel[2] = {0, 0};
    uint64_t flags = 0;
    for (unsigned i = 0; i < 2; i++) {
        uint64_t at = pc + 2 * i;
        const FlatRange *fr = address_space_lookup(as, at);
        if (fr && fr->mr->kind != MR_KIND_RAM) {
            flags |= FETCH_FROM_DEVICE;
        }
        if (address_space_ld(as, at, 2, &parcel[i]) != MEMTX_OK) {
            return flags | FETCH_FAULT | (i ? FETCH_FAULT_SECOND : 0);
        }
        if (rvc_is_compressed((uint32_t)parcel[0])) {
            break;
        }
    }
    return flags | parcel[0] | parcel[1] << 16;
}

/* The window instructions are fetched through: 4 bytes are read at any
 * 2-byte aligned pc inside it, so it ends 2 bytes early and the last
 * halfword of RAM is fetched parcel by parcel (riscv_fetch_parcels). */
static HostWindow riscv_code_window_for(AddressSpace *as, hwaddr pc)
{
    HostWindow w = riscv_window_for(as, pc);
    if (w.host && pc - w.base < w.size - 2) {
        w.size -= 2;
        return w;
    }
    return (HostWindow){NULL, 0, 0};
}

static inline void riscv_set_data_window(RiscvCPU *cpu, HostWindow w)
{
    cpu->fast_prev_host = cpu->fast_host;
    cpu->fast_prev_base = cpu->fast_base;
    cpu->fast_prev_size = cpu->fast_size;
    cpu->fast_host = w.host;
    cpu->fast_base = w.base;
    cpu->fast_size = w.size;
}

/* While a reservation is valid there are no data windows, so every store
 * takes the slow path, which applies the store-side reservation rule: a
 * store to the reserved doubleword (by this hart; there is no other)
 * breaks the LR/SC pair.  The stores that hit a window check nothing. */
static inline void riscv_drop_data_windows(RiscvCPU *cpu)
{
    cpu->fast_size = 0;
    cpu->fast_prev_size = 0;
}

static inline void riscv_store_breaks_reservation(RiscvCPU *cpu, uint64_t addr)
{
    if (unlikely(cpu->reservation_valid) &&
        ((addr ^ cpu->reservation_addr) & ~7ULL) == 0) {
        cpu->reservation_valid = false;
    }
}

/* A data access that missed the data window: refresh the window if addr is
 * RAM, else go through the address space (with the clock synchronised to
 * now_ns, because a device is going to look at it).  *mmio reports the
 * latter, so the caller re-checks interrupts and deadlines. */
static MemTxResult riscv_access_slow(RiscvCPU *cpu, uint64_t addr,
                                     unsigned size, uint64_t *value, bool store,
                                     int64_t now_ns, bool *mmio)
{
    HostWindow w;
    if (addr - cpu->fast_prev_base < cpu->fast_prev_size) {
        /* The other window: it becomes the last one (both stay). */
        w = (HostWindow){cpu->fast_prev_host, cpu->fast_prev_base,
                         cpu->fast_prev_size};
    } else {
        w = riscv_window_for(cpu->as, addr);
    }
    if (w.host) {
        /* While accesses are checked or a reservation is valid, every one
         * must come back here. */
        if (!cpu->mem_checks && !cpu->reservation_valid) {
            riscv_set_data_window(cpu, w);
        }
        uint8_t *p = w.host + (addr - w.base);
        if (store) {
            host_store(p, size, *value);
        } else {
            *value = host_load(p, size);
        }
        return MEMTX_OK;
    }
    *mmio = true;
    vclock_advance_to(now_ns);
    if (store) {
        return address_space_st(cpu->as, addr, size, *value);
    }
    return address_space_ld(cpu->as, addr, size, value);
}

/*
 * A misaligned load or store (never an AMO): it completes when every byte
 * it touches is RAM, in one piece or across adjacent RAM ranges, and then
 * touches nothing else.  Otherwise nothing is read or written and it
 * raises: an access fault whose mtval is the first address of the part
 * that is not mapped (the start, or where RAM ends), or the
 * address-misaligned exception when it reaches a device, whose registers
 * only take aligned accesses.  Returns -1 or the exception.
 */
static int riscv_access_misaligned(RiscvCPU *cpu, uint64_t addr, unsigned size,
                                   uint64_t *value, bool store, uint64_t *tval)
{
    uint8_t *piece[8];
    unsigned piece_len[8];
    unsigned pieces = 0;
    uint64_t at = addr;

    for (unsigned left = size; left > 0; pieces++) {
        const FlatRange *fr = address_space_lookup(cpu->as, at);
        if (!fr) {
            *tval = at;
            return store ? RISCV_EXCP_STORE_ACCESS_FAULT
                         : RISCV_EXCP_LOAD_ACCESS_FAULT;
        }
        if (fr->mr->kind != MR_KIND_RAM || !fr->mr->ram) {
            *tval = addr;
            return store ? RISCV_EXCP_STORE_MISALIGNED
                         : RISCV_EXCP_LOAD_MISALIGNED;
        }
        uint64_t in_range = fr->start + fr->size - at;
        unsigned len = in_range < left ? (unsigned)in_range : left;
        piece[pieces] = fr->mr->ram + fr->offset_in_region + (at - fr->start);
        piece_len[pieces] = len;
        at += len;
        left -= len;
    }
    uint8_t bytes[8];
    unsigned done = 0;
    if (store) {
        host_store(bytes, size, *value);
    }
    for (unsigned i = 0; i < pieces; i++) {
        if (store) {
            memcpy(piece[i], bytes + done, piece_len[i]);
        } else {
            memcpy(bytes + done, piece[i], piece_len[i]);
        }
        done += piece_len[i];
    }
    if (!store) {
        *value = host_load(bytes, size);
    }
    return -1;
}

/*
 * The part of a load or store that is not a hit in the data window: a
 * misaligned address (completed in RAM, or the address-misaligned
 * exception with -M virt,misaligned=trap), a window miss, MMIO.  Returns
 * -1 or the exception, with *tval.  Out of line: the interpreter loop
 * keeps only the window hit.
 */
static __attribute__((noinline)) int
riscv_load_store_slow(RiscvCPU *cpu, uint64_t addr, unsigned size,
                      uint64_t *value, bool store, int64_t now_ns, bool *mmio,
                      uint64_t *tval)
{
    if (unlikely(cpu->mem_checks)) {
        /* A trigger fires before the access, ahead of a misaligned trap;
         * PMP's access fault may come before it too (3.7.1). */
        int fault = riscv_check_access(
            cpu, addr, size, store ? RISCV_ACCESS_STORE : RISCV_ACCESS_LOAD,
            tval);
        if (fault >= 0) {
            return fault;
        }
    }
    if (addr & (size - 1)) {
        if (cpu->trap_misaligned) {
            *tval = addr;
            return store ? RISCV_EXCP_STORE_MISALIGNED
                         : RISCV_EXCP_LOAD_MISALIGNED;
        }
        if (store) {
            /* The store may end in the next doubleword. */
            riscv_store_breaks_reservation(cpu, addr + size - 1);
        }
        uint64_t off = addr - cpu->fast_base;
        if (off < cpu->fast_size && cpu->fast_size - off >= size) {
            if (store) {
                host_store(cpu->fast_host + off, size, *value);
            } else {
                *value = host_load(cpu->fast_host + off, size);
            }
            return -1;
        }
        return riscv_access_misaligned(cpu, addr, size, value, store, tval);
    }
    if (riscv_access_slow(cpu, addr, size, value, store, now_ns, mmio) !=
        MEMTX_OK) {
        *tval = addr;
        return store ? RISCV_EXCP_STORE_ACCESS_FAULT
                     : RISCV_EXCP_LOAD_ACCESS_FAULT;
    }
    return -1;
}

static inline MemTxResult riscv_access(RiscvCPU *cpu, uint64_t addr,
                                       unsigned size, uint64_t *value,
                                       bool store, int64_t now_ns, bool *mmio)
{
    uint64_t off = addr - cpu->fast_base;
    if (likely(off < cpu->fast_size)) {
        if (store) {
            host_store(cpu->fast_host + off, size, *value);
        } else {
            *value = host_load(cpu->fast_host + off, size);
        }
        return MEMTX_OK;
    }
    return riscv_access_slow(cpu, addr, size, value, store, now_ns, mmio);
}

static inline int64_t sext32(uint64_t v)
{
    return (int64_t)(int32_t)(uint32_t)v;
}

static inline uint64_t sext_load(uint64_t v, unsigned funct3)
{
    switch (funct3) {
    case 0:
        return (uint64_t)(int64_t)(int8_t)(uint8_t)v;
    case 1:
        return (uint64_t)(int64_t)(int16_t)(uint16_t)v;
    case 2:
        return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
    default:
        return v; /* ld, lbu, lhu, lwu: already zero-extended */
    }
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32;
    uint64_t b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo;
    uint64_t hi_lo = a_hi * b_lo;
    uint64_t lo_hi = a_lo * b_hi;
    uint64_t hi_hi = a_hi * b_hi;
    uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;
    return hi_hi + (hi_lo >> 32) + (cross >> 32);
#endif
}

/* Signed high products from the unsigned one: a negative operand read as
 * unsigned is a + 2^64, which adds the other operand to the high half. */
static inline uint64_t mulh64(int64_t a, int64_t b)
{
    uint64_t hi = mulhu64((uint64_t)a, (uint64_t)b);
    if (a < 0) {
        hi -= (uint64_t)b;
    }
    if (b < 0) {
        hi -= (uint64_t)a;
    }
    return hi;
}

static inline uint64_t mulhsu64(int64_t a, uint64_t b)
{
    uint64_t hi = mulhu64((uint64_t)a, b);
    if (a < 0) {
        hi -= b;
    }
    return hi;
}

/* Division follows the M extension: no traps; x/0 = -1 (all ones),
 * x%0 = x, and the signed overflow MIN/-1 gives MIN with remainder 0. */
static inline uint64_t div64(int64_t a, int64_t b)
{
    if (b == 0) {
        return UINT64_MAX;
    }
    if (a == INT64_MIN && b == -1) {
        return (uint64_t)a;
    }
    return (uint64_t)(a / b);
}

static inline uint64_t rem64(int64_t a, int64_t b)
{
    if (b == 0) {
        return (uint64_t)a;
    }
    if (a == INT64_MIN && b == -1) {
        return 0;
    }
    return (uint64_t)(a % b);
}

static inline uint64_t divu64(uint64_t a, uint64_t b)
{
    return b == 0 ? UINT64_MAX : a / b;
}

static inline uint64_t remu64(uint64_t a, uint64_t b)
{
    return b == 0 ? a : a % b;
}

static inline uint64_t div32(int32_t a, int32_t b)
{
    if (b == 0) {
        return UINT64_MAX;
    }
    if (a == INT32_MIN && b == -1) {
        return (uint64_t)(int64_t)a;
    }
    return (uint64_t)(int64_t)(a / b);
}

static inline uint64_t rem32(int32_t a, int32_t b)
{
    if (b == 0) {
        return (uint64_t)(int64_t)a;
    }
    if (a == INT32_MIN && b == -1) {
        return 0;
    }
    return (uint64_t)(int64_t)(a % b);
}

static inline uint64_t divu32(uint32_t a, uint32_t b)
{
    return (uint64_t)sext32(b == 0 ? UINT32_MAX : a / b);
}

static inline uint64_t remu32(uint32_t a, uint32_t b)
{
    return (uint64_t)sext32(b == 0 ? a : a % b);
}

/* The arithmetic part of an AMO; width 4 operates on (and compares as)
 * 32-bit values. */
static uint64_t amo_compute(unsigned funct5, uint64_t old, uint64_t src,
                            unsigned width)
{
    if (width == 4) {
        old = (uint64_t)sext32(old);
        src = (uint64_t)sext32(src);
    }
    switch (funct5) {
    case AMO_ADD:
        return old + src;
    case AMO_XOR:
        return old ^ src;
    case AMO_OR:
        return old | src;
    case AMO_AND:
        return old & src;
    case AMO_MIN:
        return (int64_t)old < (int64_t)src ? old : src;
    case AMO_MAX:
        return (int64_t)old > (int64_t)src ? old : src;
    case AMO_MINU:
        if (width == 4) {
            return (uint32_t)old < (uint32_t)src ? old : src;
        }
        return old < src ? old : src;
    case AMO_MAXU:
        if (width == 4) {
            return (uint32_t)old > (uint32_t)src ? old : src;
        }
        return old > src ? old : src;
    default: /* AMO_SWAP */
        return src;
    }
}

static bool amo_funct5_valid(unsigned funct5)
{
    switch (funct5) {
    case AMO_ADD:
    case AMO_SWAP:
    case AMO_LR:
    case AMO_SC:
    case AMO_XOR:
    case AMO_OR:
    case AMO_AND:
    case AMO_MIN:
    case AMO_MAX:
    case AMO_MINU:
    case AMO_MAXU:
        return true;
    default:
        return false;
    }
}

/* Execute an A-extension instruction.  Returns -1 on success, else the
 * exception to raise (the faulting address is always cpu->x[rs1]).  Atomicity
 * is free: there is one hart and devices only run between accesses. */
static int riscv_exec_amo(RiscvCPU *cpu, uint32_t insn, int64_t now_ns,
                          bool *mmio)
{
    unsigned funct5 = insn >> 27;
    unsigned funct3 = (insn >> 12) & 7;
    unsigned rd = (insn >> 7) & 31;
    unsigned rs2 = (insn >> 20) & 31;
    uint64_t addr = cpu->x[(insn >> 15) & 31];
    uint64_t value;

    if ((funct3 != 2 && funct3 != 3) || !amo_funct5_valid(funct5) ||
        (funct5 == AMO_LR && rs2 != 0)) {
        return RISCV_EXCP_ILLEGAL_INSN;
    }
    /* aq/rl (bits 26:25) order nothing on a single in-order hart. */
    unsigned size = funct3 == 2 ? 4 : 8;
    if (unlikely(cpu->mem_checks) && !(addr & (size - 1))) {
        unsigned kinds = funct5 == AMO_LR ? RISCV_ACCESS_LOAD
                         : funct5 == AMO_SC
                             ? RISCV_ACCESS_STORE
                             : RISCV_ACCESS_LOAD | RISCV_ACCESS_STORE;
        uint64_t fault_addr;
        int fault = riscv_check_access(cpu, addr, size, kinds, &fault_addr);
        if (fault >= 0) {
            return fault;
        }
    }
    if (funct5 == AMO_LR) {
        if (addr & (size - 1)) {
            return RISCV_EXCP_LOAD_MISALIGNED;
        }
        if (riscv_access(cpu, addr, size, &value, false, now_ns, mmio) !=
            MEMTX_OK) {
            return RISCV_EXCP_LOAD_ACCESS_FAULT;
        }
        cpu->reservation_valid = true;
        cpu->reservation_addr = addr;
        riscv_drop_data_windows(cpu);
    } else if (funct5 == AMO_SC) {
        if (addr & (size - 1)) {
            return RISCV_EXCP_STORE_MISALIGNED;
        }
        bool hit = cpu->reservation_valid && cpu->reservation_addr == addr;
        cpu->reservation_valid = false;
        if (hit) {
            value = cpu->x[rs2];
            if (riscv_access(cpu, addr, size, &value, true, now_ns, mmio) !=
                MEMTX_OK) {
                return RISCV_EXCP_STORE_ACCESS_FAULT;
            }
        }
        value = hit ? 0 : 1;
    } else {
        /* AMOs report store/AMO exceptions, even for the read. */
        if (addr & (size - 1)) {
            return RISCV_EXCP_STORE_MISALIGNED;
        }
        uint64_t old;
        if (riscv_access(cpu, addr, size, &old, false, now_ns, mmio) !=
            MEMTX_OK) {
            return RISCV_EXCP_STORE_ACCESS_FAULT;
        }
        value = amo_compute(funct5, old, cpu->x[rs2], size);
        riscv_store_breaks_reservation(cpu, addr);
        if (riscv_access(cpu, addr, size, &value, true, now_ns, mmio) !=
            MEMTX_OK) {
            return RISCV_EXCP_STORE_ACCESS_FAULT;
        }
        value = old;
    }
    if (size == 4 && funct5 != AMO_SC) {
        value = (uint64_t)sext32(value);
    }
    cpu->x[rd] = value;
    cpu->x[0] = 0;
    return -1;
}

static void riscv_log_insn(uint64_t pc, uint32_t insn)
{
    char text[64];
    riscv_disas(insn, pc, text, sizeof(text));
    if (rvc_is_compressed(insn)) {
        log_item(LOG_ITEM_IN_ASM, "0x%016" PRIx64 ": %04" PRIx32 "      %s", pc,
                 insn & 0xffff, text);
    } else {
        log_item(LOG_ITEM_IN_ASM, "0x%016" PRIx64 ": %08" PRIx32 "  %s", pc,
                 insn, text);
    }
}

static inline int32_t imm_i(uint32_t insn)
{
    return (int32_t)insn >> 20;
}

static inline int32_t imm_s(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 25) * 32) | (int32_t)((insn >> 7) & 31);
}

static inline int32_t imm_b(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 31) * 4096) |
           (int32_t)(((insn >> 7) & 1) << 11) |
           (int32_t)(((insn >> 25) & 0x3f) << 5) |
           (int32_t)(((insn >> 8) & 0xf) << 1);
}

static inline int32_t imm_j(uint32_t insn)
{
    return (int32_t)(((int32_t)insn >> 31) * (1 << 20)) |
           (int32_t)(insn & 0xff000) | (int32_t)(((insn >> 20) & 1) << 11) |
           (int32_t)(((insn >> 21) & 0x3ff) << 1);
}

/*
 * The decoded-instruction cache.  Decoding depends on nothing but the
 * instruction's bits, so an entry keeps the 32 bits it was decoded from
 * (for a compressed instruction, with the next halfword) and is used only
 * when the bits just fetched are the same.  Nothing ever invalidates it:
 * after a store into code (with or without fence.i), a device's DMA, a
 * snapshot load or a reset, the next fetch reads the new bits, which differ
 * from the entry's, and the instruction is decoded again.  Entries are
 * indexed by pc; code that aliases only costs decodes.
 *
 * Only the frequent, always-legal forms have their own handler; everything
 * else (SYSTEM, AMOs, FENCE, illegal and reserved encodings) is
 * DOP_GENERIC and runs through the interpreter's switch, as fetches do
 * while `-d in_asm` or memory checks are on.  A compressed instruction
 * decodes to the operation of the 32-bit instruction it expands to, or'ed
 * with DOP_COMPRESSED.
 */
enum {
    DOP_DECODE, /* not an operation: an entry not yet decoded decodes */
    DOP_GENERIC,
    DOP_NOP, /* an ALU operation that writes x0 */
    DOP_ADDI,
    DOP_SLTI,
    DOP_SLTIU,
    DOP_XORI,
    DOP_ORI,
    DOP_ANDI,
    DOP_SLLI,
    DOP_SRLI,
    DOP_SRAI,
    DOP_ADDIW,
    DOP_SLLIW,
    DOP_SRLIW,
    DOP_SRAIW,
    DOP_LI, /* lui, c.lui: x[rd] = imm */
    DOP_AUIPC,
    DOP_ADD,
    DOP_SUB,
    DOP_SLL,
    DOP_SLT,
    DOP_SLTU,
    DOP_XOR,
    DOP_SRL,
    DOP_SRA,
    DOP_OR,
    DOP_AND,
    DOP_MUL,
    DOP_MULH,
    DOP_MULHSU,
    DOP_MULHU,
    DOP_DIV,
    DOP_DIVU,
    DOP_REM,
    DOP_REMU,
    DOP_ADDW,
    DOP_SUBW,
    DOP_SLLW,
    DOP_SRLW,
    DOP_SRAW,
    DOP_MULW,
    DOP_DIVW,
    DOP_DIVUW,
    DOP_REMW,
    DOP_REMUW,
    DOP_BEQ,
    DOP_BNE,
    DOP_BLT,
    DOP_BGE,
    DOP_BLTU,
    DOP_BGEU,
    DOP_JAL,
    DOP_JALR,
    DOP_J,  /* jal with rd = x0 */
    DOP_JR, /* jalr with rd = x0 (ret) */
    DOP_LB,
    DOP_LH,
    DOP_LW,
    DOP_LD,
    DOP_LBU,
    DOP_LHU,
    DOP_LWU,
    DOP_SB,
    DOP_SH,
    DOP_SW,
    DOP_SD,
    DOP_COUNT,
    /* Or'ed into the operation of a compressed instruction (not into
     * DOP_DECODE and DOP_GENERIC): its handler's copy for length 2. */
    DOP_COMPRESSED = 128
};
_Static_assert(DOP_COUNT <= DOP_COMPRESSED,
               "DOP_* must fit below DOP_COMPRESSED");

/* An instruction as the decoder sees it. */
typedef struct DecodedInsn {
    uint8_t op; /* DOP_* */
    uint8_t rd, rs1, rs2;
    int32_t imm;
} DecodedInsn;

/*
 * A cache entry, read by a handler as three words and nothing else:
 * `bits_imm` holds the 32 bits the entry was decoded from (low half) and
 * the immediate (high half), `fields` the registers (bits 0-7 rd, 8-15
 * rs1, 16-23 rs2) and the operation (24-31: no handler reads it, but a
 * build without it, which differs only in code layout, ran bench-int 5%
 * slower; docs/cpu.md), and `handler` is where the operation runs (a label
 * of riscv_cpu_exec), so dispatching is one indirect jump through the entry.
 * With one byte per field, a byte for the operation and a table of
 * handlers, a handler made eight loads where it makes five now, and
 * bench-int ran 6% slower (docs/cpu.md).  Words, not bytes in a struct,
 * so the fields are where the shifts say on any host.
 */
struct RiscvDecoded {
    uint64_t bits_imm;
    uint64_t fields;
    const void *handler;
};

/* 32768 entries of 24 bytes: 768 KiB, 64 KiB of code without aliasing. */
#define DECODED_BITS 15
#define DECODED_ENTRIES (1u << DECODED_BITS)
/* The longest run (see riscv_run_stop): the array has this many
 * instructions' worth of entries past its end, so that no run leaves it. */
#define RUN_MAX 256
#define RUN_MAX_BYTES (4 * RUN_MAX)
#define DECODED_GUARD (RUN_MAX_BYTES / 2)

static inline size_t riscv_decoded_index(uint64_t pc)
{
    return (size_t)(pc >> 1) & (DECODED_ENTRIES - 1);
}

/*
 * A run: up to RUN_MAX instructions that handlers fetch and dispatch with
 * no other check than a count of those left.  The next instruction is at
 * pc + length and its entry at this one + length / 2; a jump or a taken
 * branch looks its target's entry up, and stays in the run when the
 * target is at least RUN_MAX_BYTES before the code window's end
 * (code_run_size).  So every instruction of a run is inside the window,
 * and inside the cache's array with its guard entries, and a run never
 * passes the slice's budget.  riscv_run_stop gives where a run that
 * starts closer to the window's end (window_left bytes before it) at the
 * n-th instruction of the slice stops: each instruction is at most 4
 * bytes after the previous one.
 */
static inline uint64_t riscv_run_stop(uint64_t n, uint64_t budget,
                                      uint64_t window_left)
{
    uint64_t stop = n + window_left / 4;
    return stop < budget ? stop : budget;
}

static __attribute__((noinline, cold)) RiscvDecoded *riscv_decoded_alloc(void)
{
    RiscvDecoded *cache =
        calloc(DECODED_ENTRIES + DECODED_GUARD, sizeof(*cache));
    if (!cache) {
        fprintf(stderr, "rivet: out of memory\n");
        abort();
    }
    return cache;
}

static void decoded_set(DecodedInsn *d, unsigned op, unsigned rd, unsigned rs1,
                        unsigned rs2, int32_t imm)
{
    d->op = (uint8_t)op;
    d->rd = (uint8_t)rd;
    d->rs1 = (uint8_t)rs1;
    d->rs2 = (uint8_t)rs2;
    d->imm = imm;
}

/* An operation whose only effect is writing x[rd]: with rd = x0 it does
 * nothing (so the handlers need not restore x0). */
static void decoded_alu(DecodedInsn *d, unsigned op, unsigned rd, unsigned rs1,
                        unsigned rs2, int32_t imm)
{
    decoded_set(d, rd == 0 ? DOP_NOP : op, rd, rs1, rs2, imm);
}

/* A 32-bit instruction; DOP_GENERIC for any form the switch must see. */
static void riscv_decode_32(DecodedInsn *d, uint32_t insn)
{
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31, funct3 = (insn >> 12) & 7;
    unsigned funct7 = insn >> 25;

    d->op = DOP_GENERIC;
    switch (insn & 0x7f) {
    case OPC_OP_IMM: {
        static const uint8_t ops[8] = {DOP_ADDI, DOP_SLLI, DOP_SLTI, DOP_SLTIU,
                                       DOP_XORI, DOP_SRLI, DOP_ORI,  DOP_ANDI};
        unsigned op = ops[funct3];
        int32_t imm = imm_i(insn);
        if (funct3 == 1 || funct3 == 5) {
            unsigned top = insn >> 26;
            if (funct3 == 5 && top == 0x10) {
                op = DOP_SRAI;
            } else if (top != 0) {
                return;
            }
            imm = (int32_t)((insn >> 20) & 0x3f);
        }
        decoded_alu(d, op, rd, rs1, 0, imm);
        return;
    }
    case OPC_OP_IMM_32:
        if (funct3 == 0) {
            decoded_alu(d, DOP_ADDIW, rd, rs1, 0, imm_i(insn));
        } else if (funct3 == 1 && funct7 == 0) {
            decoded_alu(d, DOP_SLLIW, rd, rs1, 0, (int32_t)rs2);
        } else if (funct3 == 5 && (funct7 == 0 || funct7 == 0x20)) {
            decoded_alu(d, funct7 ? DOP_SRAIW : DOP_SRLIW, rd, rs1, 0,
                        (int32_t)rs2);
        }
        return;
    case OPC_LUI:
        decoded_alu(d, DOP_LI, rd, 0, 0, (int32_t)(insn & 0xfffff000u));
        return;
    case OPC_AUIPC:
        decoded_alu(d, DOP_AUIPC, rd, 0, 0, (int32_t)(insn & 0xfffff000u));
        return;
    case OPC_OP: {
        static const uint8_t base[8] = {DOP_ADD, DOP_SLL, DOP_SLT, DOP_SLTU,
                                        DOP_XOR, DOP_SRL, DOP_OR,  DOP_AND};
        static const uint8_t muldiv[8] = {DOP_MUL,   DOP_MULH, DOP_MULHSU,
                                          DOP_MULHU, DOP_DIV,  DOP_DIVU,
                                          DOP_REM,   DOP_REMU};
        unsigned op;
        if (funct7 == 0) {
            op = base[funct3];
        } else if (funct7 == 1) {
            op = muldiv[funct3];
        } else if (funct7 == 0x20 && funct3 == 0) {
            op = DOP_SUB;
        } else if (funct7 == 0x20 && funct3 == 5) {
            op = DOP_SRA;
        } else {
            return;
        }
        decoded_alu(d, op, rd, rs1, rs2, 0);
        return;
    }
    case OPC_OP_32: {
        unsigned op;
        switch (funct7 << 3 | funct3) {
        case 0x000:
            op = DOP_ADDW;
            break;
        case 0x100:
            op = DOP_SUBW;
            break;
        case 0x001:
            op = DOP_SLLW;
            break;
        case 0x005:
            op = DOP_SRLW;
            break;
        case 0x105:
            op = DOP_SRAW;
            break;
        case 0x008:
            op = DOP_MULW;
            break;
        case 0x00c:
            op = DOP_DIVW;
            break;
        case 0x00d:
            op = DOP_DIVUW;
            break;
        case 0x00e:
            op = DOP_REMW;
            break;
        case 0x00f:
            op = DOP_REMUW;
            break;
        default:
            return;
        }
        decoded_alu(d, op, rd, rs1, rs2, 0);
        return;
    }
    case OPC_BRANCH: {
        static const uint8_t ops[8] = {DOP_BEQ,     DOP_BNE, DOP_GENERIC,
                                       DOP_GENERIC, DOP_BLT, DOP_BGE,
                                       DOP_BLTU,    DOP_BGEU};
        decoded_set(d, ops[funct3], 0, rs1, rs2, imm_b(insn));
        return;
    }
    case OPC_JAL:
        decoded_set(d, rd ? DOP_JAL : DOP_J, rd, 0, 0, imm_j(insn));
        return;
    case OPC_JALR:
        if (funct3 == 0) {
            decoded_set(d, rd ? DOP_JALR : DOP_JR, rd, rs1, 0, imm_i(insn));
        }
        return;
    case OPC_LOAD: {
        static const uint8_t ops[8] = {DOP_LB,  DOP_LH,  DOP_LW,  DOP_LD,
                                       DOP_LBU, DOP_LHU, DOP_LWU, DOP_GENERIC};
        if (rd != 0) { /* else the switch: the access, not x0, matters */
            decoded_set(d, ops[funct3], rd, rs1, 0, imm_i(insn));
        }
        return;
    }
    case OPC_STORE:
        if (funct3 <= 3) {
            decoded_set(d, DOP_SB + funct3, 0, rs1, rs2, imm_s(insn));
        }
        return;
    default:
        return;
    }
}

/* A 16-bit instruction, as the 32-bit operation it expands to; reserved
 * encodings, c.ebreak and the F/D forms are DOP_GENERIC. */
static void riscv_decode_16(DecodedInsn *d, uint32_t insn)
{
    unsigned rd = rvc_rd(insn), rs2 = rvc_rs2(insn);
    unsigned rs1p = rvc_rs1p(insn), rs2p = rvc_rs2p(insn);

    d->op = DOP_GENERIC;
    switch (rvc_op(insn)) {
    case 0x00: /* c.addi4spn */
        if (rvc_imm_addi4spn(insn) != 0) {
            decoded_set(d, DOP_ADDI, rs2p, 2, 0,
                        (int32_t)rvc_imm_addi4spn(insn));
        }
        return;
    case 0x02: /* c.lw */
        decoded_set(d, DOP_LW, rs2p, rs1p, 0, (int32_t)rvc_imm_lw(insn));
        return;
    case 0x03: /* c.ld */
        decoded_set(d, DOP_LD, rs2p, rs1p, 0, (int32_t)rvc_imm_ld(insn));
        return;
    case 0x06: /* c.sw */
        decoded_set(d, DOP_SW, 0, rs1p, rs2p, (int32_t)rvc_imm_lw(insn));
        return;
    case 0x07: /* c.sd */
        decoded_set(d, DOP_SD, 0, rs1p, rs2p, (int32_t)rvc_imm_ld(insn));
        return;
    case 0x08: /* c.addi, c.nop */
        decoded_alu(d, DOP_ADDI, rd, rd, 0, rvc_imm_ci(insn));
        return;
    case 0x09: /* c.addiw; rd=x0 reserved */
        if (rd != 0) {
            decoded_alu(d, DOP_ADDIW, rd, rd, 0, rvc_imm_ci(insn));
        }
        return;
    case 0x0a: /* c.li */
        decoded_alu(d, DOP_LI, rd, 0, 0, rvc_imm_ci(insn));
        return;
    case 0x0b: /* c.addi16sp, c.lui; imm 0 reserved */
        if (rvc_shamt(insn) == 0) {
            return;
        }
        if (rd == 2) {
            decoded_set(d, DOP_ADDI, 2, 2, 0, rvc_imm_addi16sp(insn));
        } else {
            decoded_alu(d, DOP_LI, rd, 0, 0,
                        (int32_t)((uint32_t)rvc_imm_ci(insn) << 12));
        }
        return;
    case 0x0c:
        switch ((insn >> 10) & 3) {
        case 0: /* c.srli */
            decoded_set(d, DOP_SRLI, rs1p, rs1p, 0, (int32_t)rvc_shamt(insn));
            return;
        case 1: /* c.srai */
            decoded_set(d, DOP_SRAI, rs1p, rs1p, 0, (int32_t)rvc_shamt(insn));
            return;
        case 2: /* c.andi */
            decoded_set(d, DOP_ANDI, rs1p, rs1p, 0, rvc_imm_ci(insn));
            return;
        default: {
            static const uint8_t ops[8] = {DOP_SUB,     DOP_XOR,    DOP_OR,
                                           DOP_AND,     DOP_SUBW,   DOP_ADDW,
                                           DOP_GENERIC, DOP_GENERIC};
            unsigned op = ops[((insn >> 10) & 4) | ((insn >> 5) & 3)];
            if (op != DOP_GENERIC) {
                decoded_set(d, op, rs1p, rs1p, rs2p, 0);
            }
            return;
        }
        }
    case 0x0d: /* c.j */
        decoded_set(d, DOP_J, 0, 0, 0, rvc_imm_j(insn));
        return;
    case 0x0e: /* c.beqz */
        decoded_set(d, DOP_BEQ, 0, rs1p, 0, rvc_imm_b(insn));
        return;
    case 0x0f: /* c.bnez */
        decoded_set(d, DOP_BNE, 0, rs1p, 0, rvc_imm_b(insn));
        return;
    case 0x10: /* c.slli */
        decoded_alu(d, DOP_SLLI, rd, rd, 0, (int32_t)rvc_shamt(insn));
        return;
    case 0x12: /* c.lwsp; rd=x0 reserved */
        if (rd != 0) {
            decoded_set(d, DOP_LW, rd, 2, 0, (int32_t)rvc_imm_lwsp(insn));
        }
        return;
    case 0x13: /* c.ldsp; rd=x0 reserved */
        if (rd != 0) {
            decoded_set(d, DOP_LD, rd, 2, 0, (int32_t)rvc_imm_ldsp(insn));
        }
        return;
    case 0x14:
        if (rs2 != 0) { /* c.mv, c.add */
            decoded_alu(d, DOP_ADD, rd, insn & 0x1000 ? rd : 0, rs2, 0);
        } else if (rd != 0) { /* c.jr, c.jalr */
            decoded_set(d, insn & 0x1000 ? DOP_JALR : DOP_JR,
                        insn & 0x1000 ? 1 : 0, rd, 0, 0);
        }
        return; /* c.ebreak and the reserved c.jr x0: generic */
    case 0x16:  /* c.swsp */
        decoded_set(d, DOP_SW, 0, 2, rs2, (int32_t)rvc_imm_swsp(insn));
        return;
    case 0x17: /* c.sdsp */
        decoded_set(d, DOP_SD, 0, 2, rs2, (int32_t)rvc_imm_sdsp(insn));
        return;
    default:
        return;
    }
}

/* Fill the entry for the instruction whose bits (and, when compressed,
 * the next halfword's) are insn; handlers[op] is where op runs. */
static __attribute__((noinline)) void
riscv_decode(RiscvDecoded *entry, uint32_t insn, const void *const *handlers)
{
    DecodedInsn d = {0};
    if (rvc_is_compressed(insn)) {
        riscv_decode_16(&d, insn & 0xffff);
        if (d.op > DOP_GENERIC) {
            d.op |= DOP_COMPRESSED;
        }
    } else {
        riscv_decode_32(&d, insn);
    }
    entry->bits_imm = insn | (uint64_t)(uint32_t)d.imm << 32;
    entry->fields = d.rd | (uint64_t)d.rs1 << 8 | (uint64_t)d.rs2 << 16 |
                    (uint64_t)d.op << 24;
    entry->handler = handlers[d.op];
}

/* The time after n instructions of a slice that started at start_ns: exact,
 * since the budget keeps it within the end of time (riscv_slice_budget),
 * and unsigned, so never undefined.  Not the saturating vclock_ns_after:
 * with it the interpreter loop ran 5% more host instructions (callgrind,
 * bench firmware). */
static inline int64_t slice_ns(int64_t start_ns, uint64_t n)
{
    return (int64_t)((uint64_t)start_ns + n * VCLOCK_NS_PER_INSN);
}

/* Instruction fields, extracted where a case needs them. */
#define RD ((insn >> 7) & 31)
#define RS1 ((insn >> 15) & 31)
#define RS2 ((insn >> 20) & 31)
#define FUNCT3 ((insn >> 12) & 7)

/*
 * How many instructions a slice starting at start_ns may run: max_insns, cut
 * at the next timer deadline (*why = CPU_EXIT_REQUEST) and at the end of
 * virtual time, which it never passes (*why = CPU_EXIT_END_OF_TIME); 0 when
 * a timer is already due or no instruction fits before the end.  Out of
 * line: its locals would crowd the interpreter loop's registers.
 */
static __attribute__((noinline)) uint64_t
riscv_slice_budget(int64_t start_ns, uint64_t max_insns, CpuExitReason *why)
{
    int64_t deadline = vclock_next_deadline();
    uint64_t budget = max_insns;

    *why = CPU_EXIT_BUDGET;
    if (deadline != VCLOCK_NO_DEADLINE && deadline <= start_ns) {
        *why = CPU_EXIT_REQUEST;
        return 0;
    }
    uint64_t before_end = vclock_insns_before_end(start_ns);
    if (before_end <= budget) {
        budget = before_end;
        *why = CPU_EXIT_END_OF_TIME;
    }
    if (deadline != VCLOCK_NO_DEADLINE) {
        uint64_t until =
            vclock_ns_between(start_ns, deadline) / VCLOCK_NS_PER_INSN;
        /* A deadline less than one instruction away: make progress (only
         * possible when an instruction lasts more than 1 ns; the deadline
         * is before the end of time, so one instruction still fits). */
        if (until == 0) {
            until = 1;
        }
        if (until < budget) {
            budget = until;
            *why = CPU_EXIT_REQUEST;
        }
    }
    return budget;
}

CpuExitReason riscv_cpu_exec(RiscvCPU *cpu, uint64_t max_insns,
                             uint64_t *executed)
{
    AddressSpace *as = cpu->as;
    const int64_t start_ns = vclock_get_ns();
    const uint64_t count_base = cpu->insn_count;
    const bool trace = log_item_enabled(LOG_ITEM_IN_ASM);
    uint64_t pc = cpu->pc;
    uint64_t n = 0; /* steps taken in this slice */
    uint64_t budget;
    CpuExitReason reason = CPU_EXIT_BUDGET;
    /* Why the slice ends when n reaches budget. */
    CpuExitReason budget_reason = CPU_EXIT_BUDGET;
    HostWindow code = {NULL, 0, 0};
    /* code.host - code.base: the host address of guest pc is pc + this. */
    uintptr_t code_bias = 0;
    /* Where in the code window a run of RUN_MAX instructions fits. */
    uint64_t code_run_size = 0;
    /* The end of the current run (see riscv_run_stop), and how many of
     * its instructions are left to start.
     * Inside the handlers, which count only `left`, the instruction that
     * runs is the (stop - left)-th of the slice: they set n from it when
     * they leave for the rest of the loop (SYNC_N). */
    uint64_t stop = 0;
    int64_t left = 0;
    uint32_t insn;
    uint64_t addr, value;
    RiscvException cause;
    uint64_t tval;
    /* The slow paths of loads and stores: destination, funct3 (width and
     * sign) and the instruction's length. */
    unsigned mem_rd, mem_funct3, ilen;
    RiscvDecoded *de;
    /* The first two words of the entry de while its handler runs: loaded
     * into registers once, by the check and the dispatch. */
    uint64_t de_bits_imm, de_fields;
    /* Indexed by DOP_* (| DOP_COMPRESSED): where each decoded operation
     * runs, which the decoder copies into the entry. */
#define BOTH(op, name) [op] = &&name##_4, [(op) | DOP_COMPRESSED] = &&name##_2
    static const void *const handlers[2 * DOP_COMPRESSED] = {
        [DOP_DECODE] = &&decode_into_cache,
        [DOP_GENERIC] = &&generic,
        BOTH(DOP_NOP, d_nop),
        BOTH(DOP_ADDI, d_addi),
        BOTH(DOP_SLTI, d_slti),
        BOTH(DOP_SLTIU, d_sltiu),
        BOTH(DOP_XORI, d_xori),
        BOTH(DOP_ORI, d_ori),
        BOTH(DOP_ANDI, d_andi),
        BOTH(DOP_SLLI, d_slli),
        BOTH(DOP_SRLI, d_srli),
        BOTH(DOP_SRAI, d_srai),
        BOTH(DOP_ADDIW, d_addiw),
        BOTH(DOP_SLLIW, d_slliw),
        BOTH(DOP_SRLIW, d_srliw),
        BOTH(DOP_SRAIW, d_sraiw),
        BOTH(DOP_LI, d_li),
        BOTH(DOP_AUIPC, d_auipc),
        BOTH(DOP_ADD, d_add),
        BOTH(DOP_SUB, d_sub),
        BOTH(DOP_SLL, d_sll),
        BOTH(DOP_SLT, d_slt),
        BOTH(DOP_SLTU, d_sltu),
        BOTH(DOP_XOR, d_xor),
        BOTH(DOP_SRL, d_srl),
        BOTH(DOP_SRA, d_sra),
        BOTH(DOP_OR, d_or),
        BOTH(DOP_AND, d_and),
        BOTH(DOP_MUL, d_mul),
        BOTH(DOP_MULH, d_mulh),
        BOTH(DOP_MULHSU, d_mulhsu),
        BOTH(DOP_MULHU, d_mulhu),
        BOTH(DOP_DIV, d_div),
        BOTH(DOP_DIVU, d_divu),
        BOTH(DOP_REM, d_rem),
        BOTH(DOP_REMU, d_remu),
        BOTH(DOP_ADDW, d_addw),
        BOTH(DOP_SUBW, d_subw),
        BOTH(DOP_SLLW, d_sllw),
        BOTH(DOP_SRLW, d_srlw),
        BOTH(DOP_SRAW, d_sraw),
        BOTH(DOP_MULW, d_mulw),
        BOTH(DOP_DIVW, d_divw),
        BOTH(DOP_DIVUW, d_divuw),
        BOTH(DOP_REMW, d_remw),
        BOTH(DOP_REMUW, d_remuw),
        BOTH(DOP_BEQ, d_beq),
        BOTH(DOP_BNE, d_bne),
        BOTH(DOP_BLT, d_blt),
        BOTH(DOP_BGE, d_bge),
        BOTH(DOP_BLTU, d_bltu),
        BOTH(DOP_BGEU, d_bgeu),
        BOTH(DOP_JAL, d_jal),
        BOTH(DOP_JALR, d_jalr),
        BOTH(DOP_J, d_j),
        BOTH(DOP_JR, d_jr),
        BOTH(DOP_LB, d_lb),
        BOTH(DOP_LH, d_lh),
        BOTH(DOP_LW, d_lw),
        BOTH(DOP_LD, d_ld),
        BOTH(DOP_LBU, d_lbu),
        BOTH(DOP_LHU, d_lhu),
        BOTH(DOP_LWU, d_lwu),
        BOTH(DOP_SB, d_sb),
        BOTH(DOP_SH, d_sh),
        BOTH(DOP_SW, d_sw),
        BOTH(DOP_SD, d_sd),
    };
#undef BOTH

    *executed = 0;
    if (unlikely(!cpu->decoded)) {
        cpu->decoded = riscv_decoded_alloc();
        /* Zeroed entries (bits 0, the all-zero illegal instruction) must
         * decode before they run. */
        for (size_t i = 0; i < DECODED_ENTRIES + DECODED_GUARD; i++) {
            cpu->decoded[i].handler = &&decode_into_cache;
        }
    }
    RiscvDecoded *const decoded = cpu->decoded;
    if (as->generation != cpu->fast_generation) {
        riscv_cpu_set_address_space(cpu, as); /* drops the data window */
    }
    if (cpu->reservation_valid) {
        /* Set from outside (a snapshot, a test) while windows were up. */
        riscv_drop_data_windows(cpu);
    }

    /* Inside the loop pc stays 2-byte aligned (IALIGN=16: jump targets
     * clear bit 0 or are even, mtvec and mepc cannot hold bit 0), which the
     * fetch relies on; only a board setting pc directly can break that. */
    if (unlikely(pc & 1)) {
        cpu->pc = pc =
            riscv_cpu_do_exception(cpu, pc, RISCV_EXCP_INSN_MISALIGNED, pc);
    }

    /* Interrupts that arrived between slices; an enabled pending
     * interrupt also ends WFI even with mstatus.MIE clear. */
    cpu->check_interrupts = false;
    if (cpu->waiting && riscv_cpu_enabled_pending(cpu)) {
        cpu->waiting = false;
    }
    uint64_t handler;
    if (riscv_cpu_take_interrupt(cpu, pc, &handler)) {
        cpu->waiting = false;
        cpu->pc = pc = handler;
    }
    if (cpu->waiting) {
        return CPU_EXIT_WFI;
    }
    budget = riscv_slice_budget(start_ns, max_insns, &budget_reason);
    if (budget == 0) {
        return budget_reason;
    }

#define SYNC_N() (n = stop - (uint64_t)left)
    /* Run the handler of the decoded entry de (whose bits are insn, with
     * de_bits_imm loaded). */
#define DISPATCH()                                                             \
    do {                                                                       \
        de_fields = de->fields;                                                \
        goto * de->handler;                                                    \
    } while (0)
    /* Whether the entry de was decoded from insn, loading its first word. */
#define ENTRY_MATCHES() ((uint32_t)(de_bits_imm = de->bits_imm) == insn)
    for (;;) {
    next:
        if (unlikely(n >= budget)) {
            reason = budget_reason;
            break;
        }
        {
            /* Start a run (riscv_run_stop) at pc when it is in the code
             * window, and dispatch. */
            uint64_t off = pc - code.base;
            if (likely(off < code.size)) {
                insn = (uint32_t)host_load(code.host + off, 4);
                de = &decoded[riscv_decoded_index(pc)];
                if (likely(off < code_run_size)) {
                    left = (int64_t)(budget - n);
                    left = left < RUN_MAX ? left : RUN_MAX;
                    stop = n + (uint64_t)left;
                } else {
                    stop = riscv_run_stop(n, budget, code.size - off);
                    /* At least this instruction (handlers count down to
                     * 0). */
                    stop = stop > n ? stop : n + 1;
                    left = (int64_t)(stop - n);
                }
                if (likely(ENTRY_MATCHES())) {
                    DISPATCH();
                }
                goto decode_into_cache;
            }
            goto fetch_slow;
        }
    decode:
        switch (insn & 0x7f) {
        case OPC_OP_IMM: {
            uint64_t a = cpu->x[RS1];
            int64_t imm = imm_i(insn);
            switch (FUNCT3) {
            case 0:
                value = a + (uint64_t)imm;
                break;
            case 1:
                if (insn >> 26) {
                    goto illegal;
                }
                value = a << (RS2 | ((insn >> 20) & 0x20));
                break;
            case 2:
                value = (int64_t)a < imm;
                break;
            case 3:
                value = a < (uint64_t)imm;
                break;
            case 4:
                value = a ^ (uint64_t)imm;
                break;
            case 5: {
                unsigned shamt = (insn >> 20) & 0x3f;
                if ((insn >> 26) == 0) {
                    value = a >> shamt;
                } else if ((insn >> 26) == 0x10) {
                    value = (uint64_t)((int64_t)a >> shamt);
                } else {
                    goto illegal;
                }
                break;
            }
            case 6:
                value = a | (uint64_t)imm;
                break;
            default:
                value = a & (uint64_t)imm;
                break;
            }
            cpu->x[RD] = value;
            cpu->x[0] = 0;
            pc += 4;
            break;
        }

        case OPC_LUI:
            cpu->x[RD] = (uint64_t)(int64_t)(int32_t)(insn & 0xfffff000u);
            cpu->x[0] = 0;
            pc += 4;
            break;

        case OPC_AUIPC:
            cpu->x[RD] = pc + (uint64_t)(int64_t)(int32_t)(insn & 0xfffff000u);
            cpu->x[0] = 0;
            pc += 4;
            break;

        case OPC_OP_IMM_32: {
            uint32_t a = (uint32_t)cpu->x[RS1];
            switch (FUNCT3) {
            case 0:
                value = (uint64_t)sext32(a + (uint32_t)imm_i(insn));
                break;
            case 1:
                if (insn >> 25) {
                    goto illegal;
                }
                value = (uint64_t)sext32(a << RS2);
                break;
            case 5:
                if ((insn >> 25) == 0) {
                    value = (uint64_t)sext32(a >> RS2);
                } else if ((insn >> 25) == 0x20) {
                    value = (uint64_t)(int64_t)((int32_t)a >> RS2);
                } else {
                    goto illegal;
                }
                break;
            default:
                goto illegal;
            }
            cpu->x[RD] = value;
            cpu->x[0] = 0;
            pc += 4;
            break;
        }

        case OPC_OP: {
            uint64_t a = cpu->x[RS1], b = cpu->x[RS2];
            switch ((insn >> 25) << 3 | FUNCT3) {
            case 0x000:
                value = a + b;
                break;
            case 0x100:
                value = a - b;
                break;
            case 0x001:
                value = a << (b & 63);
                break;
            case 0x002:
                value = (int64_t)a < (int64_t)b;
                break;
            case 0x003:
                value = a < b;
                break;
            case 0x004:
                value = a ^ b;
                break;
            case 0x005:
                value = a >> (b & 63);
                break;
            case 0x105:
                value = (uint64_t)((int64_t)a >> (b & 63));
                break;
            case 0x006:
                value = a | b;
                break;
            case 0x007:
                value = a & b;
                break;
            case 0x008:
                value = a * b;
                break;
            case 0x009:
                value = mulh64((int64_t)a, (int64_t)b);
                break;
            case 0x00a:
                value = mulhsu64((int64_t)a, b);
                break;
            case 0x00b:
                value = mulhu64(a, b);
                break;
            case 0x00c:
                value = div64((int64_t)a, (int64_t)b);
                break;
            case 0x00d:
                value = divu64(a, b);
                break;
            case 0x00e:
                value = rem64((int64_t)a, (int64_t)b);
                break;
            case 0x00f:
                value = remu64(a, b);
                break;
            default:
                goto illegal;
            }
            cpu->x[RD] = value;
            cpu->x[0] = 0;
            pc += 4;
            break;
        }

        case OPC_OP_32: {
            uint32_t a = (uint32_t)cpu->x[RS1], b = (uint32_t)cpu->x[RS2];
            switch ((insn >> 25) << 3 | FUNCT3) {
            case 0x000:
                value = (uint64_t)sext32(a + b);
                break;
            case 0x100:
                value = (uint64_t)sext32(a - b);
                break;
            case 0x001:
                value = (uint64_t)sext32(a << (b & 31));
                break;
            case 0x005:
                value = (uint64_t)sext32(a >> (b & 31));
                break;
            case 0x105:
                value = (uint64_t)(int64_t)((int32_t)a >> (b & 31));
                break;
            case 0x008:
                value = (uint64_t)sext32(a * b);
                break;
            case 0x00c:
                value = div32((int32_t)a, (int32_t)b);
                break;
            case 0x00d:
                value = divu32(a, b);
                break;
            case 0x00e:
                value = rem32((int32_t)a, (int32_t)b);
                break;
            case 0x00f:
                value = remu32(a, b);
                break;
            default:
                goto illegal;
            }
            cpu->x[RD] = value;
            cpu->x[0] = 0;
            pc += 4;
            break;
        }

        case OPC_BRANCH: {
            uint64_t a = cpu->x[RS1], b = cpu->x[RS2];
            bool taken;
            switch (FUNCT3) {
            case 0:
                taken = a == b;
                break;
            case 1:
                taken = a != b;
                break;
            case 4:
                taken = (int64_t)a < (int64_t)b;
                break;
            case 5:
                taken = (int64_t)a >= (int64_t)b;
                break;
            case 6:
                taken = a < b;
                break;
            case 7:
                taken = a >= b;
                break;
            default:
                goto illegal;
            }
            if (taken) {
                pc += (uint64_t)(int64_t)imm_b(insn);
            } else {
                pc += 4;
            }
            break;
        }

        case OPC_JAL: {
            uint64_t target = pc + (uint64_t)(int64_t)imm_j(insn);
            cpu->x[RD] = pc + 4;
            cpu->x[0] = 0;
            pc = target;
            break;
        }

        case OPC_JALR: {
            if (FUNCT3 != 0) {
                goto illegal;
            }
            uint64_t target =
                (cpu->x[RS1] + (uint64_t)(int64_t)imm_i(insn)) & ~1ULL;
            cpu->x[RD] = pc + 4;
            cpu->x[0] = 0;
            pc = target;
            break;
        }

        case OPC_LOAD: {
            if (FUNCT3 == 7) {
                goto illegal;
            }
            unsigned size = 1u << (FUNCT3 & 3);
            addr = cpu->x[RS1] + (uint64_t)(int64_t)imm_i(insn);
            uint64_t off = addr - cpu->fast_base;
            if (likely(off < cpu->fast_size && !(addr & (size - 1)))) {
                value = host_load(cpu->fast_host + off, size);
                cpu->x[RD] = sext_load(value, FUNCT3);
                cpu->x[0] = 0;
                pc += 4;
                break;
            }
            mem_rd = RD;
            mem_funct3 = FUNCT3;
            ilen = 4;
            goto load_slow;
        }

        case OPC_STORE: {
            if (FUNCT3 > 3) {
                goto illegal;
            }
            unsigned size = 1u << FUNCT3;
            addr = cpu->x[RS1] + (uint64_t)(int64_t)imm_s(insn);
            value = cpu->x[RS2];
            uint64_t off = addr - cpu->fast_base;
            if (likely(off < cpu->fast_size && !(addr & (size - 1)))) {
                host_store(cpu->fast_host + off, size, value);
                pc += 4;
                break;
            }
            mem_funct3 = FUNCT3;
            ilen = 4;
            goto store_slow;
        }

        case OPC_AMO: {
            bool mmio = false;
            int fault = riscv_exec_amo(cpu, insn, slice_ns(start_ns, n), &mmio);
            if (fault == RISCV_EXCP_ILLEGAL_INSN) {
                goto illegal;
            }
            if (fault >= 0) {
                cause = (RiscvException)fault;
                tval = cpu->x[RS1];
                goto trap;
            }
            pc += 4;
            if (mmio) {
                goto side_effects;
            }
            break;
        }

        case OPC_MISC_MEM:
            /* FENCE orders nothing on one in-order hart; FENCE.I has
             * nothing to flush: a cached decoding is used only while the
             * bits in RAM are the ones it was decoded from. */
            if (FUNCT3 > 1) {
                goto illegal;
            }
            pc += 4;
            break;

        case OPC_SYSTEM: {
            if (FUNCT3 == 0) {
                switch (insn) {
                case INSN_ECALL:
                    cause = cpu->priv == RISCV_PRV_U ? RISCV_EXCP_ECALL_U
                                                     : RISCV_EXCP_ECALL_M;
                    tval = 0;
                    goto trap;
                case INSN_EBREAK:
                    cause = RISCV_EXCP_BREAKPOINT;
                    tval = pc;
                    goto trap;
                case INSN_MRET:
                    if (cpu->priv != RISCV_PRV_M) {
                        goto illegal;
                    }
                    pc = riscv_cpu_do_mret(cpu);
                    cpu->check_interrupts = true;
                    goto side_effects;
                case INSN_WFI:
                    /* TW=1: U-mode may not wait (the time limit is 0);
                     * with TW=0 and no S-mode it may (3.1.6.6). */
                    if (cpu->priv != RISCV_PRV_M &&
                        (cpu->csr.mstatus & MSTATUS_TW)) {
                        goto illegal;
                    }
                    pc += 4;
                    if (riscv_cpu_enabled_pending(cpu)) {
                        break;
                    }
                    cpu->waiting = true;
                    n++;
                    reason = CPU_EXIT_WFI;
                    goto out;
                default:
                    goto illegal;
                }
                break;
            }
            bool wrote;
            cpu->insn_count = count_base + n;
            vclock_advance_to(slice_ns(start_ns, n));
            if (!riscv_csr_execute(cpu, insn, &wrote)) {
                goto illegal;
            }
            pc += 4;
            if (wrote) {
                cpu->check_interrupts = true;
                goto side_effects;
            }
            break;
        }

        default:
            if (rvc_is_compressed(insn)) {
                goto compressed;
            }
            goto illegal;
        }
        n++;
        continue;

    compressed:
        /* RV64C: the upper half of the fetched word is the next
         * instruction's. */
        insn &= 0xffff;
        switch (rvc_op(insn)) {
        case 0x00: { /* c.addi4spn; nzuimm 0 (and all zeros) reserved */
            uint32_t imm = rvc_imm_addi4spn(insn);
            if (imm == 0) {
                goto illegal;
            }
            cpu->x[rvc_rs2p(insn)] = cpu->x[2] + imm;
            break;
        }
        case 0x02: /* c.lw */
            addr = cpu->x[rvc_rs1p(insn)] + rvc_imm_lw(insn);
            mem_rd = rvc_rs2p(insn);
            mem_funct3 = 2;
            goto c_load;
        case 0x03: /* c.ld */
            addr = cpu->x[rvc_rs1p(insn)] + rvc_imm_ld(insn);
            mem_rd = rvc_rs2p(insn);
            mem_funct3 = 3;
            goto c_load;
        case 0x06: /* c.sw */
            addr = cpu->x[rvc_rs1p(insn)] + rvc_imm_lw(insn);
            value = cpu->x[rvc_rs2p(insn)];
            mem_funct3 = 2;
            goto c_store;
        case 0x07: /* c.sd */
            addr = cpu->x[rvc_rs1p(insn)] + rvc_imm_ld(insn);
            value = cpu->x[rvc_rs2p(insn)];
            mem_funct3 = 3;
            goto c_store;
        case 0x08: /* c.addi, c.nop; rd=x0 or imm=0 are HINTs */
            cpu->x[rvc_rd(insn)] += (uint64_t)(int64_t)rvc_imm_ci(insn);
            cpu->x[0] = 0;
            break;
        case 0x09: /* c.addiw; rd=x0 reserved */
            if (rvc_rd(insn) == 0) {
                goto illegal;
            }
            cpu->x[rvc_rd(insn)] = (uint64_t)sext32(
                cpu->x[rvc_rd(insn)] + (uint64_t)(int64_t)rvc_imm_ci(insn));
            break;
        case 0x0a: /* c.li; rd=x0 is a HINT */
            cpu->x[rvc_rd(insn)] = (uint64_t)(int64_t)rvc_imm_ci(insn);
            cpu->x[0] = 0;
            break;
        case 0x0b: /* c.addi16sp (rd=x2), c.lui; imm 0 reserved, x0 HINT */
            if (rvc_shamt(insn) == 0) {
                goto illegal;
            }
            if (rvc_rd(insn) == 2) {
                cpu->x[2] += (uint64_t)(int64_t)rvc_imm_addi16sp(insn);
            } else {
                cpu->x[rvc_rd(insn)] = (uint64_t)(int64_t)rvc_imm_ci(insn)
                                       << 12;
                cpu->x[0] = 0;
            }
            break;
        case 0x0c: { /* c.srli, c.srai, c.andi, register-register ALU */
            unsigned rd = rvc_rs1p(insn);
            uint64_t a = cpu->x[rd];
            uint64_t b = cpu->x[rvc_rs2p(insn)];
            switch ((insn >> 10) & 3) {
            case 0: /* c.srli; shamt 0 is a HINT */
                value = a >> rvc_shamt(insn);
                break;
            case 1: /* c.srai; shamt 0 is a HINT */
                value = (uint64_t)((int64_t)a >> rvc_shamt(insn));
                break;
            case 2: /* c.andi */
                value = a & (uint64_t)(int64_t)rvc_imm_ci(insn);
                break;
            default:
                switch (((insn >> 10) & 4) | ((insn >> 5) & 3)) {
                case 0: /* c.sub */
                    value = a - b;
                    break;
                case 1: /* c.xor */
                    value = a ^ b;
                    break;
                case 2: /* c.or */
                    value = a | b;
                    break;
                case 3: /* c.and */
                    value = a & b;
                    break;
                case 4: /* c.subw */
                    value = (uint64_t)sext32(a - b);
                    break;
                case 5: /* c.addw */
                    value = (uint64_t)sext32(a + b);
                    break;
                default: /* reserved (Zcb's, which rivet lacks) */
                    goto illegal;
                }
                break;
            }
            cpu->x[rd] = value;
            break;
        }
        case 0x0d: /* c.j */
            pc += (uint64_t)(int64_t)rvc_imm_j(insn);
            n++;
            continue;
        case 0x0e: /* c.beqz */
            if (cpu->x[rvc_rs1p(insn)] == 0) {
                pc += (uint64_t)(int64_t)rvc_imm_b(insn);
                n++;
                continue;
            }
            break;
        case 0x0f: /* c.bnez */
            if (cpu->x[rvc_rs1p(insn)] != 0) {
                pc += (uint64_t)(int64_t)rvc_imm_b(insn);
                n++;
                continue;
            }
            break;
        case 0x10: /* c.slli; rd=x0 or shamt 0 are HINTs */
            cpu->x[rvc_rd(insn)] <<= rvc_shamt(insn);
            cpu->x[0] = 0;
            break;
        case 0x12: /* c.lwsp; rd=x0 reserved */
        case 0x13: /* c.ldsp; rd=x0 reserved */
            mem_rd = rvc_rd(insn);
            if (mem_rd == 0) {
                goto illegal;
            }
            mem_funct3 = rvc_op(insn) == 0x12 ? 2 : 3;
            addr = cpu->x[2] +
                   (mem_funct3 == 2 ? rvc_imm_lwsp(insn) : rvc_imm_ldsp(insn));
            goto c_load;
        case 0x14: {
            unsigned rd = rvc_rd(insn), rs2 = rvc_rs2(insn);
            if (rs2 != 0) {
                /* c.mv, c.add; rd=x0 is a HINT */
                value = cpu->x[rs2];
                if (insn & 0x1000) {
                    value += cpu->x[rd];
                }
                cpu->x[rd] = value;
                cpu->x[0] = 0;
                break;
            }
            if (rd == 0) {
                if (!(insn & 0x1000)) {
                    goto illegal; /* c.jr x0: reserved */
                }
                cause = RISCV_EXCP_BREAKPOINT; /* c.ebreak */
                tval = pc;
                goto trap;
            }
            /* c.jr, c.jalr: the target is read before ra is written */
            uint64_t target = cpu->x[rd] & ~1ULL;
            if (insn & 0x1000) {
                cpu->x[1] = pc + 2;
            }
            pc = target;
            n++;
            continue;
        }
        case 0x16: /* c.swsp */
            addr = cpu->x[2] + rvc_imm_swsp(insn);
            value = cpu->x[rvc_rs2(insn)];
            mem_funct3 = 2;
            goto c_store;
        case 0x17: /* c.sdsp */
            addr = cpu->x[2] + rvc_imm_sdsp(insn);
            value = cpu->x[rvc_rs2(insn)];
            mem_funct3 = 3;
            goto c_store;
        default:
            /* c.fld, c.fsd, c.fldsp, c.fsdsp (no F/D) and the reserved
             * funct3 4 of quadrant 0 */
            goto illegal;
        }
        pc += 2;
        n++;
        continue;

    c_load : {
        unsigned size = 1u << mem_funct3;
        uint64_t off = addr - cpu->fast_base;
        if (likely(off < cpu->fast_size && !(addr & (size - 1)))) {
            cpu->x[mem_rd] =
                sext_load(host_load(cpu->fast_host + off, size), mem_funct3);
            pc += 2;
            n++;
            continue;
        }
        ilen = 2;
        goto load_slow;
    }

    c_store : {
        unsigned size = 1u << mem_funct3;
        uint64_t off = addr - cpu->fast_base;
        if (likely(off < cpu->fast_size && !(addr & (size - 1)))) {
            host_store(cpu->fast_host + off, size, value);
            pc += 2;
            n++;
            continue;
        }
        ilen = 2;
        goto store_slow;
    }

    load_slow : {
        /* addr, mem_rd, mem_funct3, ilen */
        bool mmio = false;
        uint64_t loaded = 0, fault_addr = 0;
        int fault = riscv_load_store_slow(cpu, addr, 1u << (mem_funct3 & 3),
                                          &loaded, false, slice_ns(start_ns, n),
                                          &mmio, &fault_addr);
        if (fault >= 0) {
            cause = (RiscvException)fault;
            tval = fault_addr;
            goto trap;
        }
        cpu->x[mem_rd] = sext_load(loaded, mem_funct3);
        cpu->x[0] = 0;
        pc += ilen;
        if (mmio) {
            goto side_effects;
        }
        n++;
        continue;
    }

    store_slow : {
        /* addr, value, mem_funct3, ilen */
        riscv_store_breaks_reservation(cpu, addr);
        bool mmio = false;
        uint64_t stored = value, fault_addr = 0;
        int fault =
            riscv_load_store_slow(cpu, addr, 1u << mem_funct3, &stored, true,
                                  slice_ns(start_ns, n), &mmio, &fault_addr);
        if (fault >= 0) {
            cause = (RiscvException)fault;
            tval = fault_addr;
            goto trap;
        }
        pc += ilen;
        if (mmio) {
            goto side_effects;
        }
        n++;
        continue;
    }

    fetch_slow:
        if (unlikely(cpu->mem_checks)) {
            /* An execute trigger fires before the instruction, then PMP
             * needs X for its first parcel, before anything is fetched
             * (the second parcel's check is at `fetched`). */
            int fault =
                riscv_check_access(cpu, pc, 2, RISCV_ACCESS_FETCH, &tval);
            if (fault >= 0) {
                cause = (RiscvException)fault;
                goto trap;
            }
        }
        code = riscv_code_window_for(as, pc);
        code_bias = (uintptr_t)code.host - (uintptr_t)code.base;
        code_run_size =
            code.size > RUN_MAX_BYTES ? code.size - RUN_MAX_BYTES : 0;
        if (pc - code.base < code.size) {
            insn = (uint32_t)host_load(code.host + (pc - code.base), 4);
            if (unlikely(trace)) {
                riscv_log_insn(pc, insn);
            }
            if (unlikely(trace || cpu->mem_checks)) {
                /* Tracing and checks send every fetch down this path. */
                code.size = 0;
            }
            goto fetched;
        }
        /* The last halfword of a RAM range, or executing from a device (or
         * nowhere): parcel by parcel.  A device may have side effects on
         * read, so then the slice ends after this instruction and the next
         * entry re-checks interrupts and deadlines. */
        code.size = 0;
        vclock_advance_to(slice_ns(start_ns, n));
        {
            uint64_t fetched = riscv_fetch_parcels(as, pc);
            if (fetched & FETCH_FAULT) {
                cause = RISCV_EXCP_INSN_ACCESS_FAULT;
                tval = fetched & FETCH_FAULT_SECOND ? pc + 2 : pc;
                goto trap;
            }
            if (fetched & FETCH_FROM_DEVICE) {
                budget = n + 1;
                budget_reason = CPU_EXIT_REQUEST;
            }
            insn = (uint32_t)fetched;
        }
        if (unlikely(trace)) {
            riscv_log_insn(pc, insn);
        }
    fetched:
        /* A 32-bit instruction's second parcel needs X too; a fault names
         * its address (mtval is the portion that faulted). */
        if (unlikely(cpu->mem_checks) && (insn & 3) == 3 &&
            !riscv_pmp_allows(cpu, pc + 2, 2, RISCV_ACCESS_FETCH, cpu->priv)) {
            cause = RISCV_EXCP_INSN_ACCESS_FAULT;
            tval = pc + 2;
            goto trap;
        }
        goto decode;

    decode_into_cache:
        riscv_decode(de, insn, handlers);
        de_bits_imm = de->bits_imm;
        DISPATCH();

    generic:
        SYNC_N();
        goto decode;

        /* The handlers of decoded instructions (de, with insn its bits).
         * Each comes in two copies, for the 32-bit form (name_4) and the
         * compressed one (name_2): the length is a constant, so the next
         * pc does not wait for a load from the entry.  Each ends by
         * fetching and dispatching the next instruction itself, which the
         * host's branch predictor rewards; inside a run (riscv_run_stop)
         * that is a count and the check of the entry's bits. */
#define D_RD_INDEX ((uint8_t)de_fields)
#define D_RD cpu->x[D_RD_INDEX]
#define D_RS1 cpu->x[(uint8_t)(de_fields >> 8)]
#define D_RS2 cpu->x[(uint8_t)(de_fields >> 16)]
#define D_IMM ((uint64_t)(int64_t)(int32_t)(uint32_t)(de_bits_imm >> 32))
#define D_SHAMT ((unsigned)(de_bits_imm >> 32))
#define NEXT_INSN()                                                            \
    do {                                                                       \
        if (likely(--left != 0)) {                                             \
            insn = (uint32_t)host_load(                                        \
                (const uint8_t *)(uintptr_t)(pc + code_bias), 4);              \
            de += LEN / 2;                                                     \
            if (likely(ENTRY_MATCHES())) {                                     \
                DISPATCH();                                                    \
            }                                                                  \
            goto decode_into_cache;                                            \
        }                                                                      \
        SYNC_N();                                                              \
        goto next;                                                             \
    } while (0)
#define NEXT_JUMP()                                                            \
    do {                                                                       \
        if (likely(--left != 0)) {                                             \
            uint64_t off_ = pc - code.base;                                    \
            if (likely(off_ < code_run_size)) {                                \
                de = &decoded[riscv_decoded_index(pc)];                        \
                insn = (uint32_t)host_load(code.host + off_, 4);               \
                if (likely(ENTRY_MATCHES())) {                                 \
                    DISPATCH();                                                \
                }                                                              \
                goto decode_into_cache;                                        \
            }                                                                  \
        }                                                                      \
        SYNC_N();                                                              \
        goto next;                                                             \
    } while (0)
#define BOTH_LENGTHS(name, body)                                               \
    name##_4:                                                                  \
    {                                                                          \
        enum { LEN = 4 };                                                      \
        body;                                                                  \
    }                                                                          \
    name##_2:                                                                  \
    {                                                                          \
        enum { LEN = 2 };                                                      \
        body;                                                                  \
    }
#define ALU(name, expr)                                                        \
    BOTH_LENGTHS(name, D_RD = (expr); pc += LEN; NEXT_INSN())

        BOTH_LENGTHS(d_nop, pc += LEN; NEXT_INSN())
        ALU(d_addi, D_RS1 + D_IMM)
        ALU(d_slti, (int64_t)D_RS1 < (int64_t)D_IMM)
        ALU(d_sltiu, D_RS1 < D_IMM)
        ALU(d_xori, D_RS1 ^ D_IMM)
        ALU(d_ori, D_RS1 | D_IMM)
        ALU(d_andi, D_RS1 & D_IMM)
        ALU(d_slli, D_RS1 << D_SHAMT)
        ALU(d_srli, D_RS1 >> D_SHAMT)
        ALU(d_srai, (uint64_t)((int64_t)D_RS1 >> D_SHAMT))
        ALU(d_addiw, (uint64_t)sext32(D_RS1 + D_IMM))
        ALU(d_slliw, (uint64_t)sext32((uint32_t)D_RS1 << D_SHAMT))
        ALU(d_srliw, (uint64_t)sext32((uint32_t)D_RS1 >> D_SHAMT))
        ALU(d_sraiw, (uint64_t)(int64_t)((int32_t)(uint32_t)D_RS1 >> D_SHAMT))
        ALU(d_li, D_IMM)
        ALU(d_auipc, pc + D_IMM)
        ALU(d_add, D_RS1 + D_RS2)
        ALU(d_sub, D_RS1 - D_RS2)
        ALU(d_sll, D_RS1 << (D_RS2 & 63))
        ALU(d_slt, (int64_t)D_RS1 < (int64_t)D_RS2)
        ALU(d_sltu, D_RS1 < D_RS2)
        ALU(d_xor, D_RS1 ^ D_RS2)
        ALU(d_srl, D_RS1 >> (D_RS2 & 63))
        ALU(d_sra, (uint64_t)((int64_t)D_RS1 >> (D_RS2 & 63)))
        ALU(d_or, D_RS1 | D_RS2)
        ALU(d_and, D_RS1 & D_RS2)
        ALU(d_mul, D_RS1 * D_RS2)
        ALU(d_mulh, mulh64((int64_t)D_RS1, (int64_t)D_RS2))
        ALU(d_mulhsu, mulhsu64((int64_t)D_RS1, D_RS2))
        ALU(d_mulhu, mulhu64(D_RS1, D_RS2))
        ALU(d_div, div64((int64_t)D_RS1, (int64_t)D_RS2))
        ALU(d_divu, divu64(D_RS1, D_RS2))
        ALU(d_rem, rem64((int64_t)D_RS1, (int64_t)D_RS2))
        ALU(d_remu, remu64(D_RS1, D_RS2))
        ALU(d_addw, (uint64_t)sext32(D_RS1 + D_RS2))
        ALU(d_subw, (uint64_t)sext32(D_RS1 - D_RS2))
        ALU(d_sllw, (uint64_t)sext32((uint32_t)D_RS1 << (D_RS2 & 31)))
        ALU(d_srlw, (uint64_t)sext32((uint32_t)D_RS1 >> (D_RS2 & 31)))
        ALU(d_sraw,
            (uint64_t)(int64_t)((int32_t)(uint32_t)D_RS1 >> (D_RS2 & 31)))
        ALU(d_mulw, (uint64_t)sext32((uint32_t)D_RS1 * (uint32_t)D_RS2))
        ALU(d_divw, div32((int32_t)D_RS1, (int32_t)D_RS2))
        ALU(d_divuw, divu32((uint32_t)D_RS1, (uint32_t)D_RS2))
        ALU(d_remw, rem32((int32_t)D_RS1, (int32_t)D_RS2))
        ALU(d_remuw, remu32((uint32_t)D_RS1, (uint32_t)D_RS2))
#undef ALU

#define BRANCH(name, cond)                                                     \
    BOTH_LENGTHS(                                                              \
        name,                                                                  \
        if (cond) {                                                            \
            pc += D_IMM;                                                       \
            NEXT_JUMP();                                                       \
        } pc += LEN;                                                           \
        NEXT_INSN())
        BRANCH(d_beq, D_RS1 == D_RS2)
        BRANCH(d_bne, D_RS1 != D_RS2)
        BRANCH(d_blt, (int64_t)D_RS1 < (int64_t)D_RS2)
        BRANCH(d_bge, (int64_t)D_RS1 >= (int64_t)D_RS2)
        BRANCH(d_bltu, D_RS1 < D_RS2)
        BRANCH(d_bgeu, D_RS1 >= D_RS2)
#undef BRANCH

        /* jalr reads its target before writing rd (rd may be rs1); rd is
         * not x0 (d_j, d_jr). */
#define JUMP(name, target_expr)                                                \
    BOTH_LENGTHS(name, uint64_t target_ = (target_expr); D_RD = pc + LEN;      \
                 pc = target_; NEXT_JUMP())
        JUMP(d_jal, pc + D_IMM)
        JUMP(d_jalr, (D_RS1 + D_IMM) & ~1ULL)
#undef JUMP
        BOTH_LENGTHS(d_j, pc += D_IMM; NEXT_JUMP())
        BOTH_LENGTHS(d_jr, pc = (D_RS1 + D_IMM) & ~1ULL; NEXT_JUMP())

        /* Loads and stores: a hit in a data window here, the rest in
         * load_slow/store_slow as for the switch's.  A load into x0 is
         * DOP_GENERIC. */
#define DATA_HOST(size, miss)                                                  \
    uint8_t *host_;                                                            \
    {                                                                          \
        if (unlikely(addr & ((size)-1))) {                                     \
            goto miss;                                                         \
        }                                                                      \
        uint64_t off_ = addr - cpu->fast_base;                                 \
        if (likely(off_ < cpu->fast_size)) {                                   \
            host_ = cpu->fast_host + off_;                                     \
        } else if ((off_ = addr - cpu->fast_prev_base) <                       \
                   cpu->fast_prev_size) {                                      \
            host_ = cpu->fast_prev_host + off_;                                \
        } else {                                                               \
            goto miss;                                                         \
        }                                                                      \
    }
#define LOAD(name, size, funct3)                                               \
    BOTH_LENGTHS(name, {                                                       \
        __label__ miss_;                                                       \
        addr = D_RS1 + D_IMM;                                                  \
        DATA_HOST(size, miss_);                                                \
        D_RD = sext_load(host_load(host_, (size)), (funct3));                  \
        pc += LEN;                                                             \
        NEXT_INSN();                                                           \
    miss_:                                                                     \
        mem_rd = D_RD_INDEX;                                                   \
        mem_funct3 = (funct3);                                                 \
        ilen = LEN;                                                            \
        SYNC_N();                                                              \
        goto load_slow;                                                        \
    })
        LOAD(d_lb, 1, 0)
        LOAD(d_lh, 2, 1)
        LOAD(d_lw, 4, 2)
        LOAD(d_ld, 8, 3)
        LOAD(d_lbu, 1, 4)
        LOAD(d_lhu, 2, 5)
        LOAD(d_lwu, 4, 6)
#undef LOAD

#define STORE(name, size, funct3)                                              \
    BOTH_LENGTHS(name, {                                                       \
        __label__ miss_;                                                       \
        addr = D_RS1 + D_IMM;                                                  \
        value = D_RS2;                                                         \
        DATA_HOST(size, miss_);                                                \
        host_store(host_, (size), value);                                      \
        pc += LEN;                                                             \
        NEXT_INSN();                                                           \
    miss_:                                                                     \
        mem_funct3 = (funct3);                                                 \
        ilen = LEN;                                                            \
        SYNC_N();                                                              \
        goto store_slow;                                                       \
    })
        STORE(d_sb, 1, 0)
        STORE(d_sh, 2, 1)
        STORE(d_sw, 4, 2)
        STORE(d_sd, 8, 3)
#undef STORE
#undef DATA_HOST
#undef BOTH_LENGTHS
#undef NEXT_INSN
#undef NEXT_JUMP
#undef SYNC_N
#undef DISPATCH
#undef D_RD
#undef D_RS1
#undef D_RS2
#undef D_IMM
#undef D_SHAMT
#undef D_RD_INDEX
#undef ENTRY_MATCHES

    illegal:
        cause = RISCV_EXCP_ILLEGAL_INSN;
        tval = insn;
    trap:
        /* A faulting instruction does not retire, but it still takes a step
         * of virtual time: otherwise a trap loop (e.g. mtvec pointing at
         * unmapped memory) would never reach a deadline. */
        cpu->insn_count = count_base + n;
        pc = riscv_cpu_do_exception(cpu, pc, cause, tval);
        if (cpu->mem_checks) {
            code.size = 0; /* e.g. MPRV with MPP now U */
        }
        n++;
        continue;

    side_effects:
        /* A device callback or a CSR write ran: the memory map, interrupt
         * lines, timers or the exit request may have changed. */
        n++;
        if (as->generation != cpu->fast_generation) {
            riscv_cpu_set_address_space(cpu, as);
            code.size = 0;
        }
        if (cpu->check_interrupts) {
            cpu->check_interrupts = false;
            uint64_t handler;
            if (riscv_cpu_take_interrupt(cpu, pc, &handler)) {
                pc = handler;
            }
        }
        if (cpu->mem_checks) {
            code.size = 0; /* a CSR write or mret turned checks on */
        }
        if (main_loop_exit_requested()) {
            reason = CPU_EXIT_REQUEST;
            break;
        }
        int64_t deadline = vclock_next_deadline();
        if (deadline != VCLOCK_NO_DEADLINE) {
            if (deadline <= slice_ns(start_ns, n)) {
                reason = CPU_EXIT_REQUEST;
                break;
            }
            uint64_t until =
                vclock_ns_between(start_ns, deadline) / VCLOCK_NS_PER_INSN;
            if (until < budget) {
                budget = until;
                budget_reason = CPU_EXIT_REQUEST;
            }
        }
    }

out:
    cpu->pc = pc;
    cpu->insn_count = count_base + n;
    vclock_advance_to(slice_ns(start_ns, n));
    *executed = n;
    return reason;
}

#undef RD
#undef RS1
#undef RS2
#undef FUNCT3

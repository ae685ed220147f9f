/*
 * Entry point and trap entry for every rivet guest program.
 *
 * _start sets up the stack, zeroes bss, installs trap_entry in mtvec, runs
 * main() and powers the machine off with main's return value (0 = pass).
 * trap_entry saves the whole register file in a struct trap_frame (trap.h)
 * so handlers can inspect and change any register or mepc, then mret.
 */

/* Name the file symbol ourselves: otherwise GCC's temporary file name ends
 * up in the symbol table and the ELF is not reproducible. */
    .file "start.S"

#define FRAME_SIZE 288 /* 32 regs + mepc, mcause, mtval, mstatus */
#define REG(n) ((n) * 8)
#define FRAME_MEPC 256
#define FRAME_MCAUSE 264
#define FRAME_MTVAL 272
#define FRAME_MSTATUS 280

    .section .text.start, "ax", @progbits
    .globl _start
_start:
    /* Interrupts stay off until a program asks for them. */
    csrw mie, zero
    csrci mstatus, 8
    la sp, __stack_top

    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
    la t0, trap_entry
    csrw mtvec, t0

    call main
    call power_exit     /* never returns */
3:  j 3b

    .text
    /* mtvec in direct mode needs 4-byte alignment. */
    .balign 4
    .globl trap_entry
trap_entry:
    addi sp, sp, -FRAME_SIZE
    sd x1, REG(1)(sp)
    sd x3, REG(3)(sp)
    sd x4, REG(4)(sp)
    sd x5, REG(5)(sp)
    sd x6, REG(6)(sp)
    sd x7, REG(7)(sp)
    sd x8, REG(8)(sp)
    sd x9, REG(9)(sp)
    sd x10, REG(10)(sp)
    sd x11, REG(11)(sp)
    sd x12, REG(12)(sp)
    sd x13, REG(13)(sp)
    sd x14, REG(14)(sp)
    sd x15, REG(15)(sp)
    sd x16, REG(16)(sp)
    sd x17, REG(17)(sp)
    sd x18, REG(18)(sp)
    sd x19, REG(19)(sp)
    sd x20, REG(20)(sp)
    sd x21, REG(21)(sp)
    sd x22, REG(22)(sp)
    sd x23, REG(23)(sp)
    sd x24, REG(24)(sp)
    sd x25, REG(25)(sp)
    sd x26, REG(26)(sp)
    sd x27, REG(27)(sp)
    sd x28, REG(28)(sp)
    sd x29, REG(29)(sp)
    sd x30, REG(30)(sp)
    sd x31, REG(31)(sp)
    addi t0, sp, FRAME_SIZE     /* the interrupted code's sp */
    sd t0, REG(2)(sp)
    sd zero, REG(0)(sp)
    csrr t0, mepc
    sd t0, FRAME_MEPC(sp)
    csrr t0, mcause
    sd t0, FRAME_MCAUSE(sp)
    csrr t0, mtval
    sd t0, FRAME_MTVAL(sp)
    csrr t0, mstatus
    sd t0, FRAME_MSTATUS(sp)

    mv a0, sp
    call trap_dispatch

    /* A handler may have moved mepc (to skip or redirect). */
    ld t0, FRAME_MEPC(sp)
    csrw mepc, t0
    ld x1, REG(1)(sp)
    ld x3, REG(3)(sp)
    ld x4, REG(4)(sp)
    ld x5, REG(5)(sp)
    ld x6, REG(6)(sp)
    ld x7, REG(7)(sp)
    ld x8, REG(8)(sp)
    ld x9, REG(9)(sp)
    ld x10, REG(10)(sp)
    ld x11, REG(11)(sp)
    ld x12, REG(12)(sp)
    ld x13, REG(13)(sp)
    ld x14, REG(14)(sp)
    ld x15, REG(15)(sp)
    ld x16, REG(16)(sp)
    ld x17, REG(17)(sp)
    ld x18, REG(18)(sp)
    ld x19, REG(19)(sp)
    ld x20, REG(20)(sp)
    ld x21, REG(21)(sp)
    ld x22, REG(22)(sp)
    ld x23, REG(23)(sp)
    ld x24, REG(24)(sp)
    ld x25, REG(25)(sp)
    ld x26, REG(26)(sp)
    ld x27, REG(27)(sp)
    ld x28, REG(28)(sp)
    ld x29, REG(29)(sp)
    ld x30, REG(30)(sp)
    ld x31, REG(31)(sp)
    addi sp, sp, FRAME_SIZE
    mret

    /* HTIF mailbox, laid out as the riscv-tests environment does. */
    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
tohost:
    .dword 0
    .size tohost, 8
    .balign 64
    .globl fromhost
fromhost:
    .dword 0
    .size fromhost, 8

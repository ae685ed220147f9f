/*
 * user_call(fn, arg, stack_top): run fn(arg) in U-mode on its own stack and
 * return what it returns.  fn returns into user_exit, whose ecall the
 * program's trap handler turns into a jump to user_call_resume in M-mode
 * (as it does with a fault it recovers from, with a result of its own).
 */
    .file "user.S"

#define SAVED 112 /* ra and s0..s11 */

    .text
    .balign 4
    .globl user_call
user_call:
    addi sp, sp, -SAVED
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    la t0, user_saved_sp
    sd sp, 0(t0)
    csrw mepc, a0
    li t0, 0x1800           /* mstatus.MPP = U */
    csrc mstatus, t0
    mv a0, a1
    mv sp, a2
    la ra, user_exit
    mret

    .balign 4
    .globl user_exit
user_exit:
    ecall

    .balign 4
    .globl user_call_resume
user_call_resume:
    la t0, user_saved_sp
    ld sp, 0(t0)
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, SAVED
    ret

    .bss
    .balign 8
user_saved_sp:
    .dword 0

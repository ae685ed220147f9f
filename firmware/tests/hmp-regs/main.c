/*
 * Puts known values in registers and sleeps, for the human monitor's
 * `info registers` (tests/functional/qmp.py): s2..s11 hold
 * 0x1111111111111111 * (N - 1) for sN (s2 = 0x1111111111111111, ...,
 * s11 = 0xaaaaaaaaaaaaaaaa), t6 holds 0x0123456789abcdef, mscratch
 * 0xfedcba9876543210.  Interrupts stay off, so only a monitor's reset or
 * quit ends the sleep (without one, rivet reports a hart nothing can wake).
 */
#include <stdint.h>

#include "csr.h"
#include "uart.h"

int main(void)
{
    print("hmp-regs: registers set, sleeping in wfi\n");
    uart_flush();
    csr_write(mscratch, 0xfedcba9876543210UL);
    __asm__ volatile("li s2, 0x1111111111111111\n\t"
                     "li s3, 0x2222222222222222\n\t"
                     "li s4, 0x3333333333333333\n\t"
                     "li s5, 0x4444444444444444\n\t"
                     "li s6, 0x5555555555555555\n\t"
                     "li s7, 0x6666666666666666\n\t"
                     "li s8, 0x7777777777777777\n\t"
                     "li s9, 0x8888888888888888\n\t"
                     "li s10, 0x9999999999999999\n\t"
                     "li s11, 0xaaaaaaaaaaaaaaaa\n\t"
                     "li t6, 0x0123456789abcdef\n"
                     "1:\n\t"
                     "wfi\n\t"
                     "j 1b" ::
                         : "memory");
    __builtin_unreachable();
}

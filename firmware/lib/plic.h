/*
 * SiFive-style PLIC, machine-mode context 0 of the single hart (SiFive
 * FU540-C000 manual chapter 10; RISC-V PLIC specification 1.0).
 */
#ifndef FW_PLIC_H
#define FW_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#define PLIC_PRIORITY(src) (0x000000 + 4 * (src))
#define PLIC_PENDING 0x001000
#define PLIC_ENABLE 0x002000    /* context 0, sources 0..31 */
#define PLIC_THRESHOLD 0x200000 /* context 0 */
#define PLIC_CLAIM 0x200004     /* context 0 claim/complete */

void plic_set_priority(unsigned src, uint32_t priority);
uint32_t plic_priority(unsigned src);
void plic_enable(unsigned src);
void plic_disable(unsigned src);
void plic_set_threshold(uint32_t threshold);
bool plic_is_pending(unsigned src);
uint32_t plic_claim(void);
void plic_complete(uint32_t src);

/* Handlers for external interrupts: trap.c claims one source per external
 * interrupt, calls its handler and completes it. */
typedef void plic_handler_fn(unsigned src);
void plic_set_handler(unsigned src, plic_handler_fn *fn);
void plic_dispatch(void);

#endif /* FW_PLIC_H */

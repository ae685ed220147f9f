/*
 * Trap handling.  start.S saves every register in a trap_frame and calls
 * trap_dispatch(), which hands exceptions and each kind of interrupt to the
 * handler the program registered.  Handlers may change any field of the
 * frame: registers and mepc are restored from it before mret.
 */
#ifndef FW_TRAP_H
#define FW_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t x[32]; /* x[0] is always 0; x[2] is the interrupted sp */
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t mstatus;
};

typedef void trap_exception_fn(struct trap_frame *frame);
typedef void trap_irq_fn(void);

/* Synchronous exceptions.  Without a handler an exception prints the trap
 * and powers off with failure. */
void trap_set_exception_handler(trap_exception_fn *fn);
/* Machine timer (mcause 7) and software (mcause 3) interrupts; each returns
 * the previous handler.  External interrupts (mcause 11) always go through
 * plic_dispatch() and the per-source handlers in plic.h. */
trap_irq_fn *trap_set_timer_handler(trap_irq_fn *fn);
trap_irq_fn *trap_set_software_handler(trap_irq_fn *fn);

void trap_dispatch(struct trap_frame *frame);

#endif /* FW_TRAP_H */

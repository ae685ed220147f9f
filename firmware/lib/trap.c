/* Trap dispatch: routes each trap to the handler the program registered. */
#include "trap.h"

#include "csr.h"
#include "plic.h"
#include "power.h"
#include "uart.h"

/* Exit status for a trap nobody expected, distinct from failure counts. */
#define UNEXPECTED_TRAP_STATUS 0xff

static trap_exception_fn *exception_handler;
static trap_irq_fn *timer_handler;
static trap_irq_fn *software_handler;

void trap_set_exception_handler(trap_exception_fn *fn)
{
    exception_handler = fn;
}

trap_irq_fn *trap_set_timer_handler(trap_irq_fn *fn)
{
    trap_irq_fn *old = timer_handler;
    timer_handler = fn;
    return old;
}

trap_irq_fn *trap_set_software_handler(trap_irq_fn *fn)
{
    trap_irq_fn *old = software_handler;
    software_handler = fn;
    return old;
}

__attribute__((noreturn)) static void unexpected(struct trap_frame *frame)
{
    print("unexpected trap: mcause 0x%lx mepc 0x%lx mtval 0x%lx\n",
          frame->mcause, frame->mepc, frame->mtval);
    power_fail(UNEXPECTED_TRAP_STATUS);
}

void trap_dispatch(struct trap_frame *frame)
{
    if (!(frame->mcause & MCAUSE_INTERRUPT)) {
        if (!exception_handler) {
            unexpected(frame);
        }
        exception_handler(frame);
        return;
    }

    switch (frame->mcause & ~MCAUSE_INTERRUPT) {
    case IRQ_M_EXT:
        plic_dispatch();
        return;
    case IRQ_M_TIMER:
        if (timer_handler) {
            timer_handler();
            return;
        }
        break;
    case IRQ_M_SOFT:
        if (software_handler) {
            software_handler();
            return;
        }
        break;
    }
    unexpected(frame);
}

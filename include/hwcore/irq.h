/*
 * IRQ lines: a device output drives a line; the line calls the input handler
 * of whatever it is connected to (an interrupt controller input, a CPU pin).
 */
#ifndef RIVET_HWCORE_IRQ_H
#define RIVET_HWCORE_IRQ_H

#include <stdbool.h>

typedef void IRQHandler(void *opaque, int n, int level);

typedef struct IRQState {
    IRQHandler *handler;
    void *opaque;
    int n;
    int level; /* the level last set, so devices can tell a change */
} IRQState;

/* A line is a pointer; a NULL line is unconnected and setting it is a no-op. */
typedef IRQState *IRQ;

IRQ irq_new(IRQHandler *handler, void *opaque, int n);
void irq_free(IRQ irq);

void irq_set(IRQ irq, int level);
/* The level the line was last set to (0 for an unconnected line). */
static inline int irq_get_level(IRQ irq)
{
    return irq ? irq->level : 0;
}
static inline void irq_raise(IRQ irq)
{
    irq_set(irq, 1);
}
static inline void irq_lower(IRQ irq)
{
    irq_set(irq, 0);
}
/* Raise then lower: an edge-triggered event. */
static inline void irq_pulse(IRQ irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

#endif /* RIVET_HWCORE_IRQ_H */

/*
 * IRQ lines: a line remembers whom to call; setting it calls them.
 */
#include "hwcore/irq.h"

#include <stdio.h>
#include <stdlib.h>

IRQ irq_new(IRQHandler *handler, void *opaque, int n)
{
    IRQ irq = calloc(1, sizeof(*irq));
    if (!irq) {
        fprintf(stderr, "rivet: out of memory\n");
        abort();
    }
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

void irq_free(IRQ irq)
{
    free(irq);
}

void irq_set(IRQ irq, int level)
{
    if (irq) {
        irq->level = level;
    }
    if (irq && irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

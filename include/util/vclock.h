/*
 * The deterministic virtual clock and the timers that run on it.
 *
 * Guest time does not follow the host: it advances by VCLOCK_NS_PER_INSN for
 * every executed guest instruction, and when the CPU idles in WFI it jumps
 * straight to the next timer deadline.  Two runs of the same firmware with
 * the same input therefore see exactly the same timestamps, which is what
 * makes snapshots and twin comparisons reproducible.
 */
#ifndef RIVET_UTIL_VCLOCK_H
#define RIVET_UTIL_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* One guest instruction takes this many virtual nanoseconds. */
#define VCLOCK_NS_PER_INSN 1

#define VCLOCK_NO_DEADLINE INT64_MAX

typedef void TimerCallback(void *opaque);

/* A one-shot timer; re-arm it from its callback for periodic behaviour.
 * Embed it in the owning device; it must be deleted before it is freed. */
typedef struct Timer {
    int64_t expire_ns;
    TimerCallback *cb;
    void *opaque;
    struct Timer *next; /* in the clock's list, sorted by expire_ns */
    bool pending;
    /* Arming order: equal deadlines fire in seq order.  Saved with the
     * deadline so a restored machine fires ties in the same order. */
    uint64_t seq;
} Timer;

/* Current virtual time in nanoseconds since reset. */
int64_t vclock_get_ns(void);

/* Move the clock forward (never backward) to ns.  Does not run timers. */
void vclock_advance_to(int64_t ns);

/* Earliest pending deadline, VCLOCK_NO_DEADLINE if none. */
int64_t vclock_next_deadline(void);

/* Run every timer whose deadline is <= now, in deadline order (timers armed
 * by a callback for a time <= now run in the same call).  Returns true if
 * any timer ran. */
bool vclock_run_expired(void);

/* Reset time to 0 and forget all timers (for tests and machine teardown). */
void vclock_reset(void);

void timer_init(Timer *t, TimerCallback *cb, void *opaque);
/* Arm (or re-arm) t to fire when the virtual clock reaches expire_ns. */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
/* Deadline of a pending timer, VCLOCK_NO_DEADLINE when not pending. */
int64_t timer_expire_time(const Timer *t);

/* Migration: the clock's state is its time and the next arming sequence
 * number; a timer's is its deadline and sequence number. */
uint64_t vclock_get_next_seq(void);
/* Set time (may go backwards: a fresh machine takes a snapshot's time) and
 * the sequence counter.  Pending timers are kept. */
void vclock_restore(int64_t now_ns, uint64_t next_seq);
/* Arm t for expire_ns with the given sequence number, in the place it had
 * when it was saved. */
void timer_restore(Timer *t, int64_t expire_ns, uint64_t seq);

#endif /* RIVET_UTIL_VCLOCK_H */

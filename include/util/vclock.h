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
#include <stddef.h>
#include <stdint.h>

/* One guest instruction takes this many virtual nanoseconds. */
#define VCLOCK_NS_PER_INSN 1

/*
 * The end of virtual time, about 292 years after reset.  The clock never
 * passes it: no instruction starts once fewer than VCLOCK_NS_PER_INSN
 * nanoseconds remain (the machine stops there), and a timer armed for it or
 * later never fires, so it is not pending.  "No deadline" is the same
 * instant: nothing happens before the end of time.
 */
#define VCLOCK_END_NS INT64_MAX
#define VCLOCK_NO_DEADLINE VCLOCK_END_NS

/* Time arithmetic that cannot overflow, for every user of the clock.  Times
 * are int64_t nanoseconds; differences are exact in uint64_t whatever the
 * two times are. */

/* to - from when to is later, else 0. */
static inline uint64_t vclock_ns_between(int64_t from, int64_t to)
{
    return to > from ? (uint64_t)to - (uint64_t)from : 0;
}

/* ns + delta_ns, saturated at VCLOCK_END_NS. */
static inline int64_t vclock_ns_after(int64_t ns, uint64_t delta_ns)
{
    if (delta_ns >= vclock_ns_between(ns, VCLOCK_END_NS)) {
        return VCLOCK_END_NS;
    }
    return (int64_t)((uint64_t)ns + delta_ns);
}

/* How many whole instructions fit from ns until the end of time: 0 means
 * the guest cannot run any more. */
static inline uint64_t vclock_insns_before_end(int64_t ns)
{
    return vclock_ns_between(ns, VCLOCK_END_NS) / VCLOCK_NS_PER_INSN;
}

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
/* Arm (or re-arm) t to fire when the virtual clock reaches expire_ns; at
 * or after VCLOCK_END_NS it never fires, and t is deleted instead. */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
/* Whether a pending timer lies in the size bytes at owner: the timers of a
 * device, which embeds them (see Timer). */
bool vclock_pending_within(const void *owner, size_t size);
/* Deadline of a pending timer, VCLOCK_NO_DEADLINE when not pending. */
int64_t timer_expire_time(const Timer *t);

/* Migration: the clock's state is its time and the next arming sequence
 * number; a timer's is its deadline and sequence number. */
uint64_t vclock_get_next_seq(void);
/* Set time (may go backwards: a fresh machine takes a snapshot's time) and
 * the sequence counter.  Pending timers are kept. */
void vclock_restore(int64_t now_ns, uint64_t next_seq);
/* Arm t for expire_ns with the given sequence number, in the place it had
 * when it was saved (deleting it for VCLOCK_END_NS, as timer_mod). */
void timer_restore(Timer *t, int64_t expire_ns, uint64_t seq);

#endif /* RIVET_UTIL_VCLOCK_H */

/*
 * The deterministic virtual clock and its timers.
 *
 * Pending timers sit in one singly linked list sorted by deadline (ties in
 * arming order, so equal deadlines fire first-armed first).  A machine has a
 * handful of timers, so a list beats a heap on simplicity and is just as
 * fast at this size.
 */
#include "util/vclock.h"

#include <stddef.h>

#include "probes/timer.h"

static int64_t vclock_now_ns;
static Timer *pending_head;
static uint64_t vclock_next_seq;

int64_t vclock_get_ns(void)
{
    return vclock_now_ns;
}

void vclock_advance_to(int64_t ns)
{
    /* Guest time is monotonic: a stale target (e.g. a deadline that already
     * passed) must not rewind it. */
    if (ns > vclock_now_ns) {
        vclock_now_ns = ns;
    }
}

int64_t vclock_next_deadline(void)
{
    return pending_head ? pending_head->expire_ns : VCLOCK_NO_DEADLINE;
}

static void timer_unlink(Timer *t)
{
    for (Timer **link = &pending_head; *link; link = &(*link)->next) {
        if (*link == t) {
            *link = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
}

bool vclock_run_expired(void)
{
    bool ran = false;
    /* Re-read the head after every callback: the callback may have armed,
     * re-armed or deleted any timer, itself included. */
    while (pending_head && pending_head->expire_ns <= vclock_now_ns) {
        Timer *t = pending_head;
        timer_unlink(t);
        probe_timer_fire(t, t->expire_ns, vclock_now_ns);
        t->cb(t->opaque);
        ran = true;
    }
    return ran;
}

void vclock_reset(void)
{
    while (pending_head) {
        timer_unlink(pending_head);
    }
    vclock_now_ns = 0;
    vclock_next_seq = 0;
}

void timer_init(Timer *t, TimerCallback *cb, void *opaque)
{
    t->expire_ns = VCLOCK_NO_DEADLINE;
    t->cb = cb;
    t->opaque = opaque;
    t->next = NULL;
    t->pending = false;
}

void timer_del(Timer *t)
{
    if (t->pending) {
        probe_timer_del(t, t->expire_ns, vclock_now_ns);
        timer_unlink(t);
    }
}

/* Insert t in (expire_ns, seq) order.  Sequence numbers only grow, so for
 * timer_mod this is "after every timer with the same deadline". */
static void timer_insert(Timer *t, int64_t expire_ns, uint64_t seq)
{
    if (expire_ns >= VCLOCK_END_NS) {
        timer_del(t); /* the end of time never comes */
        return;
    }
    if (t->pending) {
        timer_unlink(t);
    }
    t->expire_ns = expire_ns;
    t->seq = seq;
    Timer **link = &pending_head;
    while (*link && ((*link)->expire_ns < expire_ns ||
                     ((*link)->expire_ns == expire_ns && (*link)->seq < seq))) {
        link = &(*link)->next;
    }
    t->next = *link;
    *link = t;
    t->pending = true;
    probe_timer_arm(t, expire_ns, vclock_now_ns);
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    timer_insert(t, expire_ns, vclock_next_seq++);
}

void timer_restore(Timer *t, int64_t expire_ns, uint64_t seq)
{
    timer_insert(t, expire_ns, seq);
}

uint64_t vclock_get_next_seq(void)
{
    return vclock_next_seq;
}

void vclock_restore(int64_t now_ns, uint64_t next_seq)
{
    vclock_now_ns = now_ns;
    vclock_next_seq = next_seq;
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

bool vclock_pending_within(const void *owner, size_t size)
{
    uintptr_t start = (uintptr_t)owner;
    for (const Timer *t = pending_head; t; t = t->next) {
        if ((uintptr_t)t - start < size) {
            return true;
        }
    }
    return false;
}

int64_t timer_expire_time(const Timer *t)
{
    return t->pending ? t->expire_ns : VCLOCK_NO_DEADLINE;
}

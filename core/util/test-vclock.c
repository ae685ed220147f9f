/*
 * Unit tests for the virtual clock and its timers: deadline ordering,
 * periodic re-arming from callbacks, deletion (also from inside callbacks),
 * monotonic time, the WFI-style jump to the next deadline, and the end of
 * time with the arithmetic that stops there.
 */
#include <stdbool.h>
#include <stdint.h>

#include "unit-test.h"
#include "util/vclock.h"

#define MAX_EVENTS 32

/* Each firing appends "<id>@<time>" so a test can check order and time. */
static int fired_ids[MAX_EVENTS];
static int64_t fired_at[MAX_EVENTS];
static int fired_count;

typedef struct TestTimer {
    Timer timer;
    int id;
    int64_t period_ns;       /* 0: one-shot */
    int remaining;           /* periodic: how many more re-arms */
    Timer *victim;           /* deleted by this timer's callback, if set */
    Timer *to_arm;           /* armed at now by this timer's callback, if set */
    bool cancel_after_rearm; /* re-arm, then delete itself again */
} TestTimer;

static void record_fire(void *opaque)
{
    TestTimer *tt = opaque;
    if (fired_count < MAX_EVENTS) {
        fired_ids[fired_count] = tt->id;
        fired_at[fired_count] = vclock_get_ns();
        fired_count++;
    }
    if (tt->victim) {
        timer_del(tt->victim);
    }
    if (tt->to_arm) {
        timer_mod(tt->to_arm, vclock_get_ns());
    }
    if (tt->period_ns && tt->remaining > 0) {
        tt->remaining--;
        timer_mod(&tt->timer, tt->timer.expire_ns + tt->period_ns);
    }
    if (tt->cancel_after_rearm) {
        timer_del(&tt->timer);
    }
}

static void test_timer_init(TestTimer *tt, int id)
{
    *tt = (TestTimer){.id = id};
    timer_init(&tt->timer, record_fire, tt);
}

static void start(void)
{
    vclock_reset();
    fired_count = 0;
}

UNIT_TEST(clock_starts_at_zero_and_never_goes_backwards)
{
    start();
    CHECK_EQ_I64(vclock_get_ns(), 0);
    vclock_advance_to(100);
    CHECK_EQ_I64(vclock_get_ns(), 100);
    vclock_advance_to(50);
    CHECK_EQ_I64(vclock_get_ns(), 100);
    vclock_advance_to(100);
    CHECK_EQ_I64(vclock_get_ns(), 100);
    vclock_reset();
    CHECK_EQ_I64(vclock_get_ns(), 0);
}

UNIT_TEST(timers_fire_in_deadline_order)
{
    TestTimer a, b, c, d;
    start();
    test_timer_init(&a, 1);
    test_timer_init(&b, 2);
    test_timer_init(&c, 3);
    test_timer_init(&d, 4);
    timer_mod(&a.timer, 300);
    timer_mod(&b.timer, 100);
    timer_mod(&c.timer, 200);
    timer_mod(&d.timer, 100); /* same deadline as b, armed later */
    CHECK_EQ_I64(vclock_next_deadline(), 100);

    vclock_advance_to(99);
    CHECK(!vclock_run_expired());
    CHECK_EQ_I64(fired_count, 0);

    vclock_advance_to(250);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 3);
    CHECK_EQ_I64(fired_ids[0], 2);
    CHECK_EQ_I64(fired_ids[1], 4);
    CHECK_EQ_I64(fired_ids[2], 3);
    CHECK(timer_pending(&a.timer));
    CHECK(!timer_pending(&b.timer));
    CHECK_EQ_I64(vclock_next_deadline(), 300);

    vclock_advance_to(1000);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 4);
    CHECK_EQ_I64(fired_ids[3], 1);
    CHECK_EQ_I64(vclock_next_deadline(), VCLOCK_NO_DEADLINE);
    CHECK(!vclock_run_expired());
}

UNIT_TEST(remod_moves_a_pending_timer)
{
    TestTimer a, b;
    start();
    test_timer_init(&a, 1);
    test_timer_init(&b, 2);
    timer_mod(&a.timer, 100);
    timer_mod(&b.timer, 200);
    timer_mod(&a.timer, 300);
    CHECK_EQ_I64(timer_expire_time(&a.timer), 300);
    CHECK_EQ_I64(vclock_next_deadline(), 200);
    vclock_advance_to(300);
    vclock_run_expired();
    CHECK_EQ_I64(fired_count, 2);
    CHECK_EQ_I64(fired_ids[0], 2);
    CHECK_EQ_I64(fired_ids[1], 1);
}

UNIT_TEST(rearm_from_callback_is_periodic)
{
    TestTimer p;
    start();
    test_timer_init(&p, 7);
    p.period_ns = 100;
    p.remaining = 3;
    timer_mod(&p.timer, 100);

    /* One big jump: every period that elapsed runs in the same call, each
     * at its own deadline order. */
    vclock_advance_to(350);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 3);
    CHECK(timer_pending(&p.timer));
    CHECK_EQ_I64(timer_expire_time(&p.timer), 400);

    vclock_advance_to(400);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 4);
    CHECK(!timer_pending(&p.timer)); /* remaining ran out */
    CHECK_EQ_I64(timer_expire_time(&p.timer), VCLOCK_NO_DEADLINE);
}

UNIT_TEST(deleted_timer_does_not_fire)
{
    TestTimer a;
    start();
    test_timer_init(&a, 1);
    timer_mod(&a.timer, 10);
    timer_del(&a.timer);
    timer_del(&a.timer); /* deleting twice is harmless */
    CHECK(!timer_pending(&a.timer));
    vclock_advance_to(100);
    CHECK(!vclock_run_expired());
    CHECK_EQ_I64(fired_count, 0);
}

UNIT_TEST(callback_may_delete_another_expired_timer)
{
    TestTimer killer, victim, later;
    start();
    test_timer_init(&killer, 1);
    test_timer_init(&victim, 2);
    test_timer_init(&later, 3);
    killer.victim = &victim.timer;
    timer_mod(&killer.timer, 10);
    timer_mod(&victim.timer, 20);
    timer_mod(&later.timer, 30);
    vclock_advance_to(30);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 2);
    CHECK_EQ_I64(fired_ids[0], 1);
    CHECK_EQ_I64(fired_ids[1], 3);
}

UNIT_TEST(callback_may_delete_itself_then_rearm)
{
    TestTimer self;
    start();
    test_timer_init(&self, 1);
    self.period_ns = 10;
    self.remaining = 100;
    self.victim = &self.timer; /* deletes itself before re-arming */
    timer_mod(&self.timer, 10);
    vclock_advance_to(10);
    vclock_run_expired();
    /* The re-arm after the delete wins: it is still periodic. */
    CHECK(timer_pending(&self.timer));
    CHECK_EQ_I64(timer_expire_time(&self.timer), 20);
    timer_del(&self.timer);
    vclock_advance_to(100);
    CHECK(!vclock_run_expired());
    CHECK_EQ_I64(fired_count, 1);
}

UNIT_TEST(callback_may_cancel_its_own_rearm)
{
    TestTimer self;
    start();
    test_timer_init(&self, 1);
    self.period_ns = 10;
    self.remaining = 100;
    self.cancel_after_rearm = true;
    timer_mod(&self.timer, 10);
    vclock_advance_to(100);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 1);
    CHECK(!timer_pending(&self.timer));
    CHECK_EQ_I64(vclock_next_deadline(), VCLOCK_NO_DEADLINE);
}

UNIT_TEST(timer_armed_now_by_callback_runs_in_same_call)
{
    TestTimer first, second;
    start();
    test_timer_init(&first, 1);
    test_timer_init(&second, 2);
    first.to_arm = &second.timer;
    timer_mod(&first.timer, 50);
    vclock_advance_to(60);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 2);
    CHECK_EQ_I64(fired_ids[1], 2);
    CHECK_EQ_I64(fired_at[1], 60);
}

UNIT_TEST(timer_armed_in_the_past_fires_on_next_run)
{
    TestTimer a;
    start();
    test_timer_init(&a, 1);
    vclock_advance_to(500);
    timer_mod(&a.timer, 100);
    CHECK_EQ_I64(vclock_next_deadline(), 100);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 1);
    CHECK_EQ_I64(fired_at[0], 500);
    CHECK_EQ_I64(vclock_get_ns(), 500); /* firing late does not rewind */
}

UNIT_TEST(wfi_jumps_to_next_deadline)
{
    TestTimer a, b;
    start();
    test_timer_init(&a, 1);
    test_timer_init(&b, 2);
    vclock_advance_to(5 * VCLOCK_NS_PER_INSN);
    timer_mod(&a.timer, 1000000);
    timer_mod(&b.timer, 2000000);

    /* What the CPU does on WFI with no interrupt pending. */
    vclock_advance_to(vclock_next_deadline());
    CHECK_EQ_I64(vclock_get_ns(), 1000000);
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_count, 1);
    CHECK_EQ_I64(fired_at[0], 1000000);

    vclock_advance_to(vclock_next_deadline());
    CHECK(vclock_run_expired());
    CHECK_EQ_I64(fired_at[1], 2000000);

    /* No deadline left: a WFI with nothing pending must not move time. */
    int64_t before = vclock_get_ns();
    if (vclock_next_deadline() != VCLOCK_NO_DEADLINE) {
        vclock_advance_to(vclock_next_deadline());
    }
    CHECK_EQ_I64(vclock_get_ns(), before);
}

UNIT_TEST(reset_forgets_pending_timers)
{
    TestTimer a;
    start();
    test_timer_init(&a, 1);
    timer_mod(&a.timer, 10);
    vclock_reset();
    CHECK(!timer_pending(&a.timer));
    CHECK_EQ_I64(vclock_next_deadline(), VCLOCK_NO_DEADLINE);
    vclock_advance_to(20);
    CHECK(!vclock_run_expired());
    CHECK_EQ_I64(fired_count, 0);
}

UNIT_TEST(time_arithmetic_saturates_instead_of_overflowing)
{
    CHECK_EQ_U64(vclock_ns_between(10, 25), 15);
    CHECK_EQ_U64(vclock_ns_between(25, 10), 0);
    CHECK_EQ_U64(vclock_ns_between(INT64_MIN, INT64_MAX), UINT64_MAX);
    CHECK_EQ_I64(vclock_ns_after(100, 23), 123);
    CHECK_EQ_I64(vclock_ns_after(VCLOCK_END_NS - 5, 4), VCLOCK_END_NS - 1);
    CHECK_EQ_I64(vclock_ns_after(VCLOCK_END_NS - 5, 5), VCLOCK_END_NS);
    CHECK_EQ_I64(vclock_ns_after(VCLOCK_END_NS - 5, UINT64_MAX), VCLOCK_END_NS);
    CHECK_EQ_I64(vclock_ns_after(-5, 10), 5);
    CHECK_EQ_U64(vclock_insns_before_end(VCLOCK_END_NS), 0);
    CHECK_EQ_U64(
        vclock_insns_before_end(VCLOCK_END_NS - 2 * VCLOCK_NS_PER_INSN), 2);
}

UNIT_TEST(a_deadline_at_the_end_of_time_never_comes)
{
    TestTimer a;
    start();
    test_timer_init(&a, 1);
    timer_mod(&a.timer, 100);
    timer_mod(&a.timer, VCLOCK_END_NS);
    CHECK(!timer_pending(&a.timer));
    CHECK_EQ_I64(vclock_next_deadline(), VCLOCK_NO_DEADLINE);
    timer_restore(&a.timer, VCLOCK_END_NS, 3);
    CHECK(!timer_pending(&a.timer));
    vclock_restore(VCLOCK_END_NS, 0);
    CHECK(!vclock_run_expired());
    CHECK_EQ_I64(fired_count, 0);
}

UNIT_TEST(pending_within_finds_the_timers_an_owner_embeds)
{
    struct {
        int64_t before;
        TestTimer t;
        int64_t after;
    } owner;
    TestTimer other;
    start();
    test_timer_init(&owner.t, 1);
    test_timer_init(&other, 2);
    timer_mod(&other.timer, 10);
    CHECK(!vclock_pending_within(&owner, sizeof(owner)));
    timer_mod(&owner.t.timer, 20);
    CHECK(vclock_pending_within(&owner, sizeof(owner)));
    CHECK(vclock_pending_within(&owner.t, sizeof(owner.t)));
    CHECK(!vclock_pending_within(&owner, sizeof(owner.before)));
    CHECK(!vclock_pending_within(&owner.after, sizeof(owner.after)));
    timer_del(&owner.t.timer);
    CHECK(!vclock_pending_within(&owner, sizeof(owner)));
    timer_del(&other.timer);
}

int main(void)
{
    return unit_run_all();
}

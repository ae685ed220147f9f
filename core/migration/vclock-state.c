/*
 * Migration of the virtual clock: time and the timer sequence counter.
 */
#include "migration/vclock-state.h"

#include <inttypes.h>

static bool vclock_pre_save(void *opaque, Error **errp)
{
    VClockMigState *s = opaque;
    (void)errp;
    s->now_ns = vclock_get_ns();
    s->next_seq = vclock_get_next_seq();
    return true;
}

static bool vclock_post_load(void *opaque, int version_id, Error **errp)
{
    VClockMigState *s = opaque;
    (void)version_id;
    if (s->now_ns < 0) {
        error_setg(errp, "field 'now_ns': negative time %" PRId64, s->now_ns);
        return false;
    }
    vclock_restore(s->now_ns, s->next_seq);
    return true;
}

static const VMStateField vclock_fields[] = {
    VMSTATE_INT64(now_ns, VClockMigState),
    VMSTATE_UINT64(next_seq, VClockMigState),
    VMSTATE_END_OF_LIST(),
};

/* Version 2: the stream's timers are written as QEMU writes them, 8 bytes,
 * with their sequence numbers in timer-order subsections.  A version 1
 * stream (16-byte timers) is refused here, before any device section is
 * misread. */
const VMStateDescription vmstate_vclock = {
    .name = "vclock",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = vclock_fields,
    .pre_save = vclock_pre_save,
    .post_load = vclock_post_load,
};

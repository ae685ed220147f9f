/*
 * The "vclock" section: the virtual clock's time and its timer arming
 * sequence counter.  Timers themselves are saved by the devices that own
 * them (VMSTATE_TIMER), so each deadline travels with the state it belongs
 * to; this section makes "now" and tie order match.
 */
#ifndef RIVET_MIGRATION_VCLOCK_STATE_H
#define RIVET_MIGRATION_VCLOCK_STATE_H

#include <stdint.h>

#include "migration/vmstate.h"

typedef struct VClockMigState {
    int64_t now_ns;
    uint64_t next_seq;
} VClockMigState;

/* opaque: a VClockMigState (filled from the clock by pre_save, applied to
 * the clock by post_load). */
extern const VMStateDescription vmstate_vclock;

#endif /* RIVET_MIGRATION_VCLOCK_STATE_H */

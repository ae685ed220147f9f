/*
 * Pacing: keeping virtual time from running ahead of host time, for people
 * who want to watch a guest tick (-icount shift=0,sleep=on).
 *
 * By default rivet's guest time is purely virtual (util/vclock.h): an idle
 * hart jumps straight to its next timer deadline.  With pacing on, the
 * machine waits instead until host time catches up with that deadline,
 * still serving host input meanwhile.  Pacing only decides how long the
 * host waits: the guest executes the same instructions at the same virtual
 * instants, so its output and its snapshots are the same as an unpaced
 * run's, as long as host input arrives the same way (docs/architecture.md,
 * "Pacing").
 */
#ifndef RIVET_UTIL_PACE_H
#define RIVET_UTIL_PACE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* Parse the argument of -icount, QEMU's spelling:
 * shift=0[,sleep=on|off][,align=on|off], or a bare shift number.  Sets
 * the pacing mode for the run; false with *errp set on a bad argument. */
bool pace_parse_icount(const char *text, Error **errp);

/* Whether an idle hart waits for host time (sleep=on). */
bool pace_sleeping(void);

/* Start of a run: align=on measures host time from here. */
void pace_start(void);

/* The hart idles until deadline_ns: wait until host time reaches it,
 * serving host input.  Returns true when the deadline was reached (the
 * caller moves the clock there); false when input arrived first, with
 * the clock moved to the matching virtual instant and the input
 * dispatched. */
bool pace_idle_until(int64_t deadline_ns);

/* align=on: between two slices of a busy guest, wait while virtual time
 * is ahead of host time since pace_start() (input is then dispatched by
 * the caller's next look at the main loop). */
void pace_align(void);

#endif /* RIVET_UTIL_PACE_H */

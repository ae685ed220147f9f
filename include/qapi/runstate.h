/*
 * The machine's run state, as QMP sees it (query-status, stop, cont,
 * system_reset, quit) and the events that tell its changes (STOP, RESUME,
 * RESET, SHUTDOWN).  The commands only change the state or leave a
 * request; the machine's run loop (core/machine/run.c) executes nothing
 * while the state is not running, and carries out reset and shutdown
 * requests between two slices of guest instructions.
 */
#ifndef RIVET_QAPI_RUNSTATE_H
#define RIVET_QAPI_RUNSTATE_H

#include <stdbool.h>
#include <stdio.h>

#include "qapi-types-run-state.h"
#include "qom/object.h"

RunState runstate_get(void);
bool runstate_is_running(void);
/* Set the state without an event: -S starts in prelaunch. */
void runstate_set(RunState state);

/* Stop a running machine in state (STOP); nothing when it is not running,
 * as in QEMU. */
void vm_stop(RunState state);
/* Run the machine (RESUME).  A running machine sends STOP then RESUME and
 * stays running, as QEMU's cont does.  Fails when only a reset can bring
 * the machine back (it shut down with -no-shutdown). */
bool vm_start(Error **errp);

/* system_reset: the run loop resets the machine and sends RESET. */
void runstate_request_reset(ShutdownCause cause);
/* The pending reset request, cleared; false when there is none. */
bool runstate_take_reset_request(ShutdownCause *cause);
/* A reset was done for cause: RESET; a machine that had shut down waits
 * in prelaunch for cont, as QEMU's does. */
void runstate_reset_done(bool guest, ShutdownCause cause);

/* quit: the run loop ends, with exit status 0. */
void runstate_request_shutdown(ShutdownCause cause);
/* -no-shutdown: a guest poweroff stops the machine instead of ending the
 * run. */
void runstate_set_no_shutdown(bool on);
/* The run loop saw an exit request (quit, or the guest powered off): send
 * SHUTDOWN.  Returns true when the machine stays (-no-shutdown and a guest
 * poweroff): it is then stopped in state shutdown (STOP) and the exit
 * request is withdrawn. */
bool runstate_shutdown(void);

/* A QMP monitor is open: a hart that nothing in the machine can wake
 * waits for the monitor's client (reset, quit) instead of ending the run
 * with an error. */
void runstate_set_monitored(bool on);
bool runstate_monitored(void);

/* How a hart shows its registers (`info registers`): its target's layout,
 * as QEMU's CPUClass dump_state.  The CPU sits above this layer, so it
 * hands the function in when it registers. */
typedef void CpuDumpState(Object *cpu, FILE *out);

/* The machine's harts, for query-cpus-fast and the human monitor, in
 * cpu-index order (the board registers them when it builds them and
 * forgets them when it goes). */
void runstate_register_cpu(Object *cpu, CpuDumpState *dump_state);
void runstate_unregister_cpus(void);
int runstate_cpu_count(void);
/* Write the registers of hart index (0 <= index < runstate_cpu_count()). */
void runstate_cpu_dump_state(int index, FILE *out);

#endif /* RIVET_QAPI_RUNSTATE_H */

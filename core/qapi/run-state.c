/*
 * The run state and its QMP commands (qapi/runstate.h): query-status,
 * stop, cont, system_reset, quit (the shutdown request) and
 * query-cpus-fast, with QEMU's events.
 */
#include "qapi/runstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "qapi-commands-control.h"
#include "qapi-commands-machine.h"
#include "qapi-commands-run-state.h"
#include "qapi-events-run-state.h"
#include "util/main-loop.h"

static RunState current_state = RUN_STATE_RUNNING;
static bool reset_pending;
static ShutdownCause reset_cause;
static ShutdownCause shutdown_cause = SHUTDOWN_CAUSE_NONE;
static bool no_shutdown;
static bool monitored;

#define RUNSTATE_MAX_CPUS 8
static struct {
    Object *obj;
    CpuDumpState *dump_state;
} cpus[RUNSTATE_MAX_CPUS];
static int cpu_count;

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

void runstate_set(RunState state)
{
    current_state = state;
}

void vm_stop(RunState state)
{
    if (runstate_is_running()) {
        current_state = state;
        qapi_event_send_stop();
    }
}

bool vm_start(Error **errp)
{
    if (current_state == RUN_STATE_SHUTDOWN) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    if (runstate_is_running()) {
        qapi_event_send_stop();
    }
    current_state = RUN_STATE_RUNNING;
    qapi_event_send_resume();
    return true;
}

void runstate_request_reset(ShutdownCause cause)
{
    reset_pending = true;
    reset_cause = cause;
}

bool runstate_take_reset_request(ShutdownCause *cause)
{
    if (!reset_pending) {
        return false;
    }
    reset_pending = false;
    *cause = reset_cause;
    return true;
}

void runstate_reset_done(bool guest, ShutdownCause cause)
{
    if (current_state == RUN_STATE_SHUTDOWN) {
        current_state = RUN_STATE_PRELAUNCH;
    }
    qapi_event_send_reset(guest, cause);
}

void runstate_request_shutdown(ShutdownCause cause)
{
    shutdown_cause = cause;
    main_loop_request_exit(0);
}

void runstate_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

bool runstate_shutdown(void)
{
    /* Without a host request, the guest ended the run (power device,
     * HTIF exit). */
    bool guest = shutdown_cause == SHUTDOWN_CAUSE_NONE;
    ShutdownCause cause =
        guest ? SHUTDOWN_CAUSE_GUEST_SHUTDOWN : shutdown_cause;
    shutdown_cause = SHUTDOWN_CAUSE_NONE;
    qapi_event_send_shutdown(guest, cause);
    if (guest && no_shutdown) {
        vm_stop(RUN_STATE_SHUTDOWN);
        current_state = RUN_STATE_SHUTDOWN;
        main_loop_reset();
        return true;
    }
    current_state = RUN_STATE_SHUTDOWN;
    return false;
}

void runstate_set_monitored(bool on)
{
    monitored = on;
}

bool runstate_monitored(void)
{
    return monitored;
}

void runstate_register_cpu(Object *cpu, CpuDumpState *dump_state)
{
    if (cpu_count == RUNSTATE_MAX_CPUS) {
        fputs("rivet: bug: more harts than query-cpus-fast knows\n", stderr);
        abort();
    }
    cpus[cpu_count].obj = cpu;
    cpus[cpu_count].dump_state = dump_state;
    cpu_count++;
}

void runstate_unregister_cpus(void)
{
    cpu_count = 0;
}

int runstate_cpu_count(void)
{
    return cpu_count;
}

void runstate_cpu_dump_state(int index, FILE *out)
{
    cpus[index].dump_state(cpus[index].obj, out);
}

static void *zalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p) {
        qapi_out_of_memory();
    }
    return p;
}

StatusInfo *qmp_query_status(Error **errp)
{
    (void)errp;
    StatusInfo *info = zalloc(sizeof(*info));
    info->running = runstate_is_running();
    info->singlestep = false; /* rivet has no single-step mode */
    info->status = current_state;
    return info;
}

void qmp_stop(Error **errp)
{
    (void)errp;
    vm_stop(RUN_STATE_PAUSED);
}

void qmp_cont(Error **errp)
{
    vm_start(errp);
}

void qmp_system_reset(Error **errp)
{
    (void)errp;
    runstate_request_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_quit(Error **errp)
{
    (void)errp;
    runstate_request_shutdown(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

CpuInfoFastList *qmp_query_cpus_fast(Error **errp)
{
    (void)errp;
    CpuInfoFastList *head = NULL, **tail = &head;
    /* Every hart runs in rivet's one thread: the thread answering. */
    int64_t thread_id = (int64_t)syscall(SYS_gettid);
    for (int i = 0; i < cpu_count; i++) {
        CpuInfoFast *info = zalloc(sizeof(*info));
        info->cpu_index = i;
        info->qom_path = object_get_canonical_path(cpus[i].obj);
        if (!info->qom_path) {
            qapi_out_of_memory();
        }
        info->thread_id = thread_id;
        info->props = zalloc(sizeof(*info->props));
        info->props->has_socket_id = true;
        info->props->socket_id = 0;
        info->props->has_core_id = true;
        info->props->core_id = i;
        info->target = SYS_EMU_TARGET_RISCV64;
        CpuInfoFastList *item = zalloc(sizeof(*item));
        item->value = info;
        *tail = item;
        tail = &item->next;
    }
    return head;
}

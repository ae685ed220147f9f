/*
 * The execution loop: slices of guest instructions, interleaved with the
 * main loop (chardev input) and virtual-clock timers.  When the hart idles
 * in WFI, time jumps to the next timer deadline instead of passing in real
 * time, which keeps runs deterministic and idle guests fast; with
 * -icount sleep=on the host waits for that deadline too (util/pace.h).
 *
 * Host input is looked at only at points fixed by guest state: when the
 * instruction count crosses a multiple of RUN_SLICE_INSNS, and when the
 * hart idles.  A run stopped at any instruction (-save-at) and resumed from
 * its snapshot therefore sees its input at exactly the same guest instants
 * as an uninterrupted run.
 */
#include "machine/virt.h"

#include <inttypes.h>

#include "qapi/migration.h"
#include "qapi/runstate.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/pace.h"
#include "util/vclock.h"

/* Instructions per slice between two looks at host input.  Large enough
 * that the poll() costs nothing measurable, small enough that typed input
 * is echoed without a visible delay. */
#define RUN_SLICE_INSNS 100000

/* QMP's requests (qapi/runstate.h), between two slices: a reset, and a
 * stopped machine waiting for cont.  Returns false when the loop must
 * look again before running the guest (it is stopped), and -1 in *status
 * on error. */
static bool virt_machine_may_run(VirtMachine *vms, bool *was_stopped,
                                 Error **errp, int *status)
{
    ShutdownCause cause;
    *status = 0;
    if (runstate_take_reset_request(&cause)) {
        if (!virt_machine_reset(vms, errp)) {
            *status = -1;
            return false;
        }
        runstate_reset_done(false, cause);
    }
    if (runstate_is_running()) {
        if (*was_stopped) {
            /* Host time passed while stopped, virtual time did not. */
            *was_stopped = false;
            pace_start();
        }
        return true;
    }
    *was_stopped = true;
    if (main_loop_active_fds() == 0) {
        error_setg(errp,
                   "the machine is stopped (%s) and no monitor is left to "
                   "continue it",
                   RunState_str[runstate_get()]);
        *status = -1;
        return false;
    }
    main_loop_poll(-1);
    return false;
}

int virt_machine_run_until(VirtMachine *vms, uint64_t stop_at, Error **errp)
{
    RiscvCPU *cpu = vms->cpu;
    bool was_stopped = false;

    pace_start();
    for (;;) {
        if (main_loop_exit_requested() && !runstate_shutdown()) {
            break;
        }
        /* The top of the loop is the only place a run stops: everything
         * the next iteration depends on is machine state.  A migration
         * that QMP's migrate started is written here too, so that its
         * stream is the one -save-at writes at this instruction count.
         * As in QEMU, a completed migration leaves the guest paused
         * (postmigrate) until cont. */
        if (migration_run_pending()) {
            vm_stop(RUN_STATE_POSTMIGRATE);
        }
        if (vms->insns_executed >= stop_at) {
            return VIRT_RUN_STOPPED;
        }
        int status;
        if (!virt_machine_may_run(vms, &was_stopped, errp, &status)) {
            if (status < 0) {
                return -1;
            }
            continue;
        }
        if (vclock_insns_before_end(vclock_get_ns()) == 0) {
            error_setg(errp,
                       "guest virtual time reached its end (%" PRId64
                       " ns, about 292 years) after %" PRIu64
                       " instructions, at pc 0x%" PRIx64,
                       vclock_get_ns(), vms->insns_executed, cpu->pc);
            return -1;
        }
        if (vms->reset_requested) {
            if (!virt_machine_reset(vms, errp)) {
                return -1;
            }
            runstate_reset_done(true, SHUTDOWN_CAUSE_GUEST_RESET);
        }
        uint64_t budget =
            RUN_SLICE_INSNS - vms->insns_executed % RUN_SLICE_INSNS;
        if (budget > stop_at - vms->insns_executed) {
            budget = stop_at - vms->insns_executed;
        }
        uint64_t executed = 0;
        CpuExitReason why = riscv_cpu_exec(cpu, budget, &executed);
        vms->insns_executed += executed;
        if (executed && vms->insns_executed % RUN_SLICE_INSNS == 0) {
            pace_align();
            main_loop_poll(0); /* input, then expired timers */
        } else {
            vclock_run_expired();
        }
        if (why != CPU_EXIT_WFI || !cpu->waiting ||
            main_loop_exit_requested() || vms->reset_requested) {
            continue;
        }
        /* Idle: input that is already there wakes the guest first. */
        if (main_loop_poll(0)) {
            continue;
        }
        /* Skip to the next deadline while a timer may wake the hart, else
         * block for input that may; when nothing can, stop and say why. */
        VirtWakers wakers;
        Error *stuck = NULL;
        if (!virt_hart_wakers(vms, &wakers, &stuck)) {
            /* A QMP client may still reset the machine or quit: wait for
             * it, as QEMU waits with a hung guest. */
            if (runstate_monitored() && main_loop_active_fds() > 0) {
                error_free(stuck);
                main_loop_poll(-1);
                continue;
            }
            error_propagate(errp, stuck);
            return -1;
        }
        if (wakers.timer) {
            /* Paced (-icount sleep=on): the host waits for the deadline
             * too, and input that comes first is the guest's at once. */
            if (pace_sleeping() && !pace_idle_until(vclock_next_deadline())) {
                continue;
            }
            vclock_advance_to(vclock_next_deadline());
            vclock_run_expired();
        } else {
            main_loop_poll(-1);
        }
    }
    if (vms->htif_dev.fatal) {
        /* The guest asked HTIF for something that cannot be served. */
        error_propagate(errp, vms->htif_dev.fatal);
        vms->htif_dev.fatal = NULL;
        return -1;
    }
    if (log_item_enabled(LOG_ITEM_CPU)) {
        riscv_cpu_log_state(cpu);
    }
    if (log_item_enabled(LOG_ITEM_DEV_REGS)) {
        qdev_log_registers(OBJECT(vms));
    }
    return main_loop_exit_status();
}

int virt_machine_run(VirtMachine *vms, Error **errp)
{
    return virt_machine_run_until(vms, UINT64_MAX, errp);
}

/*
 * The execution loop: slices of guest instructions, interleaved with the
 * main loop (chardev input) and virtual-clock timers.  When the hart idles
 * in WFI, time jumps to the next timer deadline instead of passing in real
 * time, which keeps runs deterministic and idle guests fast.
 */
#include "machine/virt.h"

#include "util/log.h"
#include "util/main-loop.h"
#include "util/vclock.h"

/* Instructions per slice between two looks at host input.  Large enough
 * that the poll() costs nothing measurable, small enough that typed input
 * is echoed without a visible delay. */
#define RUN_SLICE_INSNS 100000

int virt_machine_run(VirtMachine *vms, Error **errp)
{
    RiscvCPU *cpu = vms->cpu;

    while (!main_loop_exit_requested()) {
        if (vms->reset_requested) {
            virt_machine_reset(vms);
        }
        uint64_t executed = 0;
        CpuExitReason why = riscv_cpu_exec(cpu, RUN_SLICE_INSNS, &executed);
        main_loop_poll(0);
        if (why != CPU_EXIT_WFI || !cpu->waiting ||
            main_loop_exit_requested() || vms->reset_requested) {
            continue;
        }
        /* Idle: skip to the next deadline, or block for input. */
        int64_t deadline = vclock_next_deadline();
        if (deadline != VCLOCK_NO_DEADLINE) {
            vclock_advance_to(deadline);
            vclock_run_expired();
        } else if (main_loop_active_fds() > 0) {
            main_loop_poll(-1);
        } else {
            error_setg(errp,
                       "guest stopped in WFI at pc 0x%llx with no timer armed "
                       "and no input source: it can never wake up",
                       (unsigned long long)cpu->pc);
            return -1;
        }
    }
    if (log_item_enabled(LOG_ITEM_CPU)) {
        riscv_cpu_dump_state(cpu);
    }
    return main_loop_exit_status();
}

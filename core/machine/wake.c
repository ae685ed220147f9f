/*
 * Can the hart sleeping in WFI ever wake up?
 *
 * It wakes when an interrupt enabled in mie becomes pending, whatever
 * mstatus.MIE says (privileged spec 3.3.3).  While it sleeps, only the hart
 * could change mie, msip, mtimecmp or the PLIC's enables, priorities,
 * threshold and claims, so those stay as they are.  What still changes is
 * driven by timers (a device's timer callback may raise the device's line)
 * and by host input (the UART).  This works out which of the two could
 * still raise an enabled interrupt; when neither can, the run would skip
 * from one timer event to the next forever, so it stops instead, naming
 * what keeps every enabled interrupt from pending.
 */
#include "machine/virt.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "hw/intc/clint/clint.h"
#include "hw/intc/plic/plic.h"
#include "util/main-loop.h"
#include "util/vclock.h"

#define MIE_BIT(irq) (1ULL << (irq))

/* Why nothing can wake the hart, built up part by part. */
typedef struct WakeReasons {
    char text[1024];
    size_t len;
} WakeReasons;

/* Append separator (unless r is empty), then the formatted text. */
static void __attribute__((format(printf, 3, 4)))
reason_add(WakeReasons *r, const char *separator, const char *fmt, ...)
{
    size_t room = sizeof(r->text) - r->len;
    int n = snprintf(r->text + r->len, room, "%s", r->len ? separator : "");
    if (n > 0 && (size_t)n < room) {
        r->len += (size_t)n;
        room -= (size_t)n;
    }
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(r->text + r->len, room, fmt, ap);
    va_end(ap);
    if (n > 0) {
        r->len += (size_t)n < room ? (size_t)n : room - 1;
    }
}

/* Timers embedded in dev are armed: their callbacks may raise its lines. */
static bool virt_device_timer_armed(DeviceState *dev)
{
    return vclock_pending_within(dev, object_instance_size(OBJECT(dev)));
}

/* MEIP: a source the PLIC would deliver, driven by a device that a timer
 * or input may still make raise its line. */
static void virt_plic_wakers(VirtMachine *vms, VirtWakers *wakers,
                             WakeReasons *why)
{
    const PLICState *plic = PLIC(vms->devices[VIRT_DEV_PLIC]);
    uint32_t open = plic_open_sources(plic);
    bool input = main_loop_active_fds() > 0;

    if (!plic->enable) {
        reason_add(why, "; ", "mie.MEIE: no PLIC source is enabled");
        return;
    }
    reason_add(why, "; ", "mie.MEIE: ");
    const char *separator = "";
    for (unsigned src = 1; src < PLIC_NUM_SOURCES; src++) {
        if (!(plic->enable & (1u << src))) {
            continue;
        }
        DeviceState *dev = vms->plic_source_device[src];
        const char *name = dev ? OBJECT(dev)->name : "nothing wired";
        if (plic->in_service & (1u << src)) {
            reason_add(why, separator,
                       "PLIC source %u (%s) is in service (claimed, never "
                       "completed)",
                       src, name);
        } else if (!(open & (1u << src))) {
            reason_add(why, separator,
                       "PLIC source %u (%s) has priority %u, not above the "
                       "threshold %u",
                       src, name, plic->priority[src], plic->threshold);
        } else if (!dev) {
            reason_add(why, separator, "PLIC source %u has nothing wired to it",
                       src);
        } else {
            bool timer = virt_device_timer_armed(dev);
            bool uart = dev == vms->devices[VIRT_DEV_UART0];
            bool by_input = input && uart;
            wakers->timer |= timer;
            wakers->input |= by_input;
            if (!timer && !by_input) {
                reason_add(why, separator,
                           "PLIC source %u (%s) has no timer armed%s", src,
                           name, uart ? " and no input" : "");
            }
        }
        separator = ", ";
    }
}

bool virt_hart_wakers(VirtMachine *vms, VirtWakers *wakers, Error **errp)
{
    const RiscvCPU *cpu = vms->cpu;
    uint64_t mie = cpu->csr.mie;
    WakeReasons why = {.len = 0};

    *wakers = (VirtWakers){.timer = false, .input = false};
    if (mie & MIE_BIT(RISCV_IRQ_MSIP)) {
        reason_add(&why, "; ", "mie.MSIE: only this hart raises MSIP");
    }
    if (mie & MIE_BIT(RISCV_IRQ_MTIP)) {
        if (virt_device_timer_armed(vms->devices[VIRT_DEV_CLINT])) {
            wakers->timer = true;
        } else {
            const CLINTState *clint = CLINT(vms->devices[VIRT_DEV_CLINT]);
            uint64_t mtime = clint_get_mtime(clint);
            uint64_t ticks_left =
                vclock_ns_between(vclock_get_ns(), VCLOCK_END_NS) /
                CLINT_NS_PER_TICK;
            /* MTIP is low, so mtime has not reached mtimecmp yet. */
            reason_add(&why, "; ",
                       "mie.MTIE: mtimecmp 0x%" PRIx64 " %s "
                       "(mtime 0x%" PRIx64 ")",
                       clint->mtimecmp,
                       clint->mtimecmp - mtime > ticks_left
                           ? "is beyond the end of virtual time"
                           : "has no timer armed",
                       mtime);
        }
    }
    if (mie & MIE_BIT(RISCV_IRQ_MEIP)) {
        virt_plic_wakers(vms, wakers, &why);
    }
    if (wakers->timer || wakers->input) {
        return true;
    }
    error_setg(errp,
               "guest stopped in WFI at pc 0x%" PRIx64
               " and nothing can wake it: %s",
               cpu->pc, why.len ? why.text : "mie is 0");
    return false;
}

/*
 * Sdtrig from M-mode, as a debugger stub would use it: enumerate the
 * triggers through tselect and tinfo, then an execute, a load and a store
 * address trigger, each raising a breakpoint exception before the
 * instruction or the access (mepc, mtval checked), which the handler turns
 * off before resuming.  A trigger stays quiet while mstatus.MIE is 0.
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "csr.h"
#include "trap.h"
#include "uart.h"

#define CAUSE_BREAKPOINT 3
#define MC6 (6ul << 60)
#define MC6_DISABLED (15ul << 60)
#define MC6_M 0x40
#define MC6_EXECUTE 4
#define MC6_STORE 2
#define MC6_LOAD 1

static volatile uint32_t traps;
static volatile uint64_t trap_mcause, trap_mepc, trap_mtval;
static volatile uint64_t watched = 41;

static void on_exception(struct trap_frame *frame)
{
    traps++;
    trap_mcause = frame->mcause;
    trap_mepc = frame->mepc;
    trap_mtval = frame->mtval;
    /* Disarm and resume at the same instruction, which now runs. */
    csr_write(tdata1, 0);
}

static __attribute__((noipa)) uint64_t target(uint64_t x)
{
    return x * 3;
}

static void arm(uint64_t tdata1, uint64_t tdata2)
{
    traps = 0;
    trap_mcause = trap_mepc = trap_mtval = ~0ul;
    csr_write(tselect, 1);
    csr_write(tdata2, tdata2);
    csr_write(tdata1, tdata1);
    csr_set(mstatus, MSTATUS_MIE); /* M-mode triggers need MIE */
}

static void disarm(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(tdata1, 0);
}

int main(void)
{
    uart_init(true);
    trap_set_exception_handler(on_exception);
    print("triggers: Sdtrig mcontrol6\n");
    csr_write(mie, 0); /* MIE on must not let interrupts in */

    check_group("enumeration");
    unsigned n = 0;
    for (;;) {
        csr_write(tselect, n);
        if (csr_read(tselect) != n || csr_read(tinfo) == 1) {
            break;
        }
        n++;
    }
    check_count("triggers", n, 2);
    csr_write(tselect, 0);
    check_eq("tinfo: version 1, mcontrol6 and disabled", csr_read(tinfo),
             0x01008040);
    check_eq("tdata1 after reset", csr_read(tdata1), MC6_DISABLED);
    csr_write(tdata1, 2ul << 60); /* legacy mcontrol: not supported */
    check_eq("an unsupported type leaves it disabled", csr_read(tdata1),
             MC6_DISABLED);

    check_group("execute");
    arm(MC6 | MC6_M | MC6_EXECUTE, (uint64_t)target);
    uint64_t r = target(14);
    disarm();
    check_count("one breakpoint", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_BREAKPOINT);
    check_eq("mepc", trap_mepc, (uint64_t)target);
    check_eq("mtval", trap_mtval, (uint64_t)target);
    check_count("the call then ran", r, 42);

    check_group("load");
    arm(MC6 | MC6_M | MC6_LOAD, (uint64_t)&watched);
    uint64_t v = watched;
    disarm();
    check_count("one breakpoint", traps, 1);
    check_eq("mtval", trap_mtval, (uint64_t)&watched);
    check_count("the load then ran", v, 41);

    check_group("store");
    arm(MC6 | MC6_M | MC6_STORE, (uint64_t)&watched);
    watched = 7;
    disarm();
    check_count("one breakpoint", traps, 1);
    check_count("mcause", trap_mcause, CAUSE_BREAKPOINT);
    check_eq("mtval", trap_mtval, (uint64_t)&watched);
    check_count("the store then ran", watched, 7);

    check_group("MIE clear");
    arm(MC6 | MC6_M | MC6_LOAD, (uint64_t)&watched);
    csr_clear(mstatus, MSTATUS_MIE);
    v = watched;
    disarm();
    check_count("no breakpoint", traps, 0);

    return check_summary("triggers");
}

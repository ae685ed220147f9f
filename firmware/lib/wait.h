/*
 * Sleeping in WFI until interrupt handlers have counted enough events, with
 * a CLINT timer as a watchdog so a missing interrupt fails a check instead
 * of hanging the machine.
 */
#ifndef FW_WAIT_H
#define FW_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/* Sleep until *counter >= target or timeout_us of guest time have passed;
 * returns whether the count was reached.  Takes over mtimecmp and the timer
 * interrupt while it waits; restores mstatus.MIE on return. */
bool wait_for_count(volatile uint32_t *counter, uint32_t target,
                    uint64_t timeout_us);

/* Busy-wait for roughly `ns` of guest time (the virtual clock advances
 * 1 ns per instruction), by the CLINT's mtime. */
void delay_ns(uint64_t ns);

#endif /* FW_WAIT_H */

/*
 * HTIF, the host-target interface of spike's front end: the guest writes a
 * command to its `tohost` variable and reads responses from `fromhost`.
 * A command is device << 56 | command << 48 | payload (48 bits):
 *
 *   device 0, command 0, payload odd:  exit with code payload >> 1 (here
 *       bits 55:1, as rivet always took them: "1" passes)
 *   device 0, command 0, payload even: a system call, payload pointing at
 *       eight 64-bit words (number, then arguments); the result replaces
 *       the first word and fromhost becomes 1.  write (64) to fd 1 or 2
 *       goes to the serial port, exit (93) stops the machine; others
 *       return -ENOSYS (spike's front end would abort)
 *   device 1, command 1: putchar (payload & 0xff) to the serial port;
 *       response 0x100 | the byte
 *   device 1, command 0: getchar: a response 0x100 | the byte once the
 *       serial port has input (taken ahead of the UART)
 *
 * A response goes to fromhost when it reads 0 (the guest clears it after
 * each one); until then up to HTIF_MAX_RESPONSES wait, in order.
 */
#ifndef RIVET_MACHINE_HTIF_H
#define RIVET_MACHINE_HTIF_H

#include <stdbool.h>
#include <stdint.h>

#include "chardev/char.h"
#include "memory/memory.h"

#define HTIF_MAX_RESPONSES 4
/* Console reads that may wait for input at once. */
#define HTIF_MAX_READS 4

typedef struct Htif {
    /* Two 8-byte windows over RAM, at the ELF symbols `tohost` and
     * `fromhost` (tohost + 8 without one), above RAM's priority. */
    MemoryRegion tohost_mr;
    MemoryRegion fromhost_mr;
    uint64_t tohost;
    uint64_t fromhost;
    uint64_t responses[HTIF_MAX_RESPONSES]; /* oldest first */
    uint8_t nr_responses;
    uint8_t reads_pending;
    CharFrontend console; /* a tap on the serial port (chardev/char.h) */
    MemoryRegion *ram;    /* syscall blocks and buffers are read here */
    uint64_t ram_base;
    /* A request the host cannot serve (a syscall block outside RAM): the
     * machine stops and the run reports it (virt_machine_run). */
    Error *fatal;
    bool mapped;
} Htif;

/* Map the mailboxes and attach to the serial port (may be NULL: output is
 * discarded, getchar never answers). */
bool htif_init(Htif *h, Object *owner, uint64_t tohost_addr,
               uint64_t fromhost_addr, MemoryRegion *ram, uint64_t ram_base,
               Chardev *serial, Error **errp);
/* Guest reset: empty mailboxes, no waiting response or read. */
void htif_reset(Htif *h);
/* Switch the windows off while the firmware image reloads. */
void htif_set_enabled(Htif *h, bool enabled);
void htif_destroy(Htif *h);

#endif /* RIVET_MACHINE_HTIF_H */

/* Power-off through the board's power/test device. */
#ifndef FW_POWER_H
#define FW_POWER_H

#include <stdint.h>

/* Exit status 0. */
__attribute__((noreturn)) void power_pass(void);
/* Exit status `code` (1..65535; 0 is turned into 1 so it still fails). */
__attribute__((noreturn)) void power_fail(uint32_t code);
/* Ask the board for a reset: the firmware image is reloaded and starts
 * again from its entry point; RAM outside the image keeps its contents. */
__attribute__((noreturn)) void power_reset(void);
/* 0 = pass, anything else = fail(status); _start calls it with main's
 * return value. */
__attribute__((noreturn)) void power_exit(int status);

#endif /* FW_POWER_H */

/*
 * Self-checking test output: one line per check, "ok - <what>" or
 * "not ok - <what>: got X expected Y", and a summary at the end.
 */
#ifndef FW_CHECK_H
#define FW_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* Prefix the following checks' descriptions with "<group>: " (NULL to
 * stop). */
void check_group(const char *group);
/* Values are shown in hex (registers, addresses). */
bool check_eq(const char *what, uint64_t got, uint64_t expected);
/* Values are shown in decimal (counts, times). */
bool check_count(const char *what, uint64_t got, uint64_t expected);
/* Decimal, accepts lo <= got <= hi. */
bool check_range(const char *what, uint64_t got, uint64_t lo, uint64_t hi);
bool check_true(const char *what, bool condition);
/* Prints "<program>: all N checks passed" or "<program>: F of N checks
 * failed" and returns the number of failures (main's return value). */
int check_summary(const char *program);

#endif /* FW_CHECK_H */

/*
 * The one parser for numbers written by the user (command-line options and
 * property values), so every option accepts the same strict syntax: digits
 * only, no blanks, no sign, no octal; hex only where the caller allows it.
 */
#ifndef RIVET_UTIL_NUMBER_H
#define RIVET_UTIL_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum NumberParse {
    NUMBER_OK,
    NUMBER_INVALID,   /* no digits where the number should start */
    NUMBER_TOO_LARGE, /* valid digits, but more than 64 bits */
} NumberParse;

/* Parse the unsigned number at the start of text: decimal, or with
 * allow_hex also "0x"/"0X" followed by hex digits.  *end is set to the
 * first character after the digits, so the caller decides what may follow
 * (a size suffix, a comma); pass end NULL to require the whole text to be
 * the number. */
NumberParse parse_uint64(const char *text, bool allow_hex, const char **end,
                         uint64_t *value);

#endif /* RIVET_UTIL_NUMBER_H */

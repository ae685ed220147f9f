/*
 * Strict number parsing for options and properties.  strtoull() is not
 * used: it skips leading blanks and accepts a sign, so " -1" would become
 * 2^64-1.
 */
#include "util/number.h"

static int digit_value(char c, unsigned base)
{
    int v;
    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    } else {
        return -1;
    }
    return (unsigned)v < base ? v : -1;
}

NumberParse parse_uint64(const char *text, bool allow_hex, const char **end,
                         uint64_t *value)
{
    const char *p = text;
    unsigned base = 10;
    if (allow_hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    const char *digits = p;
    uint64_t v = 0;
    bool too_large = false;
    for (int d; (d = digit_value(*p, base)) >= 0; p++) {
        if (v > (UINT64_MAX - (uint64_t)d) / base) {
            too_large = true;
        }
        v = v * base + (uint64_t)d;
    }
    if (end) {
        *end = p == digits ? text : p;
    }
    if (p == digits || (!end && *p != '\0')) {
        return NUMBER_INVALID;
    }
    if (too_large) {
        return NUMBER_TOO_LARGE;
    }
    *value = v;
    return NUMBER_OK;
}

/*
 * Pacing of virtual time against host time (-icount shift=0,sleep=on).
 *
 * QEMU's -icount: shift=N makes one instruction take 2^N ns of virtual
 * time; sleep=on (its default) lets virtual time pass at host speed while
 * the vCPU sleeps, sleep=off jumps to the next deadline at once;
 * align=on also holds a busy guest back when its virtual time runs ahead
 * of host time.  rivet's instruction always takes 1 ns, so shift=0 is the
 * only shift it has; sleep=off is its default behaviour.
 */
#include "util/pace.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include "util/main-loop.h"
#include "util/number.h"
#include "util/vclock.h"

static bool pace_sleep;
static bool pace_align_on;
/* align=on: host and virtual time at pace_start(). */
static int64_t align_host_ns, align_virt_ns;

static int64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The item parsers' messages leave the item out: pace_parse_icount()
 * names it. */
static bool parse_on_off(const char *value, bool *out, Error **errp)
{
    if (!strcmp(value, "on") || !strcmp(value, "off")) {
        *out = value[1] == 'n';
        return true;
    }
    error_setg(errp, "expected on or off");
    return false;
}

static bool parse_shift(const char *value, Error **errp)
{
    uint64_t shift;
    if (strcmp(value, "auto") != 0 &&
        parse_uint64(value, false, NULL, &shift) != NUMBER_OK) {
        error_setg(errp, "expected a number");
        return false;
    }
    if (strcmp(value, "auto") == 0 || shift != 0) {
        error_setg(errp, "rivet's instructions take 1 ns each, so shift=0 "
                         "is the only shift it has");
        return false;
    }
    return true;
}

typedef struct IcountOptions {
    bool have_shift, sleep, align;
} IcountOptions;

static bool parse_item(const char *key, const char *value, IcountOptions *o,
                       Error **errp)
{
    if (!strcmp(key, "shift")) {
        o->have_shift = true;
        return parse_shift(value, errp);
    } else if (!strcmp(key, "sleep")) {
        return parse_on_off(value, &o->sleep, errp);
    } else if (!strcmp(key, "align")) {
        return parse_on_off(value, &o->align, errp);
    }
    error_setg(errp, "unknown key (expected shift, sleep or align)");
    return false;
}

bool pace_parse_icount(const char *text, Error **errp)
{
    char buf[256];
    IcountOptions o = {.have_shift = false, .sleep = true, .align = false};
    if (strlen(text) >= sizeof(buf)) {
        error_setg(errp, "-icount: an argument of %zu bytes (at most %zu)",
                   strlen(text), sizeof(buf) - 1);
        return false;
    }
    strcpy(buf, text);
    char *rest = buf;
    for (bool first = true;; first = false) {
        char *item = rest;
        char *comma = strchr(item, ',');
        if (comma) {
            *comma = '\0';
            rest = comma + 1;
        }
        char *eq = strchr(item, '=');
        /* A bare number first is the shift, as QEMU's implied key. */
        const char *key = eq ? item : first ? "shift" : item;
        const char *value = eq ? eq + 1 : item;
        if (eq) {
            *eq = '\0';
        }
        if (!*item && !eq) {
            error_setg(errp,
                       "-icount %s: empty item (expected shift=0, "
                       "sleep=on|off or align=on|off)",
                       text);
            return false;
        }
        if (!parse_item(key, value, &o, errp)) {
            error_prepend(errp, "-icount %s=%s: ", key, value);
            return false;
        }
        if (!comma) {
            break;
        }
    }
    if (!o.have_shift) {
        error_setg(errp, "-icount %s: shift=0 is required", text);
        return false;
    }
    if (o.align && !o.sleep) {
        error_setg(errp, "-icount %s: align=on and sleep=off are incompatible",
                   text);
        return false;
    }
    pace_sleep = o.sleep;
    pace_align_on = o.align;
    return true;
}

bool pace_sleeping(void)
{
    return pace_sleep;
}

void pace_start(void)
{
    align_host_ns = host_now_ns();
    align_virt_ns = vclock_get_ns();
}

/* Sleep until host time reaches host_target_ns or an input watch is ready;
 * returns true when the target was reached. */
static bool wait_host_until(int64_t host_target_ns)
{
    for (;;) {
        uint64_t left = vclock_ns_between(host_now_ns(), host_target_ns);
        if (left == 0) {
            return true;
        }
        /* Rounded up: never wake before the target. */
        uint64_t ms = (left + 999999) / 1000000;
        if (main_loop_wait_ready(ms > INT_MAX ? INT_MAX : (int)ms)) {
            return false;
        }
    }
}

bool pace_idle_until(int64_t deadline_ns)
{
    /* sleep=on: the idle stretch lasts its virtual length in host time,
     * from now; align=on: until host time since pace_start() catches up. */
    int64_t host_base = pace_align_on ? align_host_ns : host_now_ns();
    int64_t virt_base = pace_align_on ? align_virt_ns : vclock_get_ns();
    int64_t target =
        vclock_ns_after(host_base, vclock_ns_between(virt_base, deadline_ns));
    if (wait_host_until(target)) {
        return true;
    }
    /* Input first: the guest gets it at the virtual instant matching
     * host time now, before the deadline. */
    int64_t now =
        vclock_ns_after(virt_base, vclock_ns_between(host_base, host_now_ns()));
    if (now >= deadline_ns) {
        return true;
    }
    vclock_advance_to(now);
    main_loop_poll(0);
    return false;
}

void pace_align(void)
{
    if (!pace_align_on) {
        return;
    }
    wait_host_until(vclock_ns_after(
        align_host_ns, vclock_ns_between(align_virt_ns, vclock_get_ns())));
}

/* Counting ok/not ok lines for the self-checking test programs. */
#include "check.h"

#include "uart.h"

static unsigned checks_run;
static unsigned checks_failed;
static const char *current_group;

void check_group(const char *group)
{
    current_group = group;
}

static void say(bool ok, const char *what)
{
    print("%s - ", ok ? "ok" : "not ok");
    if (current_group) {
        print("%s: ", current_group);
    }
    uart_puts(what);
}

static bool record(bool ok)
{
    checks_run++;
    if (!ok) {
        checks_failed++;
    }
    return ok;
}

bool check_eq(const char *what, uint64_t got, uint64_t expected)
{
    if (record(got == expected)) {
        say(true, what);
        uart_putc('\n');
        return true;
    }
    say(false, what);
    print(": got 0x%lx expected 0x%lx\n", got, expected);
    return false;
}

bool check_count(const char *what, uint64_t got, uint64_t expected)
{
    if (record(got == expected)) {
        say(true, what);
        uart_putc('\n');
        return true;
    }
    say(false, what);
    print(": got %lu expected %lu\n", got, expected);
    return false;
}

bool check_range(const char *what, uint64_t got, uint64_t lo, uint64_t hi)
{
    if (record(got >= lo && got <= hi)) {
        say(true, what);
        uart_putc('\n');
        return true;
    }
    say(false, what);
    print(": got %lu expected %lu..%lu\n", got, lo, hi);
    return false;
}

bool check_true(const char *what, bool condition)
{
    if (record(condition)) {
        say(true, what);
        uart_putc('\n');
        return true;
    }
    say(false, what);
    uart_puts(": got false expected true\n");
    return false;
}

int check_summary(const char *program)
{
    if (checks_failed == 0) {
        print("%s: all %u checks passed\n", program, checks_run);
    } else {
        print("%s: %u of %u checks failed\n", program, checks_failed,
              checks_run);
    }
    return (int)checks_failed;
}

/*
 * A minimal unit-test harness producing TAP, which `meson test` reads with
 * protocol: 'tap' so every case counts on its own.
 *
 *   UNIT_TEST(parses_hex) { CHECK_EQ_U64(parse("0x10"), 16); }
 *   int main(void) { return unit_run_all(); }
 *
 * A failed CHECK reports file, line and both values, and ends that case.
 */
#ifndef RIVET_TESTS_UNIT_TEST_H
#define RIVET_TESTS_UNIT_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef void UnitTestFn(void);

typedef struct UnitTest {
    const char *name;
    UnitTestFn *fn;
} UnitTest;

#define UNIT_MAX_TESTS 256
static UnitTest unit_tests[UNIT_MAX_TESTS];
static int unit_test_count;
static jmp_buf unit_fail_jmp;

static inline void unit_register(const char *name, UnitTestFn *fn)
{
    if (unit_test_count == UNIT_MAX_TESTS) {
        fprintf(stderr, "unit-test.h: too many tests\n");
        return;
    }
    unit_tests[unit_test_count].name = name;
    unit_tests[unit_test_count].fn = fn;
    unit_test_count++;
}

/* Registration runs before main() through a constructor, so adding a test
 * is one definition with no list to keep in sync. */
#define UNIT_TEST(name)                                                        \
    static void unit_test_##name(void);                                        \
    __attribute__((constructor)) static void unit_register_##name(void)        \
    {                                                                          \
        unit_register(#name, unit_test_##name);                                \
    }                                                                          \
    static void unit_test_##name(void)

#define UNIT_FAIL(...)                                                         \
    do {                                                                       \
        printf("# %s:%d: ", __FILE__, __LINE__);                               \
        printf(__VA_ARGS__);                                                   \
        printf("\n");                                                          \
        longjmp(unit_fail_jmp, 1);                                             \
    } while (0)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            UNIT_FAIL("CHECK(%s) failed", #cond);                              \
        }                                                                      \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                     \
    do {                                                                       \
        uint64_t unit_a_ = (uint64_t)(a), unit_b_ = (uint64_t)(b);             \
        if (unit_a_ != unit_b_) {                                              \
            UNIT_FAIL("%s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64, #a, #b,  \
                      unit_a_, unit_b_);                                       \
        }                                                                      \
    } while (0)

#define CHECK_EQ_I64(a, b)                                                     \
    do {                                                                       \
        int64_t unit_a_ = (int64_t)(a), unit_b_ = (int64_t)(b);                \
        if (unit_a_ != unit_b_) {                                              \
            UNIT_FAIL("%s == %s failed: %" PRId64 " != %" PRId64, #a, #b,      \
                      unit_a_, unit_b_);                                       \
        }                                                                      \
    } while (0)

#define CHECK_STREQ(a, b)                                                      \
    do {                                                                       \
        const char *unit_a_ = (a), *unit_b_ = (b);                             \
        if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0) {           \
            UNIT_FAIL("%s == %s failed: \"%s\" != \"%s\"", #a, #b,             \
                      unit_a_ ? unit_a_ : "(null)",                            \
                      unit_b_ ? unit_b_ : "(null)");                           \
        }                                                                      \
    } while (0)

/* Run every registered test in definition order; prints TAP on stdout and
 * returns the exit status for main(). */
static inline int unit_run_all(void)
{
    volatile int failed = 0; /* volatile: live across longjmp */
    printf("1..%d\n", unit_test_count);
    for (int i = 0; i < unit_test_count; i++) {
        volatile int ok = 1;
        fflush(stdout);
        if (setjmp(unit_fail_jmp) == 0) {
            unit_tests[i].fn();
        } else {
            ok = 0;
        }
        printf("%s %d - %s\n", ok ? "ok" : "not ok", i + 1, unit_tests[i].name);
        failed += !ok;
    }
    return failed ? 1 : 0;
}

#endif /* RIVET_TESTS_UNIT_TEST_H */

/*
 * Unit tests for parse_uint64: the strict syntax every option and property
 * shares (no blanks, no sign, hex only when allowed) and its 64-bit limit.
 */
#include "unit-test.h"
#include "util/number.h"

UNIT_TEST(decimal_and_hex)
{
    uint64_t v = 0;
    CHECK(parse_uint64("0", false, NULL, &v) == NUMBER_OK);
    CHECK_EQ_U64(v, 0);
    CHECK(parse_uint64("18446744073709551615", false, NULL, &v) == NUMBER_OK);
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(parse_uint64("0x1C200", true, NULL, &v) == NUMBER_OK);
    CHECK_EQ_U64(v, 115200);
    CHECK(parse_uint64("0xffffffffffffffff", true, NULL, &v) == NUMBER_OK);
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(parse_uint64("010", true, NULL, &v) == NUMBER_OK); /* not octal */
    CHECK_EQ_U64(v, 10);
}

UNIT_TEST(blanks_signs_and_junk_are_refused)
{
    uint64_t v = 42;
    const char *bad[] = {"",   " 1", "1 ", "-1", " -1",
                         "+1", "1x", "0x", "x1", "\t7"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(parse_uint64(bad[i], true, NULL, &v) == NUMBER_INVALID);
    }
    CHECK(parse_uint64("0x10", false, NULL, &v) == NUMBER_INVALID);
    CHECK_EQ_U64(v, 42); /* untouched on failure */
}

UNIT_TEST(too_large)
{
    uint64_t v = 42;
    CHECK(parse_uint64("18446744073709551616", false, NULL, &v) ==
          NUMBER_TOO_LARGE);
    CHECK(parse_uint64("0x10000000000000000", true, NULL, &v) ==
          NUMBER_TOO_LARGE);
    CHECK(parse_uint64("99999999999999999999999", false, NULL, &v) ==
          NUMBER_TOO_LARGE);
    CHECK_EQ_U64(v, 42);
}

UNIT_TEST(end_leaves_the_rest_to_the_caller)
{
    uint64_t v = 0;
    const char *end = NULL;
    const char *text = "64M";
    CHECK(parse_uint64(text, false, &end, &v) == NUMBER_OK);
    CHECK_EQ_U64(v, 64);
    CHECK(end == text + 2);
    text = "100,file:x";
    CHECK(parse_uint64(text, false, &end, &v) == NUMBER_OK);
    CHECK(end == text + 3);
    text = " 5";
    CHECK(parse_uint64(text, false, &end, &v) == NUMBER_INVALID);
    CHECK(end == text);
}

int main(void)
{
    return unit_run_all();
}

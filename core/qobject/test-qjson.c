/*
 * Unit tests for JSON text <-> QObject (jansson): round trips, QMP's wire
 * form, and hostile input: deep nesting, huge numbers, invalid UTF-8,
 * duplicate keys, NUL, trailing garbage.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "unit-test.h"

static QObject *parse(const char *text)
{
    return qobject_from_json(text, strlen(text), NULL);
}

/* The error message parsing text gives (caller frees), NULL if it parses. */
static char *parse_error(const char *text, size_t len)
{
    Error *err = NULL;
    QObject *obj = qobject_from_json(text, len, &err);
    if (obj) {
        qobject_unref(obj);
        return NULL;
    }
    char *msg = strdup(error_get_message(err));
    error_free(err);
    return msg;
}

#define CHECK_REFUSED(text, len, needle)                                       \
    do {                                                                       \
        char *msg_ = parse_error(text, len);                                   \
        CHECK(msg_ != NULL);                                                   \
        if (!strstr(msg_, needle)) {                                           \
            UNIT_FAIL("message \"%s\" lacks \"%s\"", msg_, needle);            \
        }                                                                      \
        free(msg_);                                                            \
    } while (0)

static void check_round_trip(const char *text, const char *expected)
{
    QObject *obj = parse(text);
    CHECK(obj != NULL);
    char *out = qobject_to_json(obj, false);
    CHECK_STREQ(out, expected);
    QObject *again = parse(out);
    CHECK(qobject_is_equal(obj, again));
    free(out);
    qobject_unref(again);
    qobject_unref(obj);
}

UNIT_TEST(round_trip_in_qmp_wire_form)
{
    check_round_trip(
        "{\"execute\":\"query-version\",\"id\":[1,2.5,null]}",
        "{\"execute\": \"query-version\", \"id\": [1, 2.5, null]}");
    check_round_trip("[true,false,{},[],\"\"]", "[true, false, {}, [], \"\"]");
    check_round_trip("-9223372036854775808", "-9223372036854775808");
    /* Non-ASCII is escaped, in upper case as QEMU writes it. */
    check_round_trip("\"caf\\u00e9 \\ud83d\\ude00\"",
                     "\"caf\\u00E9 \\uD83D\\uDE00\"");
}

UNIT_TEST(types_are_kept)
{
    QObject *obj = parse("{\"i\": 3, \"d\": 3.0, \"s\": \"3\", \"b\": true}");
    QDict *d = qobject_to_qdict(obj);
    CHECK(d != NULL);
    CHECK(qobject_to_qnum(qdict_get(d, "i"))->kind == QNUM_I64);
    CHECK(qobject_to_qnum(qdict_get(d, "d"))->kind == QNUM_DOUBLE);
    CHECK_STREQ(qstring_get_str(qobject_to_qstring(qdict_get(d, "s"))), "3");
    CHECK(qbool_get_bool(qobject_to_qbool(qdict_get(d, "b"))));
    qobject_unref(obj);
}

UNIT_TEST(deep_nesting_is_refused)
{
    size_t depth = QOBJECT_JSON_MAX_DEPTH;
    char *text = malloc(2 * depth + 2);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = 0;
    QObject *ok = parse(text); /* exactly the limit parses */
    CHECK(ok != NULL);
    qobject_unref(ok);
    free(text);

    depth++;
    text = malloc(2 * depth + 2);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    CHECK_REFUSED(text, 2 * depth, "nesting deeper than 1024");
    free(text);

    /* Far deeper than jansson's own limit: refused, no stack overflow. */
    depth = 1000000;
    text = malloc(depth);
    memset(text, '{', 1);
    memset(text, '[', depth);
    CHECK_REFUSED(text, depth, "JSON parse error, ");
    free(text);
}

/* Integers past INT64_MAX read and print exactly as uint64, as QEMU's QMP
 * does (jansson alone refuses them, or rounds them through a double). */
UNIT_TEST(uint64_past_int64_max)
{
    QObject *obj = parse("18446744073709551615");
    uint64_t u = 0;
    CHECK(obj && qnum_get_try_uint(qobject_to_qnum(obj), &u));
    CHECK(u == UINT64_MAX);
    qobject_unref(obj);
    check_round_trip("[9223372036854775807,9223372036854775808,"
                     "18446744073709551615,{\"k\":10000000000000000000},"
                     "\"18446744073709551615\",-1,1.5e19]",
                     "[9223372036854775807, 9223372036854775808, "
                     "18446744073709551615, {\"k\": 10000000000000000000}, "
                     "\"18446744073709551615\", -1, 1.5e19]");
    QNum *big = qnum_from_uint(UINT64_MAX);
    char *out = qobject_to_json(QOBJECT(big), true);
    CHECK_STREQ(out, "18446744073709551615");
    free(out);
    qobject_unref(QOBJECT(big));
    /* Past UINT64_MAX, or below INT64_MIN: still refused. */
    CHECK_REFUSED("18446744073709551616", 20, "too big integer");
    CHECK_REFUSED("[99999999999999999999]", 22, "too big integer");
    CHECK_REFUSED("-9223372036854775809", 20, "too big negative integer");
    /* A string cannot pass for a number. */
    CHECK_REFUSED("\"\\u0000u18446744073709551615\"", 29,
                  "\\u0000 is not allowed");
}

UNIT_TEST(huge_numbers)
{
    CHECK_REFUSED("1e400", 5, "real number overflow");
    QObject *tiny = parse("1e-400"); /* underflow reads as 0 */
    CHECK(tiny && qnum_get_double(qobject_to_qnum(tiny)) == 0.0);
    qobject_unref(tiny);
    /* NaN and infinity have no JSON form: null. */
    QNum *inf = qnum_from_double(1.0 / 0.0);
    char *out = qobject_to_json(QOBJECT(inf), false);
    CHECK_STREQ(out, "null");
    free(out);
    qobject_unref(QOBJECT(inf));
}

UNIT_TEST(invalid_utf8)
{
    CHECK_REFUSED("\"\xff\"", 3, "unable to decode byte 0xff");
    CHECK_REFUSED("\"\xc0\xaf\"", 4, "JSON parse error, "); /* overlong */
    CHECK_REFUSED("\"\\ud800\"", 8, "JSON parse error, ");  /* lone surrogate */
    /* A C string with invalid UTF-8 prints with U+FFFD, like QEMU. */
    QString *s = qstring_from_str("a\xff"
                                  "b\xe2\x82");
    char *out = qobject_to_json(QOBJECT(s), false);
    CHECK_STREQ(out, "\"a\\uFFFDb\\uFFFD\\uFFFD\"");
    free(out);
    qobject_unref(QOBJECT(s));
}

UNIT_TEST(duplicate_keys_nul_and_garbage)
{
    CHECK_REFUSED("{\"a\": 1, \"a\": 2}", 16, "duplicate object key");
    CHECK_REFUSED("\"a\\u0000b\"", 10, "\\u0000 is not allowed");
    CHECK_REFUSED("{} {}", 5, "end of file expected");
    CHECK_REFUSED("", 0, "JSON parse error, ");
    CHECK_REFUSED("{\"a\" 1}", 7, "JSON parse error, ");
    CHECK_REFUSED("[1,]", 4, "JSON parse error, ");
    CHECK_REFUSED("{'a': 1}", 8, "JSON parse error, ");
    /* A NUL byte in the input text ends nothing: it is refused. */
    CHECK_REFUSED("{}\0", 3, "JSON parse error, ");
}

UNIT_TEST(pretty_output)
{
    QObject *obj = parse("{\"a\": [1]}");
    char *out = qobject_to_json(obj, true);
    CHECK_STREQ(out, "{\n    \"a\": [\n        1\n    ]\n}");
    free(out);
    qobject_unref(obj);
}

int main(void)
{
    return unit_run_all();
}

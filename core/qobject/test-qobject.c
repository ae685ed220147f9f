/*
 * Unit tests for the QObject types: construction, reference counting,
 * checked casts, QDict order/replace/delete at scale, equality.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qobject.h"
#include "unit-test.h"

UNIT_TEST(numbers_keep_their_kind_and_range)
{
    QNum *i = qnum_from_int(-5), *u = qnum_from_uint(UINT64_MAX);
    QNum *d = qnum_from_double(0.5);
    int64_t iv = 0;
    uint64_t uv = 0;
    CHECK(qnum_get_try_int(i, &iv) && iv == -5);
    CHECK(!qnum_get_try_uint(i, &uv));
    CHECK(qnum_get_try_uint(u, &uv) && uv == UINT64_MAX);
    CHECK(!qnum_get_try_int(u, &iv));
    CHECK(!qnum_get_try_int(d, &iv) && !qnum_get_try_uint(d, &uv));
    CHECK(qnum_get_double(d) == 0.5 && qnum_get_double(i) == -5.0);
    QNum *small_u = qnum_from_uint(7), *small_i = qnum_from_int(7);
    CHECK(qobject_is_equal(QOBJECT(small_u), QOBJECT(small_i)));
    QNum *seven = qnum_from_double(7);
    CHECK(!qobject_is_equal(QOBJECT(small_i), QOBJECT(seven)));
    qobject_unref(QOBJECT(seven));
    qobject_unref(QOBJECT(i));
    qobject_unref(QOBJECT(u));
    qobject_unref(QOBJECT(d));
    qobject_unref(QOBJECT(small_u));
    qobject_unref(QOBJECT(small_i));
}

UNIT_TEST(casts_are_checked)
{
    QObject *s = QOBJECT(qstring_from_str("x"));
    CHECK(qobject_to_qstring(s) != NULL);
    CHECK(qobject_to_qdict(s) == NULL && qobject_to_qnum(s) == NULL);
    CHECK(qobject_to_qlist(NULL) == NULL);
    CHECK_STREQ(qtype_json_name(qobject_type(s)), "string");
    qobject_unref(s);
}

UNIT_TEST(references_free_children_at_zero)
{
    QDict *outer = qdict_new();
    QList *list = qlist_new();
    qlist_append_int(list, 1);
    qdict_put_obj(outer, "list", qobject_ref(QOBJECT(list)));
    CHECK_EQ_U64(QOBJECT(list)->refcnt, 2);
    qobject_unref(QOBJECT(outer)); /* drops the dict's reference */
    CHECK_EQ_U64(QOBJECT(list)->refcnt, 1);
    CHECK_EQ_U64(qlist_size(list), 1);
    qobject_unref(QOBJECT(list));
    qobject_unref(NULL);
}

UNIT_TEST(dict_keeps_insertion_order_replaces_and_deletes)
{
    QDict *d = qdict_new();
    qdict_put_int(d, "b", 1);
    qdict_put_str(d, "a", "x");
    qdict_put_bool(d, "c", true);
    qdict_put_int(d, "b", 2); /* replaced in place */
    const char *order[] = {"b", "a", "c"};
    size_t n = 0;
    for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
        CHECK_STREQ(qdict_entry_key(e), order[n++]);
    }
    CHECK_EQ_U64(n, 3);
    int64_t v = 0;
    CHECK(qnum_get_try_int(qobject_to_qnum(qdict_get(d, "b")), &v) && v == 2);
    CHECK(qdict_del(d, "a") && !qdict_del(d, "a"));
    CHECK(!qdict_haskey(d, "a") && qdict_haskey(d, "c"));
    CHECK_EQ_U64(qdict_size(d), 2);
    qobject_unref(QOBJECT(d));
}

UNIT_TEST(dict_with_many_keys)
{
    QDict *d = qdict_new();
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        qdict_put_int(d, key, i);
    }
    for (int i = 0; i < 20000; i += 200) {
        snprintf(key, sizeof(key), "k%d", i);
        CHECK(qdict_del(d, key));
    }
    CHECK_EQ_U64(qdict_size(d), 19900);
    int64_t v = 0;
    CHECK(qnum_get_try_int(qobject_to_qnum(qdict_get(d, "k19999")), &v));
    CHECK_EQ_I64(v, 19999);
    CHECK(qdict_get(d, "k0") == NULL);
    QDict *copy = qdict_clone_shallow(d);
    CHECK(qobject_is_equal(QOBJECT(d), QOBJECT(copy)));
    qdict_put_int(copy, "k1", 0);
    CHECK(!qobject_is_equal(QOBJECT(d), QOBJECT(copy)));
    qobject_unref(QOBJECT(copy));
    qobject_unref(QOBJECT(d));
}

UNIT_TEST(equality_is_deep)
{
    QDict *a = qdict_new(), *b = qdict_new();
    QList *la = qlist_new(), *lb = qlist_new();
    qlist_append_str(la, "x");
    qlist_append_str(lb, "x");
    qdict_put_obj(a, "l", QOBJECT(la));
    qdict_put_null(a, "n");
    qdict_put_null(b, "n"); /* other order: still equal */
    qdict_put_obj(b, "l", QOBJECT(lb));
    CHECK(qobject_is_equal(QOBJECT(a), QOBJECT(b)));
    qlist_append_str(lb, "y");
    CHECK(!qobject_is_equal(QOBJECT(a), QOBJECT(b)));
    qobject_unref(QOBJECT(a));
    qobject_unref(QOBJECT(b));
}

int main(void)
{
    return unit_run_all();
}

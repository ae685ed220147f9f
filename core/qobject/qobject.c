/*
 * The QObject header, the scalar types (QNull, QNum, QString, QBool) and
 * the checked casts.  QDict and QList have their own files.
 */
#include "qobject/qobject.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qobject-internal.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

static void qobject_oom(size_t size)
{
    fprintf(stderr, "rivet: out of memory allocating %zu bytes\n", size);
    abort();
}

void *qobject_zalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        qobject_oom(size);
    }
    return p;
}

void *qobject_realloc_array(void *ptr, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        qobject_oom(SIZE_MAX);
    }
    size_t bytes = count * size;
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (!p) {
        qobject_oom(bytes);
    }
    return p;
}

char *qobject_strndup(const char *str, size_t len)
{
    char *copy = qobject_zalloc(len + 1);
    memcpy(copy, str, len);
    return copy;
}

void qobject_init(QObject *obj, QType type)
{
    obj->type = type;
    obj->refcnt = 1;
}

QObject *qobject_ref(QObject *obj)
{
    if (obj) {
        obj->refcnt++;
    }
    return obj;
}

void qobject_unref(QObject *obj)
{
    if (!obj) {
        return;
    }
    if (obj->refcnt == 0) {
        fprintf(stderr, "rivet: bug: QObject unreferenced once too often\n");
        abort();
    }
    if (--obj->refcnt > 0) {
        return;
    }
    switch (obj->type) {
    case QTYPE_QDICT:
        qdict_destroy((QDict *)obj);
        break;
    case QTYPE_QLIST:
        qlist_destroy((QList *)obj);
        break;
    case QTYPE_QSTRING:
        free(((QString *)obj)->string);
        free(obj);
        break;
    case QTYPE_QNULL:
    case QTYPE_QNUM:
    case QTYPE_QBOOL:
        free(obj);
        break;
    }
}

QType qobject_type(const QObject *obj)
{
    return obj->type;
}

const char *qtype_json_name(QType type)
{
    switch (type) {
    case QTYPE_QNULL:
        return "null";
    case QTYPE_QNUM:
        return "number";
    case QTYPE_QSTRING:
        return "string";
    case QTYPE_QDICT:
        return "object";
    case QTYPE_QLIST:
        return "array";
    case QTYPE_QBOOL:
        return "boolean";
    }
    return "?";
}

static bool qnum_is_equal(const QNum *a, const QNum *b)
{
    if (a->kind == QNUM_DOUBLE || b->kind == QNUM_DOUBLE) {
        return a->kind == b->kind && a->u.dbl == b->u.dbl;
    }
    int64_t ia, ib;
    uint64_t ua, ub;
    if (qnum_get_try_int(a, &ia) && qnum_get_try_int(b, &ib)) {
        return ia == ib;
    }
    return qnum_get_try_uint(a, &ua) && qnum_get_try_uint(b, &ub) && ua == ub;
}

bool qobject_is_equal(const QObject *a, const QObject *b)
{
    if (a == b) {
        return true;
    }
    if (!a || !b || a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case QTYPE_QNULL:
        return true;
    case QTYPE_QNUM:
        return qnum_is_equal((const QNum *)a, (const QNum *)b);
    case QTYPE_QSTRING:
        return strcmp(((const QString *)a)->string,
                      ((const QString *)b)->string) == 0;
    case QTYPE_QBOOL:
        return ((const QBool *)a)->value == ((const QBool *)b)->value;
    case QTYPE_QDICT:
        return qdict_is_equal((const QDict *)a, (const QDict *)b);
    case QTYPE_QLIST:
        return qlist_is_equal((const QList *)a, (const QList *)b);
    }
    return false;
}

QNull *qnull(void)
{
    QNull *n = qobject_zalloc(sizeof(*n));
    qobject_init(QOBJECT(n), QTYPE_QNULL);
    return n;
}

static QNum *qnum_new(QNumKind kind)
{
    QNum *num = qobject_zalloc(sizeof(*num));
    qobject_init(QOBJECT(num), QTYPE_QNUM);
    num->kind = kind;
    return num;
}

QNum *qnum_from_int(int64_t value)
{
    QNum *num = qnum_new(QNUM_I64);
    num->u.i64 = value;
    return num;
}

QNum *qnum_from_uint(uint64_t value)
{
    QNum *num = qnum_new(QNUM_U64);
    num->u.u64 = value;
    return num;
}

QNum *qnum_from_double(double value)
{
    QNum *num = qnum_new(QNUM_DOUBLE);
    num->u.dbl = value;
    return num;
}

bool qnum_get_try_int(const QNum *num, int64_t *value)
{
    switch (num->kind) {
    case QNUM_I64:
        *value = num->u.i64;
        return true;
    case QNUM_U64:
        if (num->u.u64 > INT64_MAX) {
            return false;
        }
        *value = (int64_t)num->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    return false;
}

bool qnum_get_try_uint(const QNum *num, uint64_t *value)
{
    switch (num->kind) {
    case QNUM_I64:
        if (num->u.i64 < 0) {
            return false;
        }
        *value = (uint64_t)num->u.i64;
        return true;
    case QNUM_U64:
        *value = num->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    return false;
}

double qnum_get_double(const QNum *num)
{
    switch (num->kind) {
    case QNUM_I64:
        return (double)num->u.i64;
    case QNUM_U64:
        return (double)num->u.u64;
    case QNUM_DOUBLE:
        return num->u.dbl;
    }
    return NAN;
}

QString *qstring_from_substr(const char *str, size_t len)
{
    QString *qstr = qobject_zalloc(sizeof(*qstr));
    qobject_init(QOBJECT(qstr), QTYPE_QSTRING);
    qstr->string = qobject_strndup(str, len);
    return qstr;
}

QString *qstring_from_str(const char *str)
{
    return qstring_from_substr(str, strlen(str));
}

const char *qstring_get_str(const QString *qstr)
{
    return qstr->string;
}

QBool *qbool_from_bool(bool value)
{
    QBool *b = qobject_zalloc(sizeof(*b));
    qobject_init(QOBJECT(b), QTYPE_QBOOL);
    b->value = value;
    return b;
}

bool qbool_get_bool(const QBool *qbool)
{
    return qbool->value;
}

QNull *qobject_to_qnull(QObject *obj)
{
    return obj && obj->type == QTYPE_QNULL ? (QNull *)obj : NULL;
}

QNum *qobject_to_qnum(QObject *obj)
{
    return obj && obj->type == QTYPE_QNUM ? (QNum *)obj : NULL;
}

QString *qobject_to_qstring(QObject *obj)
{
    return obj && obj->type == QTYPE_QSTRING ? (QString *)obj : NULL;
}

QDict *qobject_to_qdict(QObject *obj)
{
    return obj && obj->type == QTYPE_QDICT ? (QDict *)obj : NULL;
}

QList *qobject_to_qlist(QObject *obj)
{
    return obj && obj->type == QTYPE_QLIST ? (QList *)obj : NULL;
}

QBool *qobject_to_qbool(QObject *obj)
{
    return obj && obj->type == QTYPE_QBOOL ? (QBool *)obj : NULL;
}

/*
 * QObject: the reference-counted values QMP speaks (QEMU's QObject model).
 * A QObject is one of QNull, QNum (a signed, unsigned or floating number),
 * QString, QBool, QDict (string keys, insertion order kept) and QList.
 *
 * Ownership, as in QEMU: a constructor returns one reference; a container's
 * put/append takes over the caller's reference; a getter returns a borrowed
 * pointer that lives as long as its container.  qobject_ref() adds one,
 * qobject_unref() drops one and frees at zero (children with it).
 *
 * Every concrete type starts with its QObject `base`, so QOBJECT(x) is
 * &x->base and qobject_to_<type>() is the checked cast back (NULL when the
 * object is of another type).
 */
#ifndef RIVET_QOBJECT_QOBJECT_H
#define RIVET_QOBJECT_QOBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum QType {
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
} QType;

typedef struct QObject {
    QType type;
    size_t refcnt;
} QObject;

typedef struct QNull {
    QObject base;
} QNull;

/* Which of the three representations a QNum holds (QEMU's QNumKind). */
typedef enum QNumKind {
    QNUM_I64,
    QNUM_U64,
    QNUM_DOUBLE,
} QNumKind;

typedef struct QNum {
    QObject base;
    QNumKind kind;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
    } u;
} QNum;

typedef struct QString {
    QObject base;
    char *string; /* NUL-terminated, no NUL inside */
} QString;

typedef struct QBool {
    QObject base;
    bool value;
} QBool;

typedef struct QDict QDict;
typedef struct QList QList;

#define QOBJECT(x) (&(x)->base)

QObject *qobject_ref(QObject *obj);
void qobject_unref(QObject *obj); /* NULL is ignored */
QType qobject_type(const QObject *obj);
/* "null", "number", "string", "object", "array", "boolean": the JSON
 * names QEMU's error messages use. */
const char *qtype_json_name(QType type);
/* Deep structural equality (QEMU's qobject_is_equal): numbers compare by
 * value across kinds when both are integers, doubles only with doubles. */
bool qobject_is_equal(const QObject *a, const QObject *b);

QNull *qnull(void);

QNum *qnum_from_int(int64_t value);
QNum *qnum_from_uint(uint64_t value);
QNum *qnum_from_double(double value);
/* The value as int64 / uint64 when it is an integer in that range. */
bool qnum_get_try_int(const QNum *num, int64_t *value);
bool qnum_get_try_uint(const QNum *num, uint64_t *value);
/* Any number as a double (integers converted). */
double qnum_get_double(const QNum *num);

QString *qstring_from_str(const char *str);
/* A copy of len bytes (which must hold no NUL). */
QString *qstring_from_substr(const char *str, size_t len);
const char *qstring_get_str(const QString *qstr);

QBool *qbool_from_bool(bool value);
bool qbool_get_bool(const QBool *qbool);

QNull *qobject_to_qnull(QObject *obj);
QNum *qobject_to_qnum(QObject *obj);
QString *qobject_to_qstring(QObject *obj);
QDict *qobject_to_qdict(QObject *obj);
QList *qobject_to_qlist(QObject *obj);
QBool *qobject_to_qbool(QObject *obj);

#endif /* RIVET_QOBJECT_QOBJECT_H */

/*
 * QDict: string keys to QObjects, iterated in insertion order (so a
 * generated struct prints its members in schema order, as QEMU's do).
 */
#ifndef RIVET_QOBJECT_QDICT_H
#define RIVET_QOBJECT_QDICT_H

#include "qobject/qobject.h"

struct QDict {
    QObject base;
    struct QDictEntry *entries; /* insertion order; deleted ones removed */
    size_t count, capacity;
    size_t *index; /* open-addressed hash of entry positions + 1 */
    size_t index_size;
};

typedef struct QDictEntry {
    char *key;
    QObject *value;
} QDictEntry;

QDict *qdict_new(void);
size_t qdict_size(const QDict *dict);
/* Takes over the reference to value; replaces (and unrefs) an old value. */
void qdict_put_obj(QDict *dict, const char *key, QObject *value);
void qdict_put_int(QDict *dict, const char *key, int64_t value);
void qdict_put_uint(QDict *dict, const char *key, uint64_t value);
void qdict_put_bool(QDict *dict, const char *key, bool value);
void qdict_put_str(QDict *dict, const char *key, const char *value);
void qdict_put_null(QDict *dict, const char *key);
/* Borrowed; NULL when absent. */
QObject *qdict_get(const QDict *dict, const char *key);
bool qdict_haskey(const QDict *dict, const char *key);
/* Removes the key (unrefs its value); false when absent. */
bool qdict_del(QDict *dict, const char *key);
/* Iteration: for (e = qdict_first(d); e; e = qdict_next(d, e)).  Not
 * valid across a put or del. */
const QDictEntry *qdict_first(const QDict *dict);
const QDictEntry *qdict_next(const QDict *dict, const QDictEntry *entry);
const char *qdict_entry_key(const QDictEntry *entry);
QObject *qdict_entry_value(const QDictEntry *entry);
/* A shallow copy: new dict, same (ref'd) values. */
QDict *qdict_clone_shallow(const QDict *dict);

#endif /* RIVET_QOBJECT_QDICT_H */

/*
 * QDict: entries in an array in insertion order, found through an
 * open-addressed hash of their positions, so that a hostile object with
 * many keys costs linear time, not quadratic.
 */
#include "qobject/qdict.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qobject-internal.h"

static size_t key_hash(const char *key)
{
    /* 64-bit FNV-1a on every host: its constants do not fit a 32-bit
     * size_t (armhf, i686), and the low bits index the table. */
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++) {
        h = (h ^ *c) * 1099511628211u;
    }
    return (size_t)h;
}

/* The index slot holding key, or the empty slot where it would go. */
static size_t *index_slot(const QDict *dict, const char *key)
{
    size_t mask = dict->index_size - 1;
    for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
        size_t *slot = &dict->index[i];
        if (*slot == 0 || strcmp(dict->entries[*slot - 1].key, key) == 0) {
            return slot;
        }
    }
}

static void index_rebuild(QDict *dict, size_t size)
{
    free(dict->index);
    dict->index = qobject_zalloc(size * sizeof(*dict->index));
    dict->index_size = size;
    for (size_t i = 0; i < dict->count; i++) {
        *index_slot(dict, dict->entries[i].key) = i + 1;
    }
}

QDict *qdict_new(void)
{
    QDict *dict = qobject_zalloc(sizeof(*dict));
    qobject_init(QOBJECT(dict), QTYPE_QDICT);
    index_rebuild(dict, 8);
    return dict;
}

void qdict_destroy(QDict *dict)
{
    for (size_t i = 0; i < dict->count; i++) {
        free(dict->entries[i].key);
        qobject_unref(dict->entries[i].value);
    }
    free(dict->entries);
    free(dict->index);
    free(dict);
}

size_t qdict_size(const QDict *dict)
{
    return dict->count;
}

void qdict_put_obj(QDict *dict, const char *key, QObject *value)
{
    size_t *slot = index_slot(dict, key);
    if (*slot) {
        QDictEntry *e = &dict->entries[*slot - 1];
        qobject_unref(e->value);
        e->value = value;
        return;
    }
    if (dict->count == dict->capacity) {
        dict->capacity = dict->capacity ? dict->capacity * 2 : 4;
        dict->entries = qobject_realloc_array(dict->entries, dict->capacity,
                                              sizeof(*dict->entries));
    }
    dict->entries[dict->count].key = qobject_strndup(key, strlen(key));
    dict->entries[dict->count].value = value;
    dict->count++;
    /* Keep the index at most half full. */
    if (dict->count * 2 > dict->index_size) {
        index_rebuild(dict, dict->index_size * 2);
    } else {
        *slot = dict->count;
    }
}

void qdict_put_int(QDict *dict, const char *key, int64_t value)
{
    qdict_put_obj(dict, key, QOBJECT(qnum_from_int(value)));
}

void qdict_put_uint(QDict *dict, const char *key, uint64_t value)
{
    qdict_put_obj(dict, key, QOBJECT(qnum_from_uint(value)));
}

void qdict_put_bool(QDict *dict, const char *key, bool value)
{
    qdict_put_obj(dict, key, QOBJECT(qbool_from_bool(value)));
}

void qdict_put_str(QDict *dict, const char *key, const char *value)
{
    qdict_put_obj(dict, key, QOBJECT(qstring_from_str(value)));
}

void qdict_put_null(QDict *dict, const char *key)
{
    qdict_put_obj(dict, key, QOBJECT(qnull()));
}

QObject *qdict_get(const QDict *dict, const char *key)
{
    size_t *slot = index_slot(dict, key);
    return *slot ? dict->entries[*slot - 1].value : NULL;
}

bool qdict_haskey(const QDict *dict, const char *key)
{
    return qdict_get(dict, key) != NULL;
}

bool qdict_del(QDict *dict, const char *key)
{
    size_t *slot = index_slot(dict, key);
    if (!*slot) {
        return false;
    }
    size_t pos = *slot - 1;
    free(dict->entries[pos].key);
    qobject_unref(dict->entries[pos].value);
    memmove(&dict->entries[pos], &dict->entries[pos + 1],
            (dict->count - pos - 1) * sizeof(*dict->entries));
    dict->count--;
    index_rebuild(dict, dict->index_size);
    return true;
}

const QDictEntry *qdict_first(const QDict *dict)
{
    return dict->count ? &dict->entries[0] : NULL;
}

const QDictEntry *qdict_next(const QDict *dict, const QDictEntry *entry)
{
    size_t next = (size_t)(entry - dict->entries) + 1;
    return next < dict->count ? &dict->entries[next] : NULL;
}

const char *qdict_entry_key(const QDictEntry *entry)
{
    return entry->key;
}

QObject *qdict_entry_value(const QDictEntry *entry)
{
    return entry->value;
}

QDict *qdict_clone_shallow(const QDict *dict)
{
    QDict *copy = qdict_new();
    for (size_t i = 0; i < dict->count; i++) {
        qdict_put_obj(copy, dict->entries[i].key,
                      qobject_ref(dict->entries[i].value));
    }
    return copy;
}

/* Equal keys with equal values, in any order (JSON objects are unordered). */
bool qdict_is_equal(const QDict *a, const QDict *b)
{
    if (a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        QObject *other = qdict_get(b, a->entries[i].key);
        if (!other || !qobject_is_equal(a->entries[i].value, other)) {
            return false;
        }
    }
    return true;
}

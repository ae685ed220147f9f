/*
 * QList: a growable array of QObject references.
 */
#include "qobject/qlist.h"

#include <stdlib.h>

#include "qobject-internal.h"

QList *qlist_new(void)
{
    QList *list = qobject_zalloc(sizeof(*list));
    qobject_init(QOBJECT(list), QTYPE_QLIST);
    return list;
}

void qlist_destroy(QList *list)
{
    for (size_t i = 0; i < list->count; i++) {
        qobject_unref(list->items[i]);
    }
    free(list->items);
    free(list);
}

size_t qlist_size(const QList *list)
{
    return list->count;
}

void qlist_append_obj(QList *list, QObject *value)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 4;
        list->items = qobject_realloc_array(list->items, list->capacity,
                                            sizeof(*list->items));
    }
    list->items[list->count++] = value;
}

void qlist_append_int(QList *list, int64_t value)
{
    qlist_append_obj(list, QOBJECT(qnum_from_int(value)));
}

void qlist_append_str(QList *list, const char *value)
{
    qlist_append_obj(list, QOBJECT(qstring_from_str(value)));
}

QObject *qlist_entry(const QList *list, size_t index)
{
    return index < list->count ? list->items[index] : NULL;
}

bool qlist_is_equal(const QList *a, const QList *b)
{
    if (a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        if (!qobject_is_equal(a->items[i], b->items[i])) {
            return false;
        }
    }
    return true;
}

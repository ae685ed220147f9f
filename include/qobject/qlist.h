/*
 * QList: an array of QObjects.
 */
#ifndef RIVET_QOBJECT_QLIST_H
#define RIVET_QOBJECT_QLIST_H

#include "qobject/qobject.h"

struct QList {
    QObject base;
    QObject **items;
    size_t count, capacity;
};

QList *qlist_new(void);
size_t qlist_size(const QList *list);
/* Takes over the reference to value. */
void qlist_append_obj(QList *list, QObject *value);
void qlist_append_int(QList *list, int64_t value);
void qlist_append_str(QList *list, const char *value);
/* Borrowed; NULL past the end. */
QObject *qlist_entry(const QList *list, size_t index);

#endif /* RIVET_QOBJECT_QLIST_H */

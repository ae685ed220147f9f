/*
 * Shared by the QObject sources only: allocation that never returns NULL
 * (running out of memory aborts with one line, as the rest of the core
 * does) and the per-type destructors qobject_unref() dispatches to.
 */
#ifndef RIVET_QOBJECT_INTERNAL_H
#define RIVET_QOBJECT_INTERNAL_H

#include <stddef.h>

#include "qobject/qobject.h"

void *qobject_zalloc(size_t size);
void *qobject_realloc_array(void *ptr, size_t count, size_t size);
char *qobject_strndup(const char *str, size_t len);
/* Initialise the header of a freshly allocated object: one reference. */
void qobject_init(QObject *obj, QType type);

void qdict_destroy(QDict *dict);
void qlist_destroy(QList *list);
bool qdict_is_equal(const QDict *a, const QDict *b);
bool qlist_is_equal(const QList *a, const QList *b);

#endif /* RIVET_QOBJECT_INTERNAL_H */

/*
 * Shared between the qom source files only: the object core calls into
 * the property code when an object is finalized.
 */
#ifndef RIVET_QOM_INTERNAL_H
#define RIVET_QOM_INTERNAL_H

#include "qom/object.h"

/* Release and free every instance property of obj. */
void object_property_release_all(Object *obj);

#endif /* RIVET_QOM_INTERNAL_H */

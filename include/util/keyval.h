/*
 * QEMU's "key=value,key=value" option arguments (-drive, -device,
 * -audiodev): one splitter, so that every option refuses the same
 * malformed input with the same words.
 */
#ifndef RIVET_UTIL_KEYVAL_H
#define RIVET_UTIL_KEYVAL_H

#include <stdbool.h>

#include "util/error.h"

/* The longest option argument taken (a path and a few keys). */
#define KEYVAL_SPEC_MAX 4096

typedef bool (*KeyvalItemFn)(void *opaque, const char *key, const char *value,
                             Error **errp);

/* Calls item(key, value) for each "key=value" of spec (",," is a comma
 * inside a value, as in QEMU), which is part of
 * the argument whole of option; key and value are only valid during the
 * call.  Errors, the item's own included, are prefixed "OPTION WHOLE: ". */
bool keyval_for_each(const char *option, const char *whole, const char *spec,
                     KeyvalItemFn item, void *opaque, Error **errp);

/* *field = a copy of value, refusing a key given twice or an empty value. */
bool keyval_set_once(char **field, const char *key, const char *value,
                     Error **errp);

#endif /* RIVET_UTIL_KEYVAL_H */

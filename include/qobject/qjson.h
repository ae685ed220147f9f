/*
 * JSON text <-> QObject, through jansson (docs/qapi.md, "QObject").
 *
 * Reading is strict RFC 8259 as jansson parses it, plus rivet's limits:
 * nesting deeper than QOBJECT_JSON_MAX_DEPTH, a duplicate key, a "\u0000"
 * escape, invalid UTF-8 and an integer outside int64 are refused.  An
 * integer is a QNum int; a number with a fraction or exponent a double.
 * Writing gives compact JSON (QMP's wire form) or indented JSON; strings
 * are UTF-8 with invalid sequences replaced by U+FFFD, as QEMU does.
 */
#ifndef RIVET_QOBJECT_QJSON_H
#define RIVET_QOBJECT_QJSON_H

#include <stddef.h>

#include "qobject/qobject.h"
#include "util/error.h"

/* QEMU's json-parser allows 1024 levels too (MAX_NESTING). */
#define QOBJECT_JSON_MAX_DEPTH 1024

/* Parse exactly one JSON value (any type) from len bytes of text; NULL and
 * "JSON parse error, <reason>" on failure. */
QObject *qobject_from_json(const char *text, size_t len, Error **errp);
/* The JSON text of obj (caller frees): compact, or indented by 4 when
 * pretty.  Never fails for a QObject built with this API. */
char *qobject_to_json(const QObject *obj, bool pretty);

#endif /* RIVET_QOBJECT_QJSON_H */

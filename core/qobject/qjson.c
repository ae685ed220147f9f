/*
 * JSON text <-> QObject through jansson (Debian's libjansson): a small,
 * long-maintained C library with a strict RFC 8259 parser, depth-limited,
 * that validates UTF-8 and can refuse duplicate keys.  rivet converts
 * between jansson's json_t tree and QObjects and adds its own limits on
 * top (qobject/qjson.h).
 */
#include "qobject/qjson.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qobject-internal.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

static void json_oom(void)
{
    fprintf(stderr, "rivet: out of memory building JSON\n");
    abort();
}

static QObject *from_json_t(json_t *value, int depth, Error **errp)
{
    if (depth > QOBJECT_JSON_MAX_DEPTH) {
        error_setg(errp, "JSON parse error, nesting deeper than %d levels",
                   QOBJECT_JSON_MAX_DEPTH);
        return NULL;
    }
    switch (json_typeof(value)) {
    case JSON_NULL:
        return QOBJECT(qnull());
    case JSON_TRUE:
        return QOBJECT(qbool_from_bool(true));
    case JSON_FALSE:
        return QOBJECT(qbool_from_bool(false));
    case JSON_INTEGER:
        return QOBJECT(qnum_from_int(json_integer_value(value)));
    case JSON_REAL:
        return QOBJECT(qnum_from_double(json_real_value(value)));
    case JSON_STRING:
        return QOBJECT(qstring_from_substr(json_string_value(value),
                                           json_string_length(value)));
    case JSON_ARRAY: {
        QList *list = qlist_new();
        for (size_t i = 0; i < json_array_size(value); i++) {
            QObject *item =
                from_json_t(json_array_get(value, i), depth + 1, errp);
            if (!item) {
                qobject_unref(QOBJECT(list));
                return NULL;
            }
            qlist_append_obj(list, item);
        }
        return QOBJECT(list);
    }
    case JSON_OBJECT: {
        QDict *dict = qdict_new();
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member)
        {
            QObject *item = from_json_t(member, depth + 1, errp);
            if (!item) {
                qobject_unref(QOBJECT(dict));
                return NULL;
            }
            qdict_put_obj(dict, key, item);
        }
        return QOBJECT(dict);
    }
    }
    error_setg(errp, "JSON parse error, unknown value type");
    return NULL;
}

QObject *qobject_from_json(const char *text, size_t len, Error **errp)
{
    json_error_t err;
    /* A key inside an object whose value holds "\u0000" is refused by
     * jansson unless JSON_ALLOW_NUL: C strings cannot carry it. */
    json_t *root =
        json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        error_setg(errp, "JSON parse error, %s", err.text);
        return NULL;
    }
    QObject *obj = from_json_t(root, 1, errp);
    json_decref(root);
    return obj;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), 0 when
 * invalid: overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as RFC 3629 says. */
static size_t utf8_sequence_length(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > len) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return n;
}

/* A jansson string of str, each invalid UTF-8 byte replaced by U+FFFD. */
static json_t *string_to_json_t(const char *str)
{
    size_t len = strlen(str);
    json_t *value = json_stringn(str, len);
    if (value) {
        return value;
    }
    char *clean = qobject_zalloc(len * 3 + 1);
    size_t out = 0;
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence_length(s + i, len - i);
        if (n == 0) {
            memcpy(clean + out, "\xef\xbf\xbd", 3);
            out += 3;
            i++;
        } else {
            memcpy(clean + out, s + i, n);
            out += n;
            i += n;
        }
    }
    value = json_stringn(clean, out);
    free(clean);
    return value;
}

static json_t *to_json_t(const QObject *obj)
{
    json_t *value = NULL;
    switch (obj->type) {
    case QTYPE_QNULL:
        value = json_null();
        break;
    case QTYPE_QBOOL:
        value = json_boolean(((const QBool *)obj)->value);
        break;
    case QTYPE_QNUM: {
        const QNum *num = (const QNum *)obj;
        int64_t i;
        if (qnum_get_try_int(num, &i)) {
            value = json_integer(i);
        } else if (num->kind == QNUM_DOUBLE && !isfinite(num->u.dbl)) {
            /* JSON has no NaN or infinity. */
            value = json_null();
        } else {
            /* A double, or a uint64 past INT64_MAX, which jansson's
             * integers (long long) cannot hold: written as a real. */
            value = json_real(qnum_get_double(num));
        }
        break;
    }
    case QTYPE_QSTRING:
        value = string_to_json_t(((const QString *)obj)->string);
        break;
    case QTYPE_QLIST: {
        const QList *list = (const QList *)obj;
        value = json_array();
        for (size_t i = 0; value && i < list->count; i++) {
            if (json_array_append_new(value, to_json_t(list->items[i]))) {
                json_oom();
            }
        }
        break;
    }
    case QTYPE_QDICT: {
        const QDict *dict = (const QDict *)obj;
        value = json_object();
        for (const QDictEntry *e = qdict_first(dict); value && e;
             e = qdict_next(dict, e)) {
            /* The key is checked like a string value. */
            json_t *key = string_to_json_t(e->key);
            if (!key ||
                json_object_set_new_nocheck(value, json_string_value(key),
                                            to_json_t(e->value))) {
                json_oom();
            }
            json_decref(key);
        }
        break;
    }
    }
    if (!value) {
        json_oom();
    }
    return value;
}

char *qobject_to_json(const QObject *obj, bool pretty)
{
    json_t *root = to_json_t(obj);
    /* Indent 0 without JSON_COMPACT is one line with ", " and ": ", the
     * form QEMU writes on the QMP wire; non-ASCII is escaped as QEMU does. */
    size_t flags =
        JSON_ENCODE_ANY | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17);
    if (pretty) {
        flags |= JSON_INDENT(4);
    }
    char *text = json_dumps(root, flags);
    json_decref(root);
    if (!text) {
        json_oom();
    }
    return text;
}

/*
 * JSON text <-> QObject through jansson (Debian's libjansson): a small,
 * long-maintained C library with a strict RFC 8259 parser, depth-limited,
 * that validates UTF-8 and can refuse duplicate keys.  rivet converts
 * between jansson's json_t tree and QObjects and adds its own limits on
 * top (qobject/qjson.h).
 */
#include "qobject/qjson.h"

#include <ctype.h>
#include <inttypes.h>
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

/*
 * Integers from INT64_MAX + 1 to UINT64_MAX.  jansson's integers are
 * json_int_t (long long): it refuses such a number token ("too big
 * integer"), JSON_DECODE_INT_AS_REAL would round it to 53 bits, and it can
 * only write one as a real.  QEMU's QMP reads and writes them exactly as
 * uint64, so rivet carries them past jansson as a marker string: "\u0000u"
 * followed by the decimal digits.  No other string can hold U+0000 (QObject
 * strings are C strings, and a client's "\u0000" is refused before jansson
 * sees it), so a marker is never confused with a string.  Only number
 * tokens outside strings are rewritten, and only when there is one.
 */
#define UINT64_MARKER "\0u"
#define UINT64_MARKER_LEN 2
#define UINT64_MARKER_ESCAPED "\"\\u0000u"

/* Whether the len digits at p, without sign or leading zero, name an
 * integer past INT64_MAX that fits a uint64. */
static bool digits_past_int64(const char *p, size_t len)
{
    static const char int64_max[] = "9223372036854775807";
    static const char uint64_max[] = "18446744073709551615";
    if (len < sizeof(int64_max) - 1 || len > sizeof(uint64_max) - 1 ||
        p[0] == '0') {
        return false;
    }
    if (len == sizeof(int64_max) - 1 && memcmp(p, int64_max, len) <= 0) {
        return false;
    }
    return len < sizeof(uint64_max) - 1 || memcmp(p, uint64_max, len) <= 0;
}

/* The text jansson parses: text itself (*copy NULL), or a copy with each
 * integer past INT64_MAX replaced by its marker.  Fails on a "\u0000" in
 * a string, which would forge a marker (and no C string can carry). */
static bool mark_big_integers(const char *text, size_t len, char **copy,
                              size_t *copy_len, Error **errp)
{
    *copy = NULL;
    char *out = NULL;
    size_t out_len = 0, copied = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                if (len - i >= 6 && memcmp(text + i, "\\u0000", 6) == 0) {
                    error_setg(errp, "JSON parse error, \\u0000 is not allowed "
                                     "in a string");
                    free(out);
                    return false;
                }
                i++;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c < '0' || c > '9' ||
            (i > 0 && (isalnum((unsigned char)text[i - 1]) ||
                       strchr("-+.", text[i - 1])))) {
            continue;
        }
        size_t n = 0;
        while (i + n < len && text[i + n] >= '0' && text[i + n] <= '9') {
            n++;
        }
        bool integer = i + n == len || !strchr(".eE", text[i + n]);
        if (integer && digits_past_int64(text + i, n)) {
            if (!out) {
                /* Each marker adds 9 bytes to its digits; at most one
                 * per 20 input bytes. */
                out = malloc(len + (len / 20 + 1) * 9 + 1);
                if (!out) {
                    json_oom();
                }
            }
            memcpy(out + out_len, text + copied, i - copied);
            out_len += i - copied;
            out_len += (size_t)sprintf(out + out_len, "%s%.*s\"",
                                       UINT64_MARKER_ESCAPED, (int)n, text + i);
            copied = i + n;
        }
        i += n - 1;
    }
    if (out) {
        memcpy(out + out_len, text + copied, len - copied);
        out_len += len - copied;
        *copy = out;
        *copy_len = out_len;
    }
    return true;
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
    case JSON_STRING: {
        const char *str = json_string_value(value);
        if (json_string_length(value) > UINT64_MARKER_LEN && str[0] == '\0') {
            /* A marker of mark_big_integers(): digits checked there. */
            return QOBJECT(
                qnum_from_uint(strtoull(str + UINT64_MARKER_LEN, NULL, 10)));
        }
        return QOBJECT(qstring_from_substr(str, json_string_length(value)));
    }
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
    char *marked;
    size_t marked_len;
    if (!mark_big_integers(text, len, &marked, &marked_len, errp)) {
        return NULL;
    }
    /* JSON_ALLOW_NUL lets the markers through; a client's "\u0000" never
     * gets this far, and jansson refuses it in keys whatever the flags. */
    json_t *root = json_loadb(
        marked ? marked : text, marked ? marked_len : len,
        JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    free(marked);
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
        } else if (num->kind == QNUM_U64) {
            /* Past INT64_MAX: a marker, which qobject_to_json() turns
             * back into the number's digits. */
            char marker[UINT64_MARKER_LEN + 21] = UINT64_MARKER;
            int n = snprintf(marker + UINT64_MARKER_LEN,
                             sizeof(marker) - UINT64_MARKER_LEN, "%" PRIu64,
                             num->u.u64);
            value = json_stringn(marker, UINT64_MARKER_LEN + (size_t)n);
        } else {
            value = json_real(num->u.dbl);
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

/* Each marker string of to_json_t() in jansson's output, "\u0000u" and
 * digits in quotes, becomes the digits, in place (the text only shrinks).
 * Only markers hold a U+0000 (see mark_big_integers()). */
static void unmark_big_integers(char *text)
{
    const size_t prefix = strlen(UINT64_MARKER_ESCAPED);
    char *in = strstr(text, UINT64_MARKER_ESCAPED);
    if (!in) {
        return;
    }
    char *out = in;
    while (*in) {
        if (strncmp(in, UINT64_MARKER_ESCAPED, prefix) == 0) {
            in += prefix;
            while (*in != '"') {
                *out++ = *in++;
            }
            in++; /* the closing quote */
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
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
    unmark_big_integers(text);
    return text;
}

/*
 * "key=value,..." option arguments (include/util/keyval.h).
 */
#include <stdlib.h>
#include <string.h>

#include "util/keyval.h"

bool keyval_for_each(const char *option, const char *whole, const char *spec,
                     KeyvalItemFn item, void *opaque, Error **errp)
{
    if (strlen(spec) >= KEYVAL_SPEC_MAX) {
        error_setg(errp, "%s: an argument of %zu bytes (at most %d)", option,
                   strlen(spec), KEYVAL_SPEC_MAX - 1);
        return false;
    }
    /* Cut into entries at each ',' but ",,", which is a literal comma
     * (QEMU's escape, for values such as a GStreamer pipeline). */
    char *copy = malloc(strlen(spec) + 1);
    const char *in = spec;
    bool ok = true;
    while (ok && in) {
        char *entry = copy;
        char *out = copy;
        for (;; in++) {
            if (*in == ',' && in[1] == ',') {
                *out++ = ',';
                in++;
            } else if (*in == ',' || *in == '\0') {
                break;
            } else {
                *out++ = *in;
            }
        }
        *out = '\0';
        in = *in == ',' ? in + 1 : NULL;
        char *eq = strchr(entry, '=');
        if (!eq) {
            error_setg(errp, "%s %s: '%s' is not key=value", option, whole,
                       entry);
            ok = false;
            break;
        }
        *eq = '\0';
        ok = item(opaque, entry, eq + 1, errp);
        if (!ok) {
            error_prepend(errp, "%s %s: ", option, whole);
        }
    }
    free(copy);
    return ok;
}

bool keyval_set_once(char **field, const char *key, const char *value,
                     Error **errp)
{
    if (*field) {
        error_setg(errp, "%s= given twice", key);
        return false;
    }
    if (!*value) {
        error_setg(errp, "%s= is empty", key);
        return false;
    }
    *field = strdup(value);
    return true;
}

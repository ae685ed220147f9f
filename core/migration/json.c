/*
 * The JSON writer behind the VM description that ends a migration stream.
 * Only what that description needs: objects, arrays, strings, integers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "migration-internal.h"

void mig_json_init(MigJson *j)
{
    mig_writer_init(&j->out);
    j->depth = 0;
    j->need_comma[0] = false;
}

void mig_json_free(MigJson *j)
{
    mig_writer_free(&j->out);
}

static void json_raw(MigJson *j, const char *s)
{
    mig_put_bytes(&j->out, s, strlen(s));
}

static void json_string(MigJson *j, const char *s)
{
    mig_put_u8(&j->out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            mig_put_u8(&j->out, '\\');
            mig_put_u8(&j->out, *p);
        } else if (*p < 0x20 || *p >= 0x7f) {
            char esc[8];
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            json_raw(j, esc);
        } else {
            mig_put_u8(&j->out, *p);
        }
    }
    mig_put_u8(&j->out, '"');
}

/* The comma and key before a value at the current level. */
static void json_prefix(MigJson *j, const char *key)
{
    if (j->need_comma[j->depth]) {
        mig_put_u8(&j->out, ',');
    }
    j->need_comma[j->depth] = true;
    if (key) {
        json_string(j, key);
        mig_put_u8(&j->out, ':');
    }
}

static void json_open(MigJson *j, const char *key, char bracket)
{
    json_prefix(j, key);
    mig_put_u8(&j->out, (uint8_t)bracket);
    if (j->depth + 1 < MIG_JSON_MAX_DEPTH) {
        j->depth++;
    }
    j->need_comma[j->depth] = false;
}

static void json_close(MigJson *j, char bracket)
{
    mig_put_u8(&j->out, (uint8_t)bracket);
    if (j->depth > 0) {
        j->depth--;
    }
}

void mig_json_start_object(MigJson *j, const char *key)
{
    json_open(j, key, '{');
}

void mig_json_end_object(MigJson *j)
{
    json_close(j, '}');
}

void mig_json_start_array(MigJson *j, const char *key)
{
    json_open(j, key, '[');
}

void mig_json_end_array(MigJson *j)
{
    json_close(j, ']');
}

void mig_json_str(MigJson *j, const char *key, const char *value)
{
    json_prefix(j, key);
    json_string(j, value);
}

void mig_json_int(MigJson *j, const char *key, int64_t value)
{
    char num[32];
    json_prefix(j, key);
    snprintf(num, sizeof(num), "%" PRId64, value);
    json_raw(j, num);
}

const char *mig_printable(const char *name, char out[256])
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (o + 5 >= 256) {
            break;
        }
        if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '\'') {
            out[o++] = (char)*p;
        } else {
            o += (size_t)snprintf(out + o, 256 - o, "\\x%02x", *p);
        }
    }
    out[o] = '\0';
    return out;
}

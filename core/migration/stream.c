/*
 * Big-endian byte streams for migration: a growable writer and a reader
 * that fails (and then reads zeros) instead of running past its buffer.
 */
#include "migration/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mig_writer_init(MigWriter *w)
{
    w->data = NULL;
    w->len = 0;
    w->cap = 0;
}

void mig_writer_free(MigWriter *w)
{
    free(w->data);
    mig_writer_init(w);
}

static void mig_reserve(MigWriter *w, size_t more)
{
    if (w->cap - w->len >= more) {
        return;
    }
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < more) {
        cap *= 2;
    }
    uint8_t *data = realloc(w->data, cap);
    if (!data) {
        fprintf(stderr, "rivet: out of memory writing a snapshot\n");
        abort();
    }
    w->data = data;
    w->cap = cap;
}

void mig_put_bytes(MigWriter *w, const void *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    mig_reserve(w, len);
    memcpy(w->data + w->len, buf, len);
    w->len += len;
}

void mig_put_u8(MigWriter *w, uint8_t v)
{
    mig_put_bytes(w, &v, 1);
}

void mig_put_be16(MigWriter *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    mig_put_bytes(w, b, 2);
}

void mig_put_be32(MigWriter *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(v >> (24 - 8 * i));
    }
    mig_put_bytes(w, b, 4);
}

void mig_put_be64(MigWriter *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    }
    mig_put_bytes(w, b, 8);
}

void mig_put_str8(MigWriter *w, const char *s)
{
    size_t len = strlen(s);
    if (len > 255) {
        len = 255; /* names are checked at registration; never reached */
    }
    mig_put_u8(w, (uint8_t)len);
    mig_put_bytes(w, s, len);
}

void mig_reader_init(MigReader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->failed = false;
}

const uint8_t *mig_get_span(MigReader *r, size_t len)
{
    if (r->failed || len > r->len - r->pos) {
        r->failed = true;
        r->pos = r->len;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += len;
    return p;
}

bool mig_get_bytes(MigReader *r, void *buf, size_t len)
{
    const uint8_t *p = mig_get_span(r, len);
    if (!p) {
        memset(buf, 0, len);
        return false;
    }
    memcpy(buf, p, len);
    return true;
}

static uint64_t mig_get_be(MigReader *r, size_t len)
{
    const uint8_t *p = mig_get_span(r, len);
    uint64_t v = 0;
    for (size_t i = 0; p && i < len; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

uint8_t mig_get_u8(MigReader *r)
{
    return (uint8_t)mig_get_be(r, 1);
}

uint16_t mig_get_be16(MigReader *r)
{
    return (uint16_t)mig_get_be(r, 2);
}

uint32_t mig_get_be32(MigReader *r)
{
    return (uint32_t)mig_get_be(r, 4);
}

uint64_t mig_get_be64(MigReader *r)
{
    return mig_get_be(r, 8);
}

int mig_peek_u8(const MigReader *r)
{
    if (r->failed || r->pos >= r->len) {
        return -1;
    }
    return r->data[r->pos];
}

bool mig_get_str8(MigReader *r, char buf[256])
{
    size_t len = mig_get_u8(r);
    bool ok = mig_get_bytes(r, buf, len);
    buf[ok ? len : 0] = '\0';
    return ok;
}

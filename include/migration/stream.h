/*
 * Byte streams for migration: a growable buffer that snapshots are written
 * into, and a bounded reader that snapshots are parsed from.
 *
 * Everything on the wire is big-endian, as in QEMU's stream.  The reader
 * never reads past its buffer: a short read marks it failed and every later
 * read returns zeros, so parsers check mig_reader_ok() (or the bool result)
 * at the points where they report an error.
 */
#ifndef RIVET_MIGRATION_STREAM_H
#define RIVET_MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MigWriter {
    uint8_t *data;
    size_t len;
    size_t cap;
} MigWriter;

void mig_writer_init(MigWriter *w);
void mig_writer_free(MigWriter *w);
void mig_put_u8(MigWriter *w, uint8_t v);
void mig_put_be16(MigWriter *w, uint16_t v);
void mig_put_be32(MigWriter *w, uint32_t v);
void mig_put_be64(MigWriter *w, uint64_t v);
void mig_put_bytes(MigWriter *w, const void *buf, size_t len);
/* A string of at most 255 bytes, preceded by its length byte. */
void mig_put_str8(MigWriter *w, const char *s);

typedef struct MigReader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool failed; /* a read ran past the end */
} MigReader;

void mig_reader_init(MigReader *r, const uint8_t *data, size_t len);
static inline bool mig_reader_ok(const MigReader *r)
{
    return !r->failed;
}
static inline size_t mig_reader_remaining(const MigReader *r)
{
    return r->len - r->pos;
}
uint8_t mig_get_u8(MigReader *r);
uint16_t mig_get_be16(MigReader *r);
uint32_t mig_get_be32(MigReader *r);
uint64_t mig_get_be64(MigReader *r);
/* The next byte without consuming it; -1 at the end. */
int mig_peek_u8(const MigReader *r);
/* Copies len bytes into buf (zero-filled on a short read). */
bool mig_get_bytes(MigReader *r, void *buf, size_t len);
/* A pointer to the next len bytes inside the buffer, or NULL (short). */
const uint8_t *mig_get_span(MigReader *r, size_t len);
/* A length-prefixed string into buf[256], NUL-terminated. */
bool mig_get_str8(MigReader *r, char buf[256]);

#endif /* RIVET_MIGRATION_STREAM_H */

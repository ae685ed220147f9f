/*
 * Unit tests for the migration library: vmstate encoding of every field
 * kind, versions, subsections, hooks and validation, and the stream format
 * (header, configuration, sections, footers, EOF, JSON description) with
 * hostile input: truncation at every byte, bit flips, unknown sections.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "migration/savevm.h"
#include "migration/stream.h"
#include "migration/vclock-state.h"
#include "migration/vmstate.h"
#include "unit-test.h"
#include "util/vclock.h"

typedef struct Inner {
    uint32_t a;
    uint64_t b;
} Inner;

typedef struct Dev {
    bool flag;
    uint8_t count; /* entries of items in use */
    uint16_t half;
    uint32_t reg;  /* only bits 0x7ff valid */
    uint64_t wide; /* at most 1000 */
    int64_t signed_ns;
    uint32_t fifo[4];
    Inner inner;
    Inner items[8];
    uint32_t since_v2; /* field added in version 2 */
    uint8_t shape;     /* must match between save and load */
    uint32_t extra;    /* in the "dev/extra" subsection */
    Timer timer;
    int post_loads;
    int pre_saves;
} Dev;

static const VMStateField inner_fields[] = {
    VMSTATE_UINT32(a, Inner),
    VMSTATE_UINT64(b, Inner),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = inner_fields,
};

static bool dev_extra_needed(void *opaque)
{
    return ((Dev *)opaque)->extra != 0;
}

static const VMStateField extra_fields[] = {
    VMSTATE_UINT32(extra, Dev),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_dev_extra = {
    .name = "dev/extra",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = extra_fields,
    .needed = dev_extra_needed,
};

static bool dev_pre_save(void *opaque, Error **errp)
{
    (void)errp;
    ((Dev *)opaque)->pre_saves++;
    return true;
}

static bool dev_post_load(void *opaque, int version_id, Error **errp)
{
    Dev *d = opaque;
    (void)version_id;
    if (d->fifo[0] == 0xdead) {
        error_setg(errp, "field 'fifo': 0xdead is not allowed");
        return false;
    }
    d->post_loads++;
    return true;
}

static const VMStateField dev_fields[] = {
    VMSTATE_BOOL(flag, Dev),
    VMSTATE_UINT8(count, Dev),
    VMSTATE_UINT16(half, Dev),
    VMSTATE_UINT32_CHECKED(reg, Dev, 0x7ff, 0),
    VMSTATE_UINT64_CHECKED(wide, Dev, 0, 1000),
    VMSTATE_INT64(signed_ns, Dev),
    VMSTATE_UINT32_ARRAY(fifo, Dev),
    VMSTATE_STRUCT(inner, Dev, vmstate_inner),
    VMSTATE_STRUCT_VARRAY_UINT8(items, Dev, count, vmstate_inner),
    VMSTATE_UINT32_V(since_v2, Dev, 2),
    VMSTATE_UINT8_EQUAL(shape, Dev),
    VMSTATE_TIMER(timer, Dev),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription *const dev_subsections[] = {
    &vmstate_dev_extra,
    NULL,
};

static const VMStateDescription vmstate_dev = {
    .name = "dev",
    .version_id = 2,
    .minimum_version_id = 1,
    .fields = dev_fields,
    .subsections = dev_subsections,
    .pre_save = dev_pre_save,
    .post_load = dev_post_load,
};

static void timer_cb(void *opaque)
{
    (void)opaque;
}

static void dev_fill(Dev *d)
{
    memset(d, 0, sizeof(*d));
    timer_init(&d->timer, timer_cb, d);
    d->flag = true;
    d->count = 3;
    d->half = 0xbeef;
    d->reg = 0x7f1;
    d->wide = 999;
    d->signed_ns = -5;
    for (int i = 0; i < 4; i++) {
        d->fifo[i] = 0x100 + (uint32_t)i;
    }
    d->inner.a = 7;
    d->inner.b = 0x1122334455667788ULL;
    for (int i = 0; i < 8; i++) {
        d->items[i].a = (uint32_t)i;
        d->items[i].b = (uint64_t)i * 3;
    }
    d->since_v2 = 42;
    d->shape = 3;
}

static void dev_blank(Dev *d)
{
    memset(d, 0, sizeof(*d));
    timer_init(&d->timer, timer_cb, d);
    d->shape = 3;
}

/* Save d alone; returns the writer holding the bytes. */
static MigWriter save_dev(Dev *d)
{
    MigWriter w;
    Error *err = NULL;
    mig_writer_init(&w);
    CHECK(vmstate_save(&w, &vmstate_dev, d, NULL, &err));
    return w;
}

UNIT_TEST(descriptions_are_checked)
{
    Error *err = NULL;
    CHECK(vmstate_check_description(&vmstate_dev, true, &err));
    /* A variable array whose count field is missing is refused. */
    static const VMStateField bad_fields[] = {
        VMSTATE_STRUCT_VARRAY_UINT8(items, Dev, count, vmstate_inner),
        VMSTATE_END_OF_LIST(),
    };
    VMStateDescription bad = {"bad", 1, 1, bad_fields, NULL, NULL, NULL, NULL};
    CHECK(!vmstate_check_description(&bad, true, &err));
    CHECK(strstr(error_get_message(err), "count field") != NULL);
    error_free(err);
    err = NULL;
    /* A field claiming a wider type than its member is refused. */
    VMStateField wrong[] = {VMSTATE_UINT32(half, Dev), VMSTATE_END_OF_LIST()};
    wrong[0].elem_size = 2;
    VMStateDescription w = {"w", 1, 1, wrong, NULL, NULL, NULL, NULL};
    CHECK(!vmstate_check_description(&w, true, &err));
    CHECK(strstr(error_get_message(err), "member is 2 bytes") != NULL);
    error_free(err);
    err = NULL;
    /* QEMU has no signed equality-checked type. */
    VMStateField signed_equal[] = {VMSTATE_INT64(signed_ns, Dev),
                                   VMSTATE_END_OF_LIST()};
    signed_equal[0].must_equal = true;
    VMStateDescription se = {"se", 1, 1, signed_equal, NULL, NULL, NULL, NULL};
    CHECK(!vmstate_check_description(&se, true, &err));
    CHECK_STREQ(error_get_message(err),
                "vmstate 'se' field 'signed_ns': an equality-checked field "
                "must be unsigned");
    error_free(err);
    err = NULL;
    /* A timer in a subsection would have no tie order. */
    static const VMStateField timer_fields[] = {VMSTATE_TIMER(timer, Dev),
                                                VMSTATE_END_OF_LIST()};
    VMStateDescription timed = {.name = "dev/timed",
                                .version_id = 1,
                                .minimum_version_id = 1,
                                .fields = timer_fields,
                                .needed = dev_extra_needed};
    const VMStateDescription *const timed_subs[] = {&timed, NULL};
    VMStateDescription outer = {"outer",    1,    1,    extra_fields,
                                timed_subs, NULL, NULL, NULL};
    CHECK(!vmstate_check_description(&outer, true, &err));
    CHECK_STREQ(error_get_message(err),
                "vmstate 'outer' subsection 'dev/timed': timers belong in the "
                "section's fields, not in a subsection");
    error_free(err);
    err = NULL;
    /* The name of the timers' own subsection is taken. */
    VMStateDescription reserved = vmstate_dev_extra;
    reserved.name = "dev/timer-order";
    const VMStateDescription *const reserved_subs[] = {&reserved, NULL};
    VMStateDescription dev2 = vmstate_dev;
    dev2.subsections = reserved_subs;
    CHECK(!vmstate_check_description(&dev2, true, &err));
    CHECK_STREQ(error_get_message(err),
                "vmstate 'dev' subsection 'dev/timer-order': the name is "
                "reserved for the timers' tie order");
    error_free(err);
}

UNIT_TEST(round_trip_every_field_kind)
{
    Dev a, b;
    Error *err = NULL;
    vclock_reset();
    dev_fill(&a);
    a.extra = 5;
    timer_mod(&a.timer, 1234);
    MigWriter w = save_dev(&a);
    CHECK_EQ_U64(a.pre_saves, 1);
    timer_del(&a.timer);

    dev_blank(&b);
    MigReader r;
    mig_reader_init(&r, w.data, w.len);
    CHECK(vmstate_load(&r, &vmstate_dev, &b, 2, &err));
    CHECK_EQ_U64(mig_reader_remaining(&r), 0);
    CHECK(b.flag);
    CHECK_EQ_U64(b.count, 3);
    CHECK_EQ_U64(b.half, 0xbeef);
    CHECK_EQ_U64(b.reg, 0x7f1);
    CHECK_EQ_U64(b.wide, 999);
    CHECK_EQ_I64(b.signed_ns, -5);
    CHECK_EQ_U64(b.fifo[3], 0x103);
    CHECK_EQ_U64(b.inner.b, 0x1122334455667788ULL);
    CHECK_EQ_U64(b.items[2].b, 6);
    CHECK_EQ_U64(b.items[3].a, 0); /* beyond count: not sent */
    CHECK_EQ_U64(b.since_v2, 42);
    CHECK_EQ_U64(b.extra, 5);
    CHECK_EQ_U64(b.post_loads, 1);
    CHECK(timer_pending(&b.timer));
    CHECK_EQ_I64(timer_expire_time(&b.timer), 1234);
    CHECK_EQ_I64(vclock_next_deadline(), 1234);
    timer_del(&b.timer);
    mig_writer_free(&w);
}

UNIT_TEST(wire_layout_is_big_endian_and_inline)
{
    Dev a;
    dev_fill(&a);
    MigWriter w = save_dev(&a);
    /* bool, uint8, be16, be32 ... */
    CHECK_EQ_U64(w.data[0], 1);
    CHECK_EQ_U64(w.data[1], 3);
    CHECK_EQ_U64(w.data[2], 0xbe);
    CHECK_EQ_U64(w.data[3], 0xef);
    CHECK_EQ_U64(w.data[4], 0x00);
    CHECK_EQ_U64(w.data[7], 0xf1);
    /* No subsection (extra == 0): total is the fixed fields plus 3 items. */
    size_t expect = 1 + 1 + 2 + 4 + 8 + 8 + 16 + 12 + 3 * 12 + 4 + 1 + 8;
    CHECK_EQ_U64(w.len, expect);
    /* The timer, not pending, is QEMU's 8-byte -1. */
    for (size_t i = w.len - 8; i < w.len; i++) {
        CHECK_EQ_U64(w.data[i], 0xff);
    }
    mig_writer_free(&w);
}

/* Pending, a timer is its 8-byte deadline, then its sequence number in
 * the "dev/timer-order" subsection, after the declared ones. */
UNIT_TEST(pending_timer_is_its_deadline_with_the_order_in_a_subsection)
{
    Dev a;
    vclock_reset();
    dev_fill(&a);
    timer_mod(&a.timer, 0);                    /* sequence 0: fires at once */
    timer_mod(&a.timer, 0x0102030405060708LL); /* sequence 1 */
    MigWriter w = save_dev(&a);
    timer_del(&a.timer);
    size_t fields = 1 + 1 + 2 + 4 + 8 + 8 + 16 + 12 + 3 * 12 + 4 + 1 + 8;
    static const uint8_t deadline[] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK(!memcmp(w.data + fields - 8, deadline, 8));
    static const uint8_t sub[] = "\5\17dev/timer-order\0\0\0\1"
                                 "\0\0\0\0\0\0\0\1";
    CHECK_EQ_U64(w.len, fields + sizeof(sub) - 1);
    CHECK(!memcmp(w.data + fields, sub, sizeof(sub) - 1));
    mig_writer_free(&w);
}

UNIT_TEST(older_version_skips_new_fields)
{
    Dev a, b;
    Error *err = NULL;
    dev_fill(&a);
    MigWriter w = save_dev(&a);
    /* Cut out since_v2 (4 bytes before shape and the timer) to make a v1
     * stream. */
    size_t cut = w.len - 8 - 1 - 4;
    memmove(w.data + cut, w.data + cut + 4, w.len - cut - 4);
    dev_blank(&b);
    b.since_v2 = 77;
    MigReader r;
    mig_reader_init(&r, w.data, w.len - 4);
    CHECK(vmstate_load(&r, &vmstate_dev, &b, 1, &err));
    CHECK_EQ_U64(b.since_v2, 77);
    CHECK_EQ_U64(b.shape, 3);
    mig_writer_free(&w);
}

static const char *load_error(const uint8_t *data, size_t len, int version,
                              Dev *b)
{
    static char msg[512];
    Error *err = NULL;
    MigReader r;
    dev_blank(b);
    mig_reader_init(&r, data, len);
    if (vmstate_load(&r, &vmstate_dev, b, version, &err)) {
        timer_del(&b->timer);
        return NULL;
    }
    snprintf(msg, sizeof(msg), "%s", error_get_message(err));
    error_free(err);
    timer_del(&b->timer);
    return msg;
}

UNIT_TEST(versions_outside_the_range_are_refused)
{
    Dev a, b;
    dev_fill(&a);
    MigWriter w = save_dev(&a);
    CHECK_STREQ(load_error(w.data, w.len, 3, &b),
                "'dev' version 3 is newer than this build supports "
                "(version 2)");
    CHECK_STREQ(load_error(w.data, w.len, 0, &b),
                "'dev' version 0 is older than this build accepts (minimum "
                "version 1)");
    mig_writer_free(&w);
}

UNIT_TEST(validators_name_the_field)
{
    Dev a, b;
    dev_fill(&a);
    a.reg = 0x800; /* outside the mask */
    MigWriter w = save_dev(&a);
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'reg': value 0x800 has bits outside 0x7ff");
    mig_writer_free(&w);

    dev_fill(&a);
    a.wide = 1001;
    w = save_dev(&a);
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'wide': value 1001 is above the maximum 1000");
    mig_writer_free(&w);

    dev_fill(&a);
    w = save_dev(&a);
    w.data[0] = 2; /* bool */
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'flag': invalid bool value 2");
    w.data[0] = 1;
    w.data[1] = 9; /* count beyond items[8] */
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'items': count 9 exceeds the array's 8 entries");
    mig_writer_free(&w);

    dev_fill(&a);
    a.shape = 4;
    w = save_dev(&a);
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'shape': the stream has 4, this device has 3 (it "
                "must match)");
    mig_writer_free(&w);

    dev_fill(&a);
    a.fifo[0] = 0xdead;
    w = save_dev(&a);
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'fifo': 0xdead is not allowed");
    mig_writer_free(&w);
}

UNIT_TEST(truncation_anywhere_names_the_field)
{
    Dev a, b;
    dev_fill(&a);
    MigWriter fields_only = save_dev(&a);
    a.extra = 1;
    MigWriter w = save_dev(&a);
    for (size_t len = 0; len < w.len; len++) {
        const char *msg = load_error(w.data, len, 2, &b);
        if (len == fields_only.len) {
            /* Alone, a section may end before an optional subsection; in
             * a stream its footer must follow (tested below). */
            CHECK(msg == NULL);
            continue;
        }
        if (!msg) {
            UNIT_FAIL("truncation at %zu was accepted", len);
        }
        CHECK(strstr(msg, "truncated") != NULL);
    }
    CHECK_STREQ(load_error(w.data, 20, 2, &b),
                "field 'signed_ns': stream truncated at offset 20");
    CHECK_STREQ(load_error(w.data, 50, 2, &b),
                "field 'inner.b': stream truncated at offset 50");
    CHECK_STREQ(load_error(w.data, 60, 2, &b),
                "field 'items[0].b': stream truncated at offset 60");
    mig_writer_free(&w);
    mig_writer_free(&fields_only);
}

UNIT_TEST(unknown_subsection_is_refused)
{
    Dev a, b;
    dev_fill(&a);
    a.extra = 1;
    MigWriter w = save_dev(&a);
    /* The subsection name follows its 0x05 marker and length byte. */
    uint8_t *name = memmem(w.data, w.len, "dev/extra", 9);
    CHECK(name != NULL);
    name[4] = 'X';
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "unknown subsection 'dev/Xxtra'");
    mig_writer_free(&w);
}

/* A hostile timer-order subsection: each refusal names the entry. */
UNIT_TEST(bad_timer_order_is_refused)
{
    Dev a, b;
    vclock_reset();
    dev_fill(&a);
    timer_mod(&a.timer, 700); /* sequence 0, the clock's next is 1 */
    MigWriter w = save_dev(&a);
    uint8_t *sub = memmem(w.data, w.len, "dev/timer-order", 15);
    CHECK(sub != NULL);
    uint8_t *seq_end = sub + 15 + 4 + 8;
    CHECK(seq_end == w.data + w.len);
    CHECK(load_error(w.data, w.len, 2, &b) == NULL);

    seq_end[-1] = 1;
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'dev/timer-order.seq[0]': sequence 1 is not below "
                "the clock's next sequence 1");
    seq_end[-1] = 0;
    char truncated[128];
    snprintf(truncated, sizeof(truncated),
             "field 'dev/timer-order.seq[0]': stream truncated at offset %zu",
             w.len - 1);
    CHECK_STREQ(load_error(w.data, w.len - 1, 2, &b), truncated);
    sub[15 + 3] = 2; /* subsection version */
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "subsection 'dev/timer-order': version 2 is not supported "
                "(only version 1)");
    sub[15 + 3] = 1;

    /* Twice. */
    size_t sub_len = 1 + 1 + 15 + 4 + 8;
    uint8_t twice[256];
    CHECK(w.len + sub_len <= sizeof(twice));
    memcpy(twice, w.data, w.len);
    memcpy(twice + w.len, w.data + w.len - sub_len, sub_len);
    CHECK_STREQ(load_error(twice, w.len + sub_len, 2, &b),
                "subsection 'dev/timer-order' appears twice");

    /* A sequence for a timer the stream says is not pending. */
    uint8_t *deadline = sub - 2 - 8;
    memset(deadline, 0xff, 8);
    seq_end[-1] = 0;
    CHECK(load_error(w.data, w.len, 2, &b) == NULL);
    seq_end[-2] = 1;
    CHECK_STREQ(load_error(w.data, w.len, 2, &b),
                "field 'dev/timer-order.seq[0]': sequence 256 for a timer "
                "that is not pending");
    timer_del(&a.timer);
    mig_writer_free(&w);
}

UNIT_TEST(bad_timer_deadline_is_refused)
{
    Dev a, b;
    dev_fill(&a);
    MigWriter w = save_dev(&a);
    /* Not pending: deadline -1.  Make it -2. */
    w.data[w.len - 1] = 0xfe;
    const char *msg = load_error(w.data, w.len, 2, &b);
    CHECK(msg && strstr(msg, "field 'timer': invalid timer deadline -2"));
    mig_writer_free(&w);
}

/* ---- whole streams ---------------------------------------------------- */

typedef struct Rig {
    SaveState ss;
    Dev dev0, dev1;
    VClockMigState clock;
} Rig;

static void rig_init(Rig *rig, bool fill)
{
    Error *err = NULL;
    savevm_init(&rig->ss, "virt");
    if (fill) {
        dev_fill(&rig->dev0);
        dev_fill(&rig->dev1);
        rig->dev1.items[0].a = 99;
    } else {
        dev_blank(&rig->dev0);
        dev_blank(&rig->dev1);
    }
    CHECK(savevm_register(&rig->ss, &vmstate_vclock, &rig->clock, &err));
    CHECK(savevm_register(&rig->ss, &vmstate_dev, &rig->dev0, &err));
    CHECK(savevm_register(&rig->ss, &vmstate_dev, &rig->dev1, &err));
}

static MigWriter rig_stream(void)
{
    Rig rig;
    MigWriter w;
    Error *err = NULL;
    vclock_reset();
    rig_init(&rig, true);
    vclock_advance_to(5000);
    timer_mod(&rig.dev0.timer, 6000);
    timer_mod(&rig.dev1.timer, 6000); /* a tie: dev0 first */
    mig_writer_init(&w);
    CHECK(savevm_save(&rig.ss, &w, &err));
    timer_del(&rig.dev0.timer);
    timer_del(&rig.dev1.timer);
    return w;
}

static const char *stream_error(const uint8_t *data, size_t len)
{
    static char msg[512];
    Rig rig;
    Error *err = NULL;
    vclock_reset();
    rig_init(&rig, false);
    bool ok = savevm_load(&rig.ss, data, len, &err);
    timer_del(&rig.dev0.timer);
    timer_del(&rig.dev1.timer);
    if (ok) {
        return NULL;
    }
    snprintf(msg, sizeof(msg), "%s", error_get_message(err));
    error_free(err);
    return msg;
}

UNIT_TEST(stream_round_trip_restores_clock_and_tie_order)
{
    MigWriter w = rig_stream();
    CHECK(!memcmp(w.data, "QEVM\0\0\0\3\7\0\0\0\4virt", 17));
    Rig rig;
    Error *err = NULL;
    vclock_reset();
    rig_init(&rig, false);
    /* Arm dev1 first on the loading side: the saved order must win. */
    CHECK(savevm_load(&rig.ss, w.data, w.len, &err));
    CHECK_EQ_I64(vclock_get_ns(), 5000);
    CHECK_EQ_U64(rig.dev1.items[0].a, 99);
    CHECK_EQ_U64(rig.dev0.items[0].a, 0);
    CHECK(rig.dev0.timer.next == &rig.dev1.timer);
    CHECK(rig.dev0.timer.seq < rig.dev1.timer.seq);
    CHECK(vclock_get_next_seq() > rig.dev1.timer.seq);
    timer_del(&rig.dev0.timer);
    timer_del(&rig.dev1.timer);
    /* The JSON description follows EOF and names both instances. */
    const char *json = memchr(w.data, '{', w.len);
    CHECK(json != NULL);
    CHECK(memmem(json, w.len - (size_t)(json - (char *)w.data),
                 "\"name\":\"dev\",\"instance_id\":1", 28) != NULL);
    CHECK(memmem(json, w.len - (size_t)(json - (char *)w.data),
                 "\"array_len\":3", 13) != NULL);
    mig_writer_free(&w);
}

/* The tie order comes from the timer-order subsections, not from the order
 * of the sections: dev1 was armed first and fires first after a load. */
UNIT_TEST(tie_order_against_the_stream_order_is_restored)
{
    Rig rig;
    MigWriter w;
    Error *err = NULL;
    vclock_reset();
    rig_init(&rig, true);
    timer_mod(&rig.dev1.timer, 6000);
    timer_mod(&rig.dev0.timer, 6000);
    mig_writer_init(&w);
    CHECK(savevm_save(&rig.ss, &w, &err));
    timer_del(&rig.dev0.timer);
    timer_del(&rig.dev1.timer);

    vclock_reset();
    rig_init(&rig, false);
    CHECK(savevm_load(&rig.ss, w.data, w.len, &err));
    CHECK(rig.dev1.timer.next == &rig.dev0.timer);
    CHECK_EQ_U64(rig.dev1.timer.seq, 0);
    CHECK_EQ_U64(rig.dev0.timer.seq, 1);
    CHECK_EQ_U64(vclock_get_next_seq(), 2);
    timer_del(&rig.dev0.timer);
    timer_del(&rig.dev1.timer);
    mig_writer_free(&w);
}

/* A section without its timer-order subsection (as QEMU's layout has
 * none) arms its timers in stream order, numbered as timer_mod() would. */
UNIT_TEST(timers_without_their_order_are_armed_in_stream_order)
{
    Dev a, b;
    Error *err = NULL;
    vclock_reset();
    dev_fill(&a);
    timer_mod(&a.timer, 0);
    timer_mod(&a.timer, 900); /* sequence 1 */
    MigWriter w = save_dev(&a);
    timer_del(&a.timer);
    uint8_t *sub = memmem(w.data, w.len, "dev/timer-order", 15);
    CHECK(sub != NULL);
    size_t without = (size_t)(sub - w.data) - 2;
    vclock_reset();
    vclock_restore(0, 5);
    dev_blank(&b);
    MigReader r;
    mig_reader_init(&r, w.data, without);
    CHECK(vmstate_load(&r, &vmstate_dev, &b, 2, &err));
    CHECK(timer_pending(&b.timer));
    CHECK_EQ_I64(timer_expire_time(&b.timer), 900);
    CHECK_EQ_U64(b.timer.seq, 5);
    CHECK_EQ_U64(vclock_get_next_seq(), 6);
    timer_del(&b.timer);
    mig_writer_free(&w);
}

UNIT_TEST(stream_truncated_at_every_byte_is_refused)
{
    MigWriter w = rig_stream();
    /* The description record (0x06, be32 length) precedes the JSON; a
     * stream that ends right after EOF, before it, is complete. */
    const uint8_t *json = memchr(w.data, '{', w.len);
    CHECK(json != NULL);
    size_t eof = (size_t)(json - w.data) - 5;
    CHECK_EQ_U64(w.data[eof], QEMU_VM_VMDESCRIPTION);
    for (size_t len = 0; len < w.len; len++) {
        const char *msg = stream_error(w.data, len);
        if (len == eof) {
            CHECK(msg == NULL); /* the description is optional */
            continue;
        }
        if (!msg) {
            UNIT_FAIL("stream truncated to %zu bytes was accepted", len);
        }
    }
    CHECK(stream_error(w.data, w.len) == NULL);
    mig_writer_free(&w);
}

UNIT_TEST(stream_bit_flips_never_crash)
{
    MigWriter w = rig_stream();
    const uint8_t *json = memchr(w.data, '{', w.len);
    size_t refused = 0, flips = 0;
    /* Every flip before the description must be refused or load cleanly
     * (a flipped data bit is a valid value); none may crash. */
    for (size_t i = 0; i < (size_t)(json - w.data); i++) {
        for (int bit = 0; bit < 8; bit++) {
            w.data[i] ^= (uint8_t)(1u << bit);
            refused += stream_error(w.data, w.len) != NULL;
            flips++;
            w.data[i] ^= (uint8_t)(1u << bit);
        }
    }
    printf("# %zu of %zu bit flips refused\n", refused, flips);
    CHECK(refused > flips / 4);
    mig_writer_free(&w);
}

UNIT_TEST(stream_errors_name_the_section)
{
    MigWriter w = rig_stream();
    w.data[0] = 'X';
    CHECK_STREQ(stream_error(w.data, w.len),
                "not a migration stream: magic 0x5845564d, expected "
                "0x5145564d (\"QEVM\")");
    w.data[0] = 'Q';

    /* Rename the second "dev" section. */
    uint8_t *first = memmem(w.data, w.len, "\3dev", 4);
    CHECK(first != NULL);
    uint8_t *second =
        memmem(first + 4, w.len - (size_t)(first + 4 - w.data), "\3dev", 4);
    CHECK(second != NULL);
    second[1] = 'x';
    CHECK_STREQ(stream_error(w.data, w.len),
                "unknown section 'xev' (instance 1): this machine has no "
                "such device");
    second[1] = 'd';

    /* Version 3 for the first dev section (be32 after the instance id). */
    first[4 + 7] = 3;
    CHECK_STREQ(stream_error(w.data, w.len),
                "section 'dev' (instance 0): 'dev' version 3 is newer than "
                "this build supports (version 2)");
    first[4 + 7] = 2;

    /* Items count of instance 1 past its array. */
    second[4 + 8 + 1] = 200;
    CHECK_STREQ(stream_error(w.data, w.len),
                "section 'dev' (instance 1): field 'items': count 200 "
                "exceeds the array's 8 entries");
    second[4 + 8 + 1] = 3;

    /* Machine type. */
    w.data[13] = 'w';
    CHECK_STREQ(stream_error(w.data, w.len),
                "configuration section: the stream is for machine 'wirt', "
                "this is 'virt'");
    w.data[13] = 'v';
    CHECK(stream_error(w.data, w.len) == NULL);
    mig_writer_free(&w);
}

UNIT_TEST(missing_and_duplicate_sections_are_refused)
{
    MigWriter w = rig_stream();
    uint8_t *first = memmem(w.data, w.len, "\3dev", 4);
    uint8_t *second =
        memmem(first + 4, w.len - (size_t)(first + 4 - w.data), "\3dev", 4);
    /* Both dev sections claim instance 0. */
    second[4 + 3] = 0;
    CHECK_STREQ(stream_error(w.data, w.len),
                "section 'dev' (instance 0) appears twice");
    second[4 + 3] = 1;
    /* Cut the second dev section out entirely: header starts 5 bytes
     * before its name, the footer ends 5 bytes after its data. */
    size_t start = (size_t)(second - w.data) - 5;
    size_t end = start;
    while (w.data[end] != QEMU_VM_EOF ||
           w.data[end + 1] != QEMU_VM_VMDESCRIPTION) {
        end++;
    }
    memmove(w.data + start, w.data + end, w.len - end);
    CHECK_STREQ(stream_error(w.data, w.len - (end - start)),
                "section 'dev' (instance 1) is missing from the stream");
    mig_writer_free(&w);
}

int main(void)
{
    return unit_run_all();
}

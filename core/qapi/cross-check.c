/*
 * The C half of the C <-> Rust cross check (crates/rivet-qmp's tests):
 * a value built in C with the generated C types, and a check that a
 * QObject read by the generated C visitor holds exactly that value.  The
 * Rust test reads the first into the generated Rust types, compares it
 * with the same value written in Rust, and hands its own serialization
 * back to the second.
 */
#include <stdlib.h>
#include <string.h>

#include "qapi-visit-machine.h"

QObject *qapi_cross_c_value(void);
char *qapi_cross_c_check(QObject *obj);

static CpuInfoFast *cpu(int64_t index, const char *path, SysEmuTarget target)
{
    CpuInfoFast *c = calloc(1, sizeof(*c));
    if (!c) {
        qapi_out_of_memory();
    }
    c->cpu_index = index;
    c->qom_path = strdup(path);
    c->thread_id = 1000 + index;
    c->target = target;
    return c;
}

static CpuInfoFastList *expected(void)
{
    CpuInfoFastList *second = calloc(1, sizeof(*second));
    CpuInfoFastList *first = calloc(1, sizeof(*first));
    if (!first || !second) {
        qapi_out_of_memory();
    }
    first->value = cpu(0, "/machine/cpu[0]", SYS_EMU_TARGET_RISCV64);
    first->value->props = calloc(1, sizeof(*first->value->props));
    first->value->props->has_core_id = true;
    first->value->props->core_id = 0;
    first->value->props->has_thread_id = true;
    first->value->props->thread_id = -7;
    first->next = second;
    second->value = cpu(1, "/machine/cpu[1] \xc3\xa9", SYS_EMU_TARGET_S390X);
    second->value->u.s390x.cpu_state = CPU_S390_STATE_CHECK_STOP;
    return first;
}

QObject *qapi_cross_c_value(void)
{
    CpuInfoFastList *list = expected();
    QObject *obj = qapi_out_CpuInfoFastList(list);
    qapi_free_CpuInfoFastList(list);
    return obj;
}

static bool same_cpu(const CpuInfoFast *a, const CpuInfoFast *b)
{
    if (a->cpu_index != b->cpu_index || strcmp(a->qom_path, b->qom_path) ||
        a->thread_id != b->thread_id || a->target != b->target ||
        !a->props != !b->props) {
        return false;
    }
    if (a->props && (a->props->has_node_id != b->props->has_node_id ||
                     a->props->has_socket_id != b->props->has_socket_id ||
                     a->props->has_core_id != b->props->has_core_id ||
                     a->props->core_id != b->props->core_id ||
                     a->props->has_thread_id != b->props->has_thread_id ||
                     a->props->thread_id != b->props->thread_id)) {
        return false;
    }
    return a->target != SYS_EMU_TARGET_S390X ||
           a->u.s390x.cpu_state == b->u.s390x.cpu_state;
}

/* NULL when obj reads as the value above, else why not (caller frees). */
char *qapi_cross_c_check(QObject *obj)
{
    CpuInfoFastList *got = NULL;
    Error *err = NULL;
    if (!qapi_in_CpuInfoFastList(obj, NULL, &got, &err)) {
        char *why = strdup(error_get_message(err));
        error_free(err);
        return why;
    }
    CpuInfoFastList *want = expected();
    const CpuInfoFastList *g = got, *w = want;
    for (; g && w; g = g->next, w = w->next) {
        if (!same_cpu(g->value, w->value)) {
            break;
        }
    }
    char *why = g || w ? strdup("the C visitor read another value") : NULL;
    qapi_free_CpuInfoFastList(got);
    qapi_free_CpuInfoFastList(want);
    return why;
}

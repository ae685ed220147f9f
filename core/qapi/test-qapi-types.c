/*
 * Round trips of every type generated from the schema (qapi/):
 * JSON -> QObject -> C (the input visitor) -> QObject (the output
 * visitor) -> JSON -> and again, each step equal to the first.  The
 * generator's test checks that every type of the schema is here.  Then
 * the input visitors' errors, in QEMU's words.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "qapi-visit-common.h"
#include "qapi-visit-control.h"
#include "qapi-visit-machine.h"
#include "qapi-visit-migration.h"
#include "qapi-visit-misc.h"
#include "qapi-visit-qom.h"
#include "qapi-visit-run-state.h"
#include "qapi-visit-trace.h"
#include "qobject/qjson.h"
#include "unit-test.h"

static QObject *parse(const char *json)
{
    Error *err = NULL;
    QObject *obj = qobject_from_json(json, strlen(json), &err);
    if (!obj) {
        UNIT_FAIL("%s: %s", json, error_get_message(err));
    }
    return obj;
}

/* a and b are equal; else the test fails showing both. */
static void check_same(QObject *a, QObject *b)
{
    if (!qobject_is_equal(a, b)) {
        char *ta = qobject_to_json(a, false), *tb = qobject_to_json(b, false);
        UNIT_FAIL("%s != %s", ta, tb);
    }
}

/* in -> C -> out, twice (the second time from the printed JSON). */
#define ROUND_TRIP(Type, json)                                                 \
    do {                                                                       \
        QObject *first_ = parse(json), *obj_ = qobject_ref(first_);            \
        for (int pass_ = 0; pass_ < 2; pass_++) {                              \
            Type *value_ = NULL;                                               \
            Error *err_ = NULL;                                                \
            if (!qapi_in_##Type(obj_, NULL, &value_, &err_)) {                 \
                UNIT_FAIL("%s: %s", #Type, error_get_message(err_));           \
            }                                                                  \
            QObject *out_ = qapi_out_##Type(value_);                           \
            qapi_free_##Type(value_);                                          \
            check_same(first_, out_);                                          \
            char *text_ = qobject_to_json(out_, false);                        \
            qobject_unref(out_);                                               \
            qobject_unref(obj_);                                               \
            obj_ = parse(text_);                                               \
            free(text_);                                                       \
        }                                                                      \
        qobject_unref(obj_);                                                   \
        qobject_unref(first_);                                                 \
    } while (0)

/* Enums are values, not pointers. */
#define ROUND_TRIP_ENUM(Type, json)                                            \
    do {                                                                       \
        QObject *in_ = parse(json);                                            \
        Type value_;                                                           \
        CHECK(qapi_in_##Type(in_, NULL, &value_, NULL));                       \
        QObject *out_ = qapi_out_##Type(value_);                               \
        check_same(in_, out_);                                                 \
        qobject_unref(out_);                                                   \
        qobject_unref(in_);                                                    \
        ROUND_TRIP(Type##List, "[" json "]");                                  \
    } while (0)

UNIT_TEST(common)
{
    ROUND_TRIP(StrOrNull, "\"text\"");
    ROUND_TRIP(StrOrNull, "null");
    ROUND_TRIP(StrOrNullList, "[\"a\", null]");
}

UNIT_TEST(control)
{
    ROUND_TRIP_ENUM(QMPCapability, "\"oob\"");
    ROUND_TRIP(VersionTriple, "{\"major\": 1, \"minor\": 2, \"micro\": 3}");
    ROUND_TRIP(VersionInfo, "{\"qemu\": {\"major\": 0, \"minor\": 1, "
                            "\"micro\": 0}, \"package\": \"rivet\"}");
    ROUND_TRIP(CommandInfo, "{\"name\": \"quit\"}");
    ROUND_TRIP(CommandInfoList, "[{\"name\": \"a\"}, {\"name\": \"b\"}]");
    ROUND_TRIP(q_obj_qmp_capabilities_arg, "{\"enable\": [\"oob\"]}");
    ROUND_TRIP(q_obj_qmp_capabilities_arg, "{}");
}

UNIT_TEST(run_state)
{
    ROUND_TRIP_ENUM(RunState, "\"guest-panicked\"");
    ROUND_TRIP_ENUM(ShutdownCause, "\"host-qmp-system-reset\"");
    ROUND_TRIP(StatusInfo, "{\"running\": false, \"singlestep\": false, "
                           "\"status\": \"prelaunch\"}");
    ROUND_TRIP(q_obj_SHUTDOWN_arg,
               "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
    ROUND_TRIP(q_obj_RESET_arg,
               "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
}

UNIT_TEST(machine)
{
    ROUND_TRIP_ENUM(SysEmuTarget, "\"riscv64\"");
    ROUND_TRIP_ENUM(CpuS390State, "\"check-stop\"");
    ROUND_TRIP(CpuInstanceProperties, "{\"node-id\": 0, \"thread-id\": 7}");
    ROUND_TRIP(CpuInstanceProperties, "{}");
    ROUND_TRIP(CpuInfoS390, "{\"cpu-state\": \"operating\"}");
    /* The union: a branch without members, and one with. */
    ROUND_TRIP(CpuInfoFast,
               "{\"cpu-index\": 0, \"qom-path\": \"/machine/cpu0\", "
               "\"thread-id\": 42, \"target\": \"riscv64\"}");
    ROUND_TRIP(CpuInfoFast,
               "{\"cpu-index\": 1, \"qom-path\": \"/m/c\", \"thread-id\": 1, "
               "\"props\": {\"core-id\": 1}, \"target\": \"s390x\", "
               "\"cpu-state\": \"load\"}");
    ROUND_TRIP(CpuInfoFastList, "[]");
}

UNIT_TEST(qom)
{
    ROUND_TRIP(ObjectPropertyInfo,
               "{\"name\": \"baudrate\", \"type\": \"uint32\", "
               "\"description\": \"d\", \"default-value\": {\"x\": [1, 2.5]}}");
    ROUND_TRIP(ObjectPropertyInfo, "{\"name\": \"n\", \"type\": \"bool\"}");
    ROUND_TRIP(ObjectTypeInfo, "{\"name\": \"pl011\", \"abstract\": false, "
                               "\"parent\": \"sys-bus-device\"}");
    ROUND_TRIP(q_obj_qom_list_arg, "{\"path\": \"/machine\"}");
    ROUND_TRIP(q_obj_qom_get_arg, "{\"path\": \"/m\", \"property\": \"p\"}");
    ROUND_TRIP(q_obj_qom_set_arg,
               "{\"path\": \"/m\", \"property\": \"p\", \"value\": null}");
#ifdef CONFIG_RUST /* qom-list-types is 'if': 'CONFIG_RUST' */
    ROUND_TRIP(q_obj_qom_list_types_arg, "{\"implements\": \"device\", "
                                         "\"abstract\": true}");
#endif
}

UNIT_TEST(migration)
{
    ROUND_TRIP_ENUM(MigrationStatus, "\"postcopy-active\"");
    ROUND_TRIP(MigrationInfo, "{\"status\": \"failed\", \"total-time\": 12, "
                              "\"error-desc\": \"no space\"}");
    ROUND_TRIP(MigrationInfo, "{}");
    ROUND_TRIP(q_obj_migrate_arg, "{\"uri\": \"file:/tmp/x\", "
                                  "\"detach\": true, \"resume\": false}");
    ROUND_TRIP(q_obj_MIGRATION_arg, "{\"status\": \"completed\"}");
}

UNIT_TEST(trace)
{
    ROUND_TRIP_ENUM(TraceEventState, "\"unavailable\"");
    ROUND_TRIP(TraceEventInfo, "{\"name\": \"pl011_write\", \"state\": "
                               "\"enabled\", \"vcpu\": false}");
    ROUND_TRIP(q_obj_trace_event_get_state_arg, "{\"name\": \"pl011*\"}");
    ROUND_TRIP(q_obj_trace_event_set_state_arg,
               "{\"name\": \"*\", \"enable\": true, "
               "\"ignore-unavailable\": true, \"vcpu\": 0}");
}

UNIT_TEST(misc)
{
    ROUND_TRIP(q_obj_human_monitor_command_arg,
               "{\"command-line\": \"info registers\", \"cpu-index\": 0}");
}

UNIT_TEST(builtin_lists)
{
    ROUND_TRIP(strList, "[\"a\", \"\"]");
    ROUND_TRIP(intList, "[-9223372036854775808, 9223372036854775807]");
    ROUND_TRIP(int8List, "[-128, 127]");
    ROUND_TRIP(int16List, "[-32768]");
    ROUND_TRIP(int32List, "[2147483647]");
    ROUND_TRIP(int64List, "[0]");
    ROUND_TRIP(uint8List, "[255]");
    ROUND_TRIP(uint16List, "[65535]");
    ROUND_TRIP(uint32List, "[4294967295]");
    ROUND_TRIP(uint64List, "[9223372036854775807]");
    ROUND_TRIP(sizeList, "[4096]");
    ROUND_TRIP(numberList, "[0.5, -1e+300]");
    ROUND_TRIP(boolList, "[true, false]");
    ROUND_TRIP(nullList, "[null]");
    ROUND_TRIP(anyList, "[{}, [], 1, \"x\", null]");
}

UNIT_TEST(values_arrive_in_c)
{
    QObject *obj = parse("{\"cpu-index\": 3, \"qom-path\": \"/p\", "
                         "\"thread-id\": 9, \"target\": \"s390x\", "
                         "\"cpu-state\": \"stopped\"}");
    CpuInfoFast *cpu = NULL;
    CHECK(qapi_in_CpuInfoFast(obj, NULL, &cpu, NULL));
    CHECK_EQ_I64(cpu->cpu_index, 3);
    CHECK_STREQ(cpu->qom_path, "/p");
    CHECK(cpu->props == NULL);
    CHECK(cpu->target == SYS_EMU_TARGET_S390X);
    CHECK(cpu->u.s390x.cpu_state == CPU_S390_STATE_STOPPED);
    qapi_free_CpuInfoFast(cpu);
    qobject_unref(obj);

    obj = parse("{\"status\": \"active\"}");
    MigrationInfo *info = NULL;
    CHECK(qapi_in_MigrationInfo(obj, NULL, &info, NULL));
    CHECK(info->has_status && info->status == MIGRATION_STATUS_ACTIVE);
    CHECK(!info->has_total_time && info->error_desc == NULL);
    qapi_free_MigrationInfo(info);
    qobject_unref(obj);
}

/* The input visitor of Type fails on json with exactly msg. */
#define CHECK_IN_ERROR(Type, json, msg)                                        \
    do {                                                                       \
        QObject *in_ = parse(json);                                            \
        Type *value_ = NULL;                                                   \
        Error *err_ = NULL;                                                    \
        CHECK(!qapi_in_##Type(in_, NULL, &value_, &err_));                     \
        CHECK(value_ == NULL);                                                 \
        CHECK_STREQ(error_get_message(err_), msg);                             \
        error_free(err_);                                                      \
        qobject_unref(in_);                                                    \
    } while (0)

UNIT_TEST(input_errors_in_qemus_words)
{
    CHECK_IN_ERROR(VersionInfo, "{\"package\": \"\"}",
                   "Parameter 'qemu' is missing");
    CHECK_IN_ERROR(
        VersionInfo,
        "{\"qemu\": {\"major\": 1, \"minor\": 2}, \"package\": \"\"}",
        "Parameter 'qemu.micro' is missing");
    CHECK_IN_ERROR(
        VersionInfo,
        "{\"qemu\": {\"major\": \"1\", \"minor\": 2, \"micro\": 3}, "
        "\"package\": \"\"}",
        "Invalid parameter type for 'qemu.major', expected: integer");
    CHECK_IN_ERROR(CommandInfo, "{\"name\": \"x\", \"extra\": 1}",
                   "Parameter 'extra' is unexpected");
    CHECK_IN_ERROR(CommandInfo, "[]",
                   "Invalid parameter type for 'null', expected: object");
    CHECK_IN_ERROR(StatusInfo,
                   "{\"running\": 1, \"singlestep\": false, \"status\": "
                   "\"running\"}",
                   "Invalid parameter type for 'running', expected: boolean");
    CHECK_IN_ERROR(StatusInfo,
                   "{\"running\": true, \"singlestep\": false, \"status\": "
                   "\"jogging\"}",
                   "Parameter 'status' does not accept value 'jogging'");
    CHECK_IN_ERROR(StatusInfo, "{\"running\": true, \"status\": \"running\"}",
                   "Parameter 'singlestep' is missing");
    CHECK_IN_ERROR(CommandInfoList, "[{\"name\": \"a\"}, {}]",
                   "Parameter '[1].name' is missing");
    CHECK_IN_ERROR(q_obj_qmp_capabilities_arg, "{\"enable\": [\"oob\", 1]}",
                   "Invalid parameter type for 'enable[1]', expected: string");
    CHECK_IN_ERROR(uint8List, "[256]", "Parameter '[0]' expects uint8");
    CHECK_IN_ERROR(int8List, "[-129]", "Parameter '[0]' expects int8");
    CHECK_IN_ERROR(uint64List, "[-1]", "Parameter '[0]' expects uint64");
    CHECK_IN_ERROR(intList, "[1.5]",
                   "Invalid parameter type for '[0]', expected: integer");
    CHECK_IN_ERROR(StrOrNull, "1",
                   "Invalid parameter type for 'null', expected: StrOrNull");
    /* The union: its discriminator picks the branch that is checked. */
    CHECK_IN_ERROR(CpuInfoFast,
                   "{\"cpu-index\": 0, \"qom-path\": \"\", \"thread-id\": 0, "
                   "\"target\": \"s390x\"}",
                   "Parameter 'cpu-state' is missing");
    CHECK_IN_ERROR(CpuInfoFast,
                   "{\"cpu-index\": 0, \"qom-path\": \"\", \"thread-id\": 0, "
                   "\"target\": \"riscv64\", \"cpu-state\": \"load\"}",
                   "Parameter 'cpu-state' is unexpected");
    CHECK_IN_ERROR(CpuInfoFast,
                   "{\"cpu-index\": 0, \"qom-path\": \"\", \"thread-id\": 0}",
                   "Parameter 'target' is missing");
}

int main(void)
{
    return unit_run_all();
}

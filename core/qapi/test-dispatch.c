/*
 * qmp_dispatch() with the C-only table: every request-shape error, unknown
 * commands, argument checking, the id echo, and the C commands
 * query-version, query-commands, qom-list, qom-set, the trace-event pair,
 * migrate and query-migrate, the run-state commands and their events;
 * error classes.  Also the event hook.
 */
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "probes/chardev.h"
#include "probes/registry.h"
#include "qapi-events-run-state.h"
#include "qapi/dispatch.h"
#include "qapi/migration.h"
#include "qapi/runstate.h"
#include "qobject/qjson.h"
#include "qom/object.h"
#include "unit-test.h"
#include "util/main-loop.h"

/* The compact JSON response to the JSON request (caller frees). */
static char *dispatch(const char *request)
{
    Error *err = NULL;
    QObject *req = qobject_from_json(request, strlen(request), &err);
    if (!req) {
        UNIT_FAIL("%s: %s", request, error_get_message(err));
    }
    QDict *rsp = qmp_dispatch(req);
    char *text = qobject_to_json(QOBJECT(rsp), false);
    qobject_unref(QOBJECT(rsp));
    qobject_unref(req);
    return text;
}

#define CHECK_RESPONSE(request, expected)                                      \
    do {                                                                       \
        char *rsp_ = dispatch(request);                                        \
        CHECK_STREQ(rsp_, expected);                                           \
        free(rsp_);                                                            \
    } while (0)

#define GENERIC(desc)                                                          \
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}"

UNIT_TEST(query_version)
{
    char *expected = NULL;
    CHECK(asprintf(&expected,
                   "{\"return\": {\"qemu\": {\"major\": %d, \"minor\": %d, "
                   "\"micro\": %d}, \"package\": \"rivet\"}, \"id\": 7}",
                   RIVET_VERSION_MAJOR, RIVET_VERSION_MINOR,
                   RIVET_VERSION_MICRO) > 0);
    CHECK_RESPONSE("{\"execute\": \"query-version\", \"id\": 7}", expected);
    free(expected);
}

UNIT_TEST(query_commands_lists_the_table)
{
    /* The C-only table: qom-list-types is Rust's, and commands without an
     * implementation (system_powerdown, ...) are absent. */
    CHECK_RESPONSE(
        "{\"execute\": \"query-commands\"}",
        "{\"return\": [{\"name\": \"qmp_capabilities\"}, {\"name\": "
        "\"query-version\"}, {\"name\": \"query-commands\"}, {\"name\": "
        "\"quit\"}, {\"name\": \"query-status\"}, {\"name\": \"stop\"}, "
        "{\"name\": \"cont\"}, {\"name\": \"system_reset\"}, {\"name\": "
        "\"query-cpus-fast\"}, {\"name\": \"qom-list\"}, {\"name\": "
        "\"qom-set\"}, {\"name\": \"query-migrate\"}, {\"name\": "
        "\"migrate\"}, {\"name\": \"trace-event-get-state\"}, {\"name\": "
        "\"trace-event-set-state\"}, {\"name\": \"human-monitor-command\"}]}");
    CHECK(qmp_find_command("system_powerdown") == NULL);
    CHECK(qmp_find_command("qom-list-types") == NULL);
}

UNIT_TEST(request_shape_errors)
{
    CHECK_RESPONSE("[]", GENERIC("QMP input must be a JSON object") "}");
    CHECK_RESPONSE("\"query-version\"",
                   GENERIC("QMP input must be a JSON object") "}");
    CHECK_RESPONSE(
        "{\"id\": \"x\"}",
        GENERIC("Expected 'execute' in QMP input") ", \"id\": \"x\"}");
    CHECK_RESPONSE(
        "{\"execute\": 1, \"id\": [1]}",
        GENERIC(
            "QMP input member 'execute' must be a string") ", \"id\": [1]}");
    CHECK_RESPONSE(
        "{\"execute\": \"query-version\", \"arguments\": []}",
        GENERIC("QMP input member 'arguments' must be an object") "}");
    CHECK_RESPONSE("{\"execute\": \"query-version\", \"argumentz\": {}}",
                   GENERIC("QMP input member 'argumentz' is unexpected") "}");
}

UNIT_TEST(unknown_command)
{
    CHECK_RESPONSE("{\"execute\": \"no-such\", \"id\": {\"a\": null}}",
                   "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                   "\"The command no-such has not been found\"}, \"id\": "
                   "{\"a\": null}}");
    /* Declared in the schema but not implemented: not found either. */
    CHECK_RESPONSE("{\"execute\": \"system_powerdown\"}",
                   "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                   "\"The command system_powerdown has not been found\"}}");
}

UNIT_TEST(argument_errors)
{
    CHECK_RESPONSE("{\"execute\": \"query-version\", \"arguments\": "
                   "{\"verbose\": true}}",
                   GENERIC("Parameter 'verbose' is unexpected") "}");
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"id\": 1}",
                   GENERIC("Parameter 'path' is missing") ", \"id\": 1}");
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"arguments\": {\"path\": 5}}",
                   GENERIC("Invalid parameter type for 'path', expected: "
                           "string") "}");
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"arguments\": "
                   "{\"path\": \"/\", \"depth\": 1}}",
                   GENERIC("Parameter 'depth' is unexpected") "}");
}

#define DEVICE_NOT_FOUND(desc)                                                 \
    "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"" desc "\"}"

UNIT_TEST(command_errors)
{
    /* QEMU's class for a path that names nothing. */
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"arguments\": "
                   "{\"path\": \"/nowhere\"}}",
                   DEVICE_NOT_FOUND("Device '/nowhere' not found") "}");
    CHECK_RESPONSE("{\"execute\": \"qom-set\", \"arguments\": "
                   "{\"path\": \"/nowhere\", \"property\": \"x\", "
                   "\"value\": 1}}",
                   DEVICE_NOT_FOUND("Device '/nowhere' not found") "}");
}

#define TYPE_TEST_BOX "test-box"
static const TypeInfo box_type = {
    .name = TYPE_TEST_BOX,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static void register_box_type(void)
{
    static bool registered;
    if (!registered) {
        type_register_static(&box_type);
        registered = true;
    }
}

static bool get_flag(Object *obj, ObjectProperty *prop, PropValue *out,
                     Error **errp)
{
    (void)obj;
    (void)prop;
    (void)errp;
    out->b = true;
    return true;
}

/* A box's settable properties, one per kind of value. */
typedef struct BoxValues {
    uint8_t level;
    int64_t offset;
    char *label;
    Object *peer;
} BoxValues;

static BoxValues box_values;

static bool get_value(Object *obj, ObjectProperty *prop, PropValue *out,
                      Error **errp)
{
    (void)obj;
    (void)errp;
    switch (prop->type) {
    case PROP_TYPE_UINT8:
        out->u = box_values.level;
        break;
    case PROP_TYPE_INT64:
        out->i = box_values.offset;
        break;
    case PROP_TYPE_STRING:
        out->s = box_values.label ? strdup(box_values.label) : NULL;
        break;
    default:
        out->obj = box_values.peer;
        break;
    }
    return true;
}

static bool set_value(Object *obj, ObjectProperty *prop, const PropValue *in,
                      Error **errp)
{
    (void)obj;
    (void)errp;
    switch (prop->type) {
    case PROP_TYPE_UINT8:
        box_values.level = (uint8_t)in->u;
        break;
    case PROP_TYPE_INT64:
        box_values.offset = in->i;
        break;
    case PROP_TYPE_STRING:
        free(box_values.label);
        box_values.label = in->s ? strdup(in->s) : NULL;
        break;
    default:
        box_values.peer = in->obj;
        break;
    }
    return true;
}

UNIT_TEST(qom_list)
{
    register_box_type();
    Object *box = object_new(TYPE_TEST_BOX, NULL);
    Object *inner = object_new(TYPE_TEST_BOX, NULL);
    CHECK(object_property_add_child(object_get_root(), "box", box, NULL));
    CHECK(object_property_add_child(box, "inner", inner, NULL));
    object_property_add(box, "flag", PROP_TYPE_BOOL, get_flag, NULL, NULL, NULL,
                        "a flag");
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"arguments\": "
                   "{\"path\": \"/box\"}}",
                   "{\"return\": [{\"name\": \"inner\", \"type\": "
                   "\"child<test-box>\"}, {\"name\": \"flag\", \"type\": "
                   "\"bool\", \"description\": \"a flag\"}]}");
    object_unparent(box);
    object_unref(box);
    object_unref(inner);
}

UNIT_TEST(qom_set)
{
    register_box_type();
    Object *box = object_new(TYPE_TEST_BOX, NULL);
    Object *other = object_new(TYPE_TEST_BOX, NULL);
    CHECK(object_property_add_child(object_get_root(), "box", box, NULL));
    CHECK(object_property_add_child(box, "other", other, NULL));
    object_property_add(box, "level", PROP_TYPE_UINT8, get_value, set_value,
                        NULL, NULL, NULL);
    object_property_add(box, "offset", PROP_TYPE_INT64, get_value, set_value,
                        NULL, NULL, NULL);
    object_property_add(box, "label", PROP_TYPE_STRING, get_value, set_value,
                        NULL, NULL, NULL);
    object_property_add(box, "peer", PROP_TYPE_LINK, get_value, set_value, NULL,
                        NULL, NULL);
    object_property_add(box, "flag", PROP_TYPE_BOOL, get_flag, NULL, NULL, NULL,
                        NULL);

#define QOM_SET(prop, value)                                                   \
    "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/box\", "          \
    "\"property\": \"" prop "\", \"value\": " value "}}"
    CHECK_RESPONSE(QOM_SET("level", "200"), "{\"return\": {}}");
    CHECK_EQ_I64(box_values.level, 200);
    CHECK_RESPONSE(QOM_SET("offset", "-5"), "{\"return\": {}}");
    CHECK_EQ_I64(box_values.offset, -5);
    CHECK_RESPONSE(QOM_SET("label", "\"hello\""), "{\"return\": {}}");
    CHECK_STREQ(box_values.label, "hello");
    CHECK_RESPONSE(QOM_SET("peer", "\"/box/other\""), "{\"return\": {}}");
    CHECK(box_values.peer == other);
    CHECK_RESPONSE(QOM_SET("peer", "\"\""), "{\"return\": {}}");
    CHECK(box_values.peer == NULL);

    /* QEMU's visitor messages, naming the property; nothing changes. */
    CHECK_RESPONSE(QOM_SET("level", "\"high\""),
                   GENERIC("Invalid parameter type for 'level', expected: "
                           "integer") "}");
    CHECK_RESPONSE(QOM_SET("level", "256"),
                   GENERIC("Parameter 'level' expects uint8") "}");
    CHECK_RESPONSE(QOM_SET("level", "1.5"),
                   GENERIC("Invalid parameter type for 'level', expected: "
                           "integer") "}");
    CHECK_EQ_I64(box_values.level, 200);
    CHECK_RESPONSE(QOM_SET("label", "7"),
                   GENERIC("Invalid parameter type for 'label', expected: "
                           "string") "}");
    CHECK_STREQ(box_values.label, "hello");
    CHECK_RESPONSE(QOM_SET("peer", "\"/box/none\""),
                   DEVICE_NOT_FOUND("Device '/box/none' not found") "}");
    CHECK_RESPONSE(QOM_SET("flag", "\"not even a bool\""),
                   GENERIC("Property 'test-box.flag' is read-only") "}");
    CHECK_RESPONSE(QOM_SET("nope", "1"),
                   GENERIC("Property 'test-box.nope' not found") "}");
    CHECK_RESPONSE("{\"execute\": \"qom-set\", \"arguments\": "
                   "{\"path\": \"/box\", \"property\": \"level\"}}",
                   GENERIC("Parameter 'value' is missing") "}");
#undef QOM_SET
    free(box_values.label);
    box_values.label = NULL;
    object_unparent(box);
    object_unref(box);
    object_unref(other);
}

UNIT_TEST(trace_event_state)
{
    CHECK_RESPONSE("{\"execute\": \"trace-event-get-state\", "
                   "\"arguments\": {\"name\": \"no_such_event\"}}",
                   GENERIC("unknown event \\\"no_such_event\\\"") "}");
    CHECK_RESPONSE("{\"execute\": \"trace-event-set-state\", "
                   "\"arguments\": {\"name\": \"no_such_event\", "
                   "\"enable\": true}}",
                   GENERIC("unknown event \\\"no_such_event\\\"") "}");
    /* A pattern may match nothing. */
    CHECK_RESPONSE("{\"execute\": \"trace-event-get-state\", "
                   "\"arguments\": {\"name\": \"no_such_*\"}}",
                   "{\"return\": []}");
    if (probes_count() == 0) {
        return; /* -Dprobes=disabled: no event to switch */
    }
    CHECK_RESPONSE("{\"execute\": \"trace-event-get-state\", "
                   "\"arguments\": {\"name\": \"chardev_c*\"}}",
                   "{\"return\": [{\"name\": \"chardev_close\", \"state\": "
                   "\"disabled\", \"vcpu\": false}, {\"name\": "
                   "\"chardev_connect\", \"state\": \"disabled\", \"vcpu\": "
                   "false}]}");
    CHECK(!probe_chardev_close_enabled());
    CHECK_RESPONSE("{\"execute\": \"trace-event-set-state\", "
                   "\"arguments\": {\"name\": \"chardev_c*\", \"enable\": "
                   "true}}",
                   "{\"return\": {}}");
    /* The probe site sees it: the log backend prints it now. */
    CHECK(probe_chardev_close_enabled());
    CHECK(probe_chardev_connect_enabled());
    CHECK(!probe_chardev_open_enabled());
    CHECK_RESPONSE("{\"execute\": \"trace-event-get-state\", "
                   "\"arguments\": {\"name\": \"chardev_close\", \"vcpu\": "
                   "0}}",
                   "{\"return\": [{\"name\": \"chardev_close\", \"state\": "
                   "\"enabled\", \"vcpu\": false}]}");
    CHECK_RESPONSE("{\"execute\": \"trace-event-set-state\", "
                   "\"arguments\": {\"name\": \"chardev_close\", \"enable\": "
                   "false}}",
                   "{\"return\": {}}");
    CHECK(!probe_chardev_close_enabled());
    CHECK(probe_chardev_connect_enabled());
    CHECK_RESPONSE("{\"execute\": \"trace-event-set-state\", "
                   "\"arguments\": {\"name\": \"chardev_connect\", "
                   "\"enable\": false, \"vcpu\": 3}}",
                   GENERIC("invalid vCPU index 3") "}");
    CHECK(probe_chardev_connect_enabled());
    for (unsigned i = 0; i < probes_count(); i++) {
        probes_set_log_enabled(i, false);
    }
    CHECK(!probe_chardev_connect_enabled());
}

static char *last_event;

static void record_event(const char *event, QDict *data, void *opaque)
{
    (void)opaque;
    free(last_event);
    char *text = data ? qobject_to_json(QOBJECT(data), false) : NULL;
    CHECK(asprintf(&last_event, "%s %s", event, text ? text : "-") > 0);
    free(text);
    qobject_unref(data ? QOBJECT(data) : NULL);
}

UNIT_TEST(events_reach_the_emitter)
{
    qapi_event_send_stop(); /* no emitter: dropped */
    qapi_event_set_emitter(record_event, NULL);
    qapi_event_send_shutdown(true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    CHECK_STREQ(last_event,
                "SHUTDOWN {\"guest\": true, \"reason\": \"guest-shutdown\"}");
    qapi_event_send_resume();
    CHECK_STREQ(last_event, "RESUME -");
    qapi_event_set_emitter(NULL, NULL);
    free(last_event);
    last_event = NULL;
}

UNIT_TEST(run_state_commands)
{
    qapi_event_set_emitter(record_event, NULL);
    CHECK_RESPONSE("{\"execute\": \"query-status\"}",
                   "{\"return\": {\"running\": true, \"singlestep\": false, "
                   "\"status\": \"running\"}}");
    CHECK_RESPONSE("{\"execute\": \"stop\"}", "{\"return\": {}}");
    CHECK_STREQ(last_event, "STOP -");
    CHECK_RESPONSE("{\"execute\": \"query-status\"}",
                   "{\"return\": {\"running\": false, \"singlestep\": false, "
                   "\"status\": \"paused\"}}");
    /* A second stop changes nothing and says nothing, as in QEMU. */
    free(last_event);
    last_event = NULL;
    CHECK_RESPONSE("{\"execute\": \"stop\"}", "{\"return\": {}}");
    CHECK(last_event == NULL);
    CHECK_RESPONSE("{\"execute\": \"cont\"}", "{\"return\": {}}");
    CHECK_STREQ(last_event, "RESUME -");
    CHECK(runstate_is_running());

    /* system_reset leaves the reset to the run loop. */
    ShutdownCause cause;
    CHECK(!runstate_take_reset_request(&cause));
    CHECK_RESPONSE("{\"execute\": \"system_reset\"}", "{\"return\": {}}");
    CHECK(runstate_take_reset_request(&cause));
    CHECK(cause == SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    CHECK(!runstate_take_reset_request(&cause));

    /* quit asks the run loop to end; SHUTDOWN says why. */
    CHECK_RESPONSE("{\"execute\": \"quit\"}", "{\"return\": {}}");
    CHECK(main_loop_exit_requested() && main_loop_exit_status() == 0);
    CHECK(!runstate_shutdown());
    CHECK_STREQ(last_event,
                "SHUTDOWN {\"guest\": false, \"reason\": \"host-qmp-quit\"}");
    CHECK_RESPONSE("{\"execute\": \"query-status\"}",
                   "{\"return\": {\"running\": false, \"singlestep\": false, "
                   "\"status\": \"shutdown\"}}");
    CHECK_RESPONSE("{\"execute\": \"cont\"}",
                   GENERIC("Resetting the Virtual Machine is required") "}");
    runstate_reset_done(false, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    CHECK(runstate_get() == RUN_STATE_PRELAUNCH);
    main_loop_reset();
    runstate_set(RUN_STATE_RUNNING);
    qapi_event_set_emitter(NULL, NULL);
    free(last_event);
    last_event = NULL;
}

/* A machine whose stream is its name; a path under /refused is refused
 * at once, one under /fails fails while writing. */
static char *saved_to;

static bool fake_check_file(const char *path, Error **errp)
{
    if (strncmp(path, "/refused/", 9) == 0) {
        error_setg(errp, "'%s' is refused", path);
        return false;
    }
    return true;
}

static bool fake_save_file(void *opaque, const char *path, Error **errp)
{
    if (strncmp(path, "/fails/", 7) == 0) {
        error_setg(errp, "disk full writing '%s'", path);
        return false;
    }
    free(saved_to);
    CHECK(asprintf(&saved_to, "%s to %s", (const char *)opaque, path) > 0);
    return true;
}

#define MIGRATE(uri)                                                           \
    "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"" uri "\"}}"
#define QUERY_MIGRATE "{\"execute\": \"query-migrate\"}"

UNIT_TEST(migrate)
{
    CHECK_RESPONSE(QUERY_MIGRATE, "{\"return\": {}}");
    CHECK_RESPONSE(MIGRATE("file:/tmp/x"),
                   GENERIC("There is no machine to migrate") "}");
    static const MigrationMachine machine = {
        .check_file = fake_check_file,
        .save_file = fake_save_file,
        .opaque = "virt",
    };
    migration_set_machine(&machine);
    qapi_event_set_emitter(record_event, NULL);
    CHECK_RESPONSE(MIGRATE("tcp:localhost:4444"),
                   GENERIC("Parameter 'uri' expects a valid migration "
                           "protocol (rivet writes to file:PATH)") "}");
    CHECK_RESPONSE(MIGRATE("file:"),
                   GENERIC("Parameter 'uri' expects a valid migration "
                           "protocol (rivet writes to file:PATH)") "}");
    CHECK(last_event == NULL);
    CHECK(!migration_run_pending()); /* nothing started */

    /* Started by the command, written at the next save point. */
    CHECK_RESPONSE(MIGRATE("file:/tmp/snap"), "{\"return\": {}}");
    CHECK_STREQ(last_event, "MIGRATION {\"status\": \"setup\"}");
    CHECK_RESPONSE(QUERY_MIGRATE, "{\"return\": {\"status\": \"setup\"}}");
    CHECK_RESPONSE(MIGRATE("file:/tmp/other"),
                   GENERIC("There's a migration process in progress") "}");
    CHECK(saved_to == NULL);
    CHECK(migration_run_pending());
    CHECK_STREQ(saved_to, "virt to /tmp/snap");
    CHECK_STREQ(last_event, "MIGRATION {\"status\": \"completed\"}");
    char *rsp = dispatch(QUERY_MIGRATE);
    CHECK(strncmp(rsp,
                  "{\"return\": {\"status\": \"completed\", "
                  "\"total-time\": ",
                  44) == 0);
    free(rsp);
    CHECK(!migration_run_pending()); /* once */

    /* Failing while writing: failed, with the reason. */
    CHECK_RESPONSE(MIGRATE("file:/fails/snap"), "{\"return\": {}}");
    CHECK(!migration_run_pending());
    CHECK_STREQ(last_event, "MIGRATION {\"status\": \"failed\"}");
    CHECK_RESPONSE(QUERY_MIGRATE,
                   "{\"return\": {\"status\": \"failed\", \"error-desc\": "
                   "\"migration to 'file:/fails/snap' failed: disk full "
                   "writing '/fails/snap'\"}}");

    /* Refused at once: the command fails, and so does the migration. */
    CHECK_RESPONSE(MIGRATE("file:/refused/snap"),
                   GENERIC("'/refused/snap' is refused") "}");
    CHECK_STREQ(last_event, "MIGRATION {\"status\": \"failed\"}");
    CHECK_RESPONSE(QUERY_MIGRATE,
                   "{\"return\": {\"status\": \"failed\", \"error-desc\": "
                   "\"'/refused/snap' is refused\"}}");
    CHECK(!migration_run_pending());
    CHECK_STREQ(saved_to, "virt to /tmp/snap");

    qapi_event_set_emitter(NULL, NULL);
    migration_set_machine(NULL);
    free(saved_to);
    saved_to = NULL;
    free(last_event);
    last_event = NULL;
}

UNIT_TEST(capabilities)
{
    CHECK_RESPONSE("{\"execute\": \"qmp_capabilities\"}", "{\"return\": {}}");
    CHECK_RESPONSE(
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
        "[\"oob\"]}}",
        GENERIC("Capability 'oob' not available") "}");
}

/* What a registered hart's dump_state writes, so that `info registers`
 * can be seen to reach it. */
static void dump_test_cpu(Object *cpu, FILE *out)
{
    fprintf(out, " pc       %s\n x0/zero  0\n", object_get_typename(cpu));
}

UNIT_TEST(query_cpus_fast)
{
    CHECK_RESPONSE("{\"execute\": \"query-cpus-fast\"}", "{\"return\": []}");
    Object *cpu = object_new(TYPE_TEST_BOX, NULL);
    Object *machine = container_get(NULL, "/machine");
    CHECK(object_property_add_child(machine, "cpu0", cpu, NULL));
    runstate_register_cpu(cpu, dump_test_cpu);
    char *rsp = dispatch("{\"execute\": \"query-cpus-fast\"}");
    char *expected = NULL;
    CHECK(asprintf(&expected,
                   "{\"return\": [{\"cpu-index\": 0, \"qom-path\": "
                   "\"/machine/cpu0\", \"thread-id\": %d, \"props\": "
                   "{\"socket-id\": 0, \"core-id\": 0}, \"target\": "
                   "\"riscv64\"}]}",
                   (int)getpid()) > 0);
    CHECK_STREQ(rsp, expected);
    free(rsp);
    free(expected);
    runstate_unregister_cpus();
    object_unparent(cpu);
    object_unref(cpu);
}

#define HMP(line)                                                              \
    "{\"execute\": \"human-monitor-command\", \"arguments\": "                 \
    "{\"command-line\": \"" line "\"}}"

UNIT_TEST(human_monitor_command)
{
    /* QEMU's texts, lines ending in CR LF; an unknown command is text. */
    CHECK_RESPONSE(HMP("nonsense"),
                   "{\"return\": \"unknown command: 'nonsense'\\r\\n\"}");
    CHECK_RESPONSE(HMP("info nonsense"),
                   "{\"return\": \"unknown command: 'info nonsense'\\r\\n\"}");
    CHECK_RESPONSE(HMP("  "), "{\"return\": \"\"}");
    CHECK_RESPONSE(HMP("help"),
                   "{\"return\": \"help|? [cmd] -- show the help\\r\\ninfo "
                   "[subcommand] -- show various information about the system "
                   "state\\r\\n\"}");
    CHECK_RESPONSE(
        HMP("info"),
        "{\"return\": \"info qtree  -- show device tree\\r\\ninfo registers  "
        "-- show the cpu registers\\r\\ninfo status  -- show the current "
        "VM status (running|paused)\\r\\n\"}");
    CHECK_RESPONSE(HMP("? info status"),
                   "{\"return\": \"info status  -- show the current VM "
                   "status (running|paused)\\r\\n\"}");
    CHECK_RESPONSE(HMP("help info frob"),
                   "{\"return\": \"unknown command: 'info frob'\\r\\n\"}");
    CHECK_RESPONSE(HMP("info status now"),
                   "{\"return\": \"status: extraneous characters at the end "
                   "of line\\r\\nTry \\\"help info status\\\" for more "
                   "information\\r\\n\"}");
    CHECK_RESPONSE(HMP("info status"),
                   "{\"return\": \"VM status: running\\r\\n\"}");
    runstate_set(RUN_STATE_PRELAUNCH);
    CHECK_RESPONSE(HMP("info status"),
                   "{\"return\": \"VM status: paused (prelaunch)\\r\\n\"}");
    runstate_set(RUN_STATE_RUNNING);

    CHECK_RESPONSE(HMP("info registers"),
                   "{\"return\": \"No CPU available\\r\\n\"}");
    Object *cpu = object_new(TYPE_TEST_BOX, NULL);
    runstate_register_cpu(cpu, dump_test_cpu);
    CHECK_RESPONSE(HMP("info registers"),
                   "{\"return\": \" pc       test-box\\r\\n x0/zero  "
                   "0\\r\\n\"}");
    CHECK_RESPONSE("{\"execute\": \"human-monitor-command\", \"arguments\": "
                   "{\"command-line\": \"info registers\", \"cpu-index\": 1}}",
                   GENERIC("Parameter 'cpu-index' expects a CPU number") "}");
    runstate_unregister_cpus();
    object_unref(cpu);
}

int main(void)
{
    return unit_run_all();
}

/*
 * qmp_dispatch() with the C-only table: every request-shape error, unknown
 * commands, argument checking, the id echo, and the C commands
 * query-version, query-commands and qom-list, the run-state commands and
 * their events.  Also the event hook.
 */
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "qapi-events-run-state.h"
#include "qapi/dispatch.h"
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
        "\"query-cpus-fast\"}, {\"name\": \"qom-list\"}]}");
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

UNIT_TEST(command_errors)
{
    CHECK_RESPONSE("{\"execute\": \"qom-list\", \"arguments\": "
                   "{\"path\": \"/nowhere\"}}",
                   GENERIC("Device '/nowhere' not found") "}");
}

#define TYPE_TEST_BOX "test-box"
static const TypeInfo box_type = {
    .name = TYPE_TEST_BOX,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static bool get_flag(Object *obj, ObjectProperty *prop, PropValue *out,
                     Error **errp)
{
    (void)obj;
    (void)prop;
    (void)errp;
    out->b = true;
    return true;
}

UNIT_TEST(qom_list)
{
    type_register_static(&box_type);
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

UNIT_TEST(capabilities)
{
    CHECK_RESPONSE("{\"execute\": \"qmp_capabilities\"}", "{\"return\": {}}");
    CHECK_RESPONSE(
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
        "[\"oob\"]}}",
        GENERIC("Capability 'oob' not available") "}");
}

UNIT_TEST(query_cpus_fast)
{
    CHECK_RESPONSE("{\"execute\": \"query-cpus-fast\"}", "{\"return\": []}");
    Object *cpu = object_new(TYPE_TEST_BOX, NULL);
    Object *machine = container_get(NULL, "/machine");
    CHECK(object_property_add_child(machine, "cpu0", cpu, NULL));
    runstate_register_cpu(cpu);
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

int main(void)
{
    return unit_run_all();
}

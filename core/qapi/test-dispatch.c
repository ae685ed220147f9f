/*
 * qmp_dispatch() with the C-only table: every request-shape error, unknown
 * commands, argument checking, the id echo, and the C commands
 * query-version, query-commands and qom-list.  Also the event hook.
 */
#include <stdlib.h>
#include <string.h>

#include "qapi-events-run-state.h"
#include "qapi/dispatch.h"
#include "qobject/qjson.h"
#include "qom/object.h"
#include "unit-test.h"

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
     * implementation (stop, cont, ...) are absent. */
    CHECK_RESPONSE("{\"execute\": \"query-commands\"}",
                   "{\"return\": [{\"name\": \"query-version\"}, {\"name\": "
                   "\"query-commands\"}, {\"name\": \"qom-list\"}]}");
    CHECK(qmp_find_command("stop") == NULL);
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
    CHECK_RESPONSE("{\"execute\": \"stop\"}",
                   "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                   "\"The command stop has not been found\"}}");
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

int main(void)
{
    return unit_run_all();
}

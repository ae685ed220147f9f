/*
 * human-monitor-command: the few commands of QEMU's human monitor (HMP)
 * that rivet has, run from QMP.  As in QEMU the answer is the text the
 * human monitor would print, lines ending in "\r\n", and a command the
 * monitor does not know is not a QMP error: its text says so ("unknown
 * command: 'x'").  Commands: help, info (registers, qtree, status).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwcore/sysbus.h"
#include "qapi-commands-misc.h"
#include "qapi-commands-run-state.h"
#include "qapi/runstate.h"

typedef struct HmpContext {
    FILE *out;
    int cpu_index;
} HmpContext;

typedef struct HmpCommand HmpCommand;
struct HmpCommand {
    const char *name; /* alternatives separated by '|' */
    const char *params;
    const char *help;
    bool takes_argument; /* the rest of the line, optional */
    void (*run)(HmpContext *ctx, const char *argument);
    const HmpCommand *sub_table; /* "info": the line names a subcommand */
};

static const HmpCommand hmp_commands[];
static const HmpCommand hmp_info_commands[];

/* --- info registers --- */

static void hmp_info_registers(HmpContext *ctx, const char *argument)
{
    (void)argument;
    if (ctx->cpu_index >= runstate_cpu_count()) {
        fputs("No CPU available\n", ctx->out);
        return;
    }
    runstate_cpu_dump_state(ctx->cpu_index, ctx->out);
}

/* --- info status --- */

static void hmp_info_status(HmpContext *ctx, const char *argument)
{
    (void)argument;
    StatusInfo *info = qmp_query_status(NULL);
    fprintf(ctx->out, "VM status: %s", info->running ? "running" : "paused");
    if (!info->running && info->status != RUN_STATE_PAUSED) {
        fprintf(ctx->out, " (%s)", RunState_str[info->status]);
    }
    fputc('\n', ctx->out);
    qapi_free_StatusInfo(info);
}

/* --- info qtree --- */

static void qtree_print_bus(FILE *out, Object *machine, Object *bus,
                            int indent);

typedef struct QtreeWalk {
    FILE *out;
    int indent;
} QtreeWalk;

/* QEMU's human form: integers in decimal and hex, strings and link paths
 * quoted, booleans true/false. */
static bool qtree_print_property(Object *obj, ObjectProperty *prop,
                                 void *opaque)
{
    QtreeWalk *w = opaque;
    /* The register dump of -d dev_regs is state, not configuration: QEMU's
     * qtree shows a device's properties only. */
    if (!prop->get || strcmp(prop->name, DEVICE_PROP_REGISTERS) == 0) {
        return true;
    }
    PropValue v;
    Error *err = NULL;
    if (!object_property_get(obj, prop->name, &v, &err)) {
        fprintf(w->out, "%*s%s = <%s>\n", w->indent, "", prop->name,
                error_get_message(err));
        error_free(err);
        return true;
    }
    fprintf(w->out, "%*s%s = ", w->indent, "", prop->name);
    switch (v.type) {
    case PROP_TYPE_BOOL:
        fputs(v.b ? "true" : "false", w->out);
        break;
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        fprintf(w->out, "%" PRIu64 " (0x%" PRIx64 ")", v.u, v.u);
        break;
    case PROP_TYPE_INT64:
        fprintf(w->out, "%" PRId64 " (0x%" PRIx64 ")", v.i, (uint64_t)v.i);
        break;
    case PROP_TYPE_STRING:
        fprintf(w->out, "\"%s\"", v.s ? v.s : "");
        break;
    case PROP_TYPE_LINK: {
        char *path = v.obj ? object_get_canonical_path(v.obj) : NULL;
        fprintf(w->out, "\"%s\"", path ? path : "");
        free(path);
        break;
    }
    }
    fputc('\n', w->out);
    prop_value_clear(&v);
    return true;
}

static void qtree_print_device(FILE *out, Object *machine, Object *obj,
                               int indent)
{
    DeviceState *dev = DEVICE(obj);
    /* Board devices have no -device id: their name in the QOM tree
     * (/machine/NAME) plays its part. */
    fprintf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
            object_get_typename(obj), dev->id ? dev->id : obj->name);
    indent += 2;
    if (dev->num_gpio_in) {
        fprintf(out, "%*sgpio-in \"\" %d\n", indent, "", dev->num_gpio_in);
    }
    if (dev->num_gpio_out) {
        fprintf(out, "%*sgpio-out \"\" %d\n", indent, "", dev->num_gpio_out);
    }
    SysBusDevice *sbd =
        (SysBusDevice *)object_dynamic_cast(obj, TYPE_SYS_BUS_DEVICE);
    if (sbd && sbd->num_irq) {
        fprintf(out, "%*sgpio-out \"sysbus-irq\" %d\n", indent, "",
                sbd->num_irq);
    }
    QtreeWalk w = {.out = out, .indent = indent};
    object_property_foreach(obj, qtree_print_property, &w);
    for (int i = 0; sbd && i < sbd->num_mmio; i++) {
        fprintf(out, "%*smmio %016" PRIx64 "/%016" PRIx64 "\n", indent, "",
                (uint64_t)sbd->mmio_addr[i], sbd->mmio[i]->size);
    }
    /* A child that is not a device is a bus the device provides. */
    for (Object *child = obj->children; child; child = child->sibling) {
        if (!object_dynamic_cast(child, TYPE_DEVICE)) {
            qtree_print_bus(out, machine, child, indent);
        }
    }
}

/* The devices below obj whose "bus" link is bus (bus NULL: the main
 * system bus, which holds the sysbus devices), in tree order. */
static void qtree_print_devices_on(FILE *out, Object *obj, Object *machine,
                                   Object *bus, int indent)
{
    for (Object *child = obj->children; child; child = child->sibling) {
        if (object_dynamic_cast(child, TYPE_DEVICE)) {
            bool on_bus;
            if (bus) {
                PropValue link;
                on_bus = object_property_find(child, "bus") &&
                         object_property_get(child, "bus", &link, NULL) &&
                         link.type == PROP_TYPE_LINK && link.obj == bus;
            } else {
                on_bus = object_dynamic_cast(child, TYPE_SYS_BUS_DEVICE);
            }
            if (on_bus) {
                qtree_print_device(out, machine, child, indent);
            }
        }
        qtree_print_devices_on(out, child, machine, bus, indent);
    }
}

static void qtree_print_bus(FILE *out, Object *machine, Object *bus, int indent)
{
    char *path = bus ? object_get_canonical_path(bus) : NULL;
    fprintf(out, "%*sbus: %s\n", indent, "",
            bus ? (path ? path : bus->name) : "main-system-bus");
    free(path);
    fprintf(out, "%*stype %s\n", indent + 2, "",
            bus ? object_get_typename(bus) : "System");
    qtree_print_devices_on(out, machine, machine, bus, indent + 2);
}

static void hmp_info_qtree(HmpContext *ctx, const char *argument)
{
    (void)argument;
    Object *machine = object_resolve_path("/machine");
    if (machine) {
        qtree_print_bus(ctx->out, machine, NULL, 0);
    }
}

/* --- help --- */

/* name matches one of cmd_name's '|'-separated alternatives. */
static bool hmp_name_matches(const char *name, size_t len, const char *cmd_name)
{
    const char *p = cmd_name;
    for (;;) {
        size_t n = strcspn(p, "|");
        if (n == len && strncmp(p, name, len) == 0) {
            return true;
        }
        if (!p[n]) {
            return false;
        }
        p += n + 1;
    }
}

static const HmpCommand *hmp_find(const HmpCommand *table, const char *name,
                                  size_t len)
{
    for (const HmpCommand *cmd = table; cmd->name; cmd++) {
        if (hmp_name_matches(name, len, cmd->name)) {
            return cmd;
        }
    }
    return NULL;
}

static void hmp_help_line(FILE *out, const char *prefix, const HmpCommand *cmd)
{
    fprintf(out, "%s%s %s -- %s\n", prefix, cmd->name, cmd->params, cmd->help);
}

static const char *skip_blanks(const char *p)
{
    while (isspace((unsigned char)*p)) {
        p++;
    }
    return p;
}

/* A word ends at a blank (or, for a command name, at '/', as in QEMU). */
static size_t word_length(const char *p)
{
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != '/') {
        n++;
    }
    return n;
}

/* "help", "help info", "help info qtree", as QEMU's help_cmd: the words
 * walk down the tables; a word no table knows is an unknown command. */
static void hmp_help(HmpContext *ctx, const char *argument)
{
    const HmpCommand *table = hmp_commands;
    const char *words = argument ? skip_blanks(argument) : "";
    const char *p = words;
    char prefix[256] = "";
    for (;;) {
        size_t len = word_length(p);
        if (!len) {
            for (const HmpCommand *cmd = table; cmd->name; cmd++) {
                hmp_help_line(ctx->out, prefix, cmd);
            }
            return;
        }
        const HmpCommand *cmd = hmp_find(table, p, len);
        if (!cmd) {
            fprintf(ctx->out, "unknown command: '%s%.*s'\n", prefix, (int)len,
                    p);
            return;
        }
        if (!cmd->sub_table) {
            hmp_help_line(ctx->out, prefix, cmd);
            return;
        }
        size_t used = strlen(prefix);
        snprintf(prefix + used, sizeof(prefix) - used, "%.*s ", (int)len, p);
        table = cmd->sub_table;
        p = skip_blanks(p + len);
    }
}

static void hmp_info(HmpContext *ctx, const char *argument)
{
    (void)argument;
    hmp_help(ctx, "info");
}

static const HmpCommand hmp_info_commands[] = {
    {"qtree", "", "show device tree", false, hmp_info_qtree, NULL},
    {"registers", "", "show the cpu registers", false, hmp_info_registers,
     NULL},
    {"status", "", "show the current VM status (running|paused)", false,
     hmp_info_status, NULL},
    {NULL, NULL, NULL, false, NULL, NULL},
};

static const HmpCommand hmp_commands[] = {
    {"help|?", "[cmd]", "show the help", true, hmp_help, NULL},
    {"info", "[subcommand]", "show various information about the system state",
     false, hmp_info, hmp_info_commands},
    {NULL, NULL, NULL, false, NULL, NULL},
};

/* Parse and run one line as QEMU's handle_hmp_command: the command name
 * (through the subcommand tables), then its arguments. */
static void hmp_run(HmpContext *ctx, const char *line)
{
    const char *start = skip_blanks(line);
    const char *p = start;
    const HmpCommand *table = hmp_commands;
    const HmpCommand *cmd = NULL;
    for (;;) {
        size_t len = word_length(p);
        if (!len) {
            if (!cmd) {
                return; /* an empty line */
            }
            break;
        }
        const HmpCommand *found = hmp_find(table, p, len);
        if (!found) {
            fprintf(ctx->out, "unknown command: '%.*s'\n",
                    (int)(p + len - start), start);
            return;
        }
        cmd = found;
        p = skip_blanks(p + len);
        if (!cmd->sub_table || !*p) {
            break;
        }
        table = cmd->sub_table;
    }
    if (*p && !cmd->takes_argument) {
        const char *name_end = p;
        while (name_end > start && isspace((unsigned char)name_end[-1])) {
            name_end--;
        }
        fprintf(ctx->out,
                "%s: extraneous characters at the end of line\n"
                "Try \"help %.*s\" for more information\n",
                cmd->name, (int)(name_end - start), start);
        return;
    }
    cmd->run(ctx, *p ? p : NULL);
}

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp)
{
    HmpContext ctx = {.cpu_index = 0};
    if (has_cpu_index) {
        if (cpu_index < 0 || cpu_index >= runstate_cpu_count()) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
        ctx.cpu_index = (int)cpu_index;
    }
    char *text = NULL;
    size_t len = 0;
    ctx.out = open_memstream(&text, &len);
    if (!ctx.out) {
        qapi_out_of_memory();
    }
    hmp_run(&ctx, command_line);
    fclose(ctx.out);
    /* The human monitor ends its lines with "\r\n" on every channel,
     * human-monitor-command's answer included. */
    size_t newlines = 0;
    for (size_t i = 0; i < len; i++) {
        newlines += text[i] == '\n';
    }
    char *crlf = malloc(len + newlines + 1);
    if (!crlf) {
        qapi_out_of_memory();
    }
    char *o = crlf;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            *o++ = '\r';
        }
        *o++ = text[i];
    }
    *o = '\0';
    free(text);
    return crlf;
}

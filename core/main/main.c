/*
 * rivet's command line: QEMU-style options, then build the `virt` board,
 * load the firmware and run it.  Every bad option is reported as one line on
 * stderr with a non-zero exit status, before any guest code runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/audio.h"
#include "chardev/char.h"
#include "machine/drive.h"
#include "machine/snapshot.h"
#include "machine/virt.h"
#include "probes/registry.h"
#include "qapi/migration.h"
#include "qapi/runstate.h"
#include "qmp/monitor.h"
#include "util/error.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/number.h"
#include "util/pace.h"

#ifndef RIVET_VERSION
#define RIVET_VERSION "unknown"
#endif
/* Where the installed firmware images are (meson.build): relative to the
 * directory of the executable, so that a tree installed under any prefix or
 * DESTDIR finds its own, or absolute. */
#ifndef RIVET_FIRMWARE_DIR
#define RIVET_FIRMWARE_DIR "../share/rivet"
#endif

/* Exit status for rivet's own failures: a set-up error, a guest that can
 * never wake up, a snapshot that cannot be written, and guest output or log
 * lost to a write error when the guest itself passed.  Each comes with a
 * line on stderr saying which.  Guest failure codes are 1..255 too: README
 * "Failure behaviour" lists them all. */
#define EXIT_USAGE 1

typedef struct Options {
    const char *machine;
    const char *ram_size;
    const char *firmware;
    const char *firmware_option; /* "-bios" or "-kernel", for messages */
    const char *serial;
    const char *debug_items;
    const char *log_file;
    const char *incoming; /* -incoming file:PATH */
    const char *save_at;  /* -save-at N,file:PATH */
    const char *icount;   /* -icount shift=0[,sleep=on|off][,align=on|off] */
    const char *qmp[QMP_MAX_MONITORS]; /* -qmp SPEC, repeatable */
    int qmp_count;
    bool start_stopped; /* -S */
    bool no_shutdown;   /* -no-shutdown */
    DriveList *drives;  /* -drive and -device */
} Options;

/* The disks of -drive: the machine refers to them until the process ends
 * (static, so that they stay reachable until exit). */
static DriveList drive_list;

/* The installed firmware directory, RIVET_FIRMWARE_DIR resolved against
 * the executable's own directory; malloc'd, NULL if that cannot be read. */
static char *firmware_dir(void)
{
    if (RIVET_FIRMWARE_DIR[0] == '/') {
        return strdup(RIVET_FIRMWARE_DIR);
    }
    char *exe = realpath("/proc/self/exe", NULL);
    if (!exe) {
        return NULL;
    }
    char *slash = strrchr(exe, '/');
    *slash = '\0';
    char *dir = NULL;
    if (asprintf(&dir, "%s/%s", exe, RIVET_FIRMWARE_DIR) < 0) {
        dir = NULL;
    }
    free(exe);
    /* Without the "..", for messages; a missing directory stays as is. */
    char *resolved = dir ? realpath(dir, NULL) : NULL;
    if (resolved) {
        free(dir);
        dir = resolved;
    }
    return dir;
}

/* A bare -bios NAME (no '/') missing from the current directory names an
 * installed image, as QEMU looks its firmware up in its data directory.
 * Sets *path to the file to open (name itself, or one in path_buf of size
 * PATH_MAX); false with *errp set when the image is in neither place. */
static bool find_firmware(const char *name, const char **path, char *path_buf,
                          Error **errp)
{
    *path = name;
    if (strchr(name, '/') || access(name, F_OK) == 0) {
        return true;
    }
    char *dir = firmware_dir();
    if (dir && snprintf(path_buf, PATH_MAX, "%s/%s", dir, name) < PATH_MAX &&
        access(path_buf, F_OK) == 0) {
        free(dir);
        *path = path_buf;
        return true;
    }
    error_setg(errp,
               "could not open firmware '%s': not in the current directory "
               "nor in the firmware directory %s",
               name, dir ? dir : "(unknown: /proc/self/exe is unreadable)");
    free(dir);
    return false;
}

static void print_help(void)
{
    printf(
        "Usage: rivet [options]\n"
        "A small RISC-V (RV64IMAC) system emulator: the `virt` board with a\n"
        "PL011 UART, an HPET, a PLIC, a CLINT, a power/test device and an\n"
        "OpenCores I2C controller with a 24C02 EEPROM on its bus.\n"
        "\n"
        "  -machine, -M virt[,key=value...]  board and its properties:\n"
        "        ram-size=BYTES  guest RAM (same as -m)\n"
        "        htif=on|off     honour the ELF tohost symbol (default on)\n"
        "        misaligned=allow|trap  misaligned loads and stores complete\n"
        "                        in RAM (allow, default) or trap\n"
        "        eeprom-file=FILE  back the I2C EEPROM (24C02 at 0x50)\n"
        "                        with FILE, exactly 256 bytes: read at\n"
        "                        start, every page write written through\n");
    virt_print_machine_help(stdout);
    printf(
        "  -global DEV.PROP=VALUE\n"
        "                   set property PROP of every device DEV (its QOM\n"
        "                   type, or its board name: pl011 means the C or\n"
        "                   the Rust PL011), e.g. pcf8574.in3=0 (repeatable)\n"
        "  -drive file=PATH,format=raw,if=none,id=ID[,readonly=on|off]\n"
        "                   a raw disk image (its size a multiple of 512\n"
        "                   bytes) for a -device; readonly=on refuses the\n"
        "                   guest's writes (repeatable)\n"
        "  -device virtio-blk-device,drive=ID\n"
        "                   put drive ID behind the board's virtio-mmio\n"
        "                   transport at 0x10008000 as a virtio-blk disk\n"
        "                   (Rust only; one such device)\n"
        "  -m SIZE          guest RAM, e.g. 64M or 1G (default 64M; suffix K,\n"
        "                   M or G in either case, a bare number means MiB;\n"
        "                   between 1M and 16G)\n"
        "  -bios FILE       firmware to boot (ELF or raw binary loaded at\n"
        "                   0x80000000); default: the built-in demo\n"
        "  -kernel FILE     same as -bios (use one of the two)\n"
        "  -serial BACKEND  UART backend: stdio (default), null, file:PATH,\n"
        "                   unix:PATH,server[,wait=on],\n"
        "                   tcp:[HOST]:PORT,server[,wait=on] (no HOST:\n"
        "                   127.0.0.1)\n"
        "  -nographic       accepted for QEMU compatibility (rivet has no\n"
        "                   display; the UART is on stdio)\n"
        "  -d ITEM[,...]    debug logging: int, guest_errors, unimp, mmio,\n"
        "                   in_asm, cpu, dev_regs (-d help lists them)\n"
        "  -D FILE          write debug logging to FILE instead of stderr\n"
        "  -incoming file:PATH\n"
        "                   start from the snapshot in PATH (same -m and\n"
        "                   firmware as when it was saved)\n"
        "  -save-at N,file:PATH\n"
        "                   run until the guest has executed N instructions\n"
        "                   since power-on, save a snapshot to PATH, exit 0\n"
        "                   (PATH is replaced only if it is a regular file)\n"
        "  -audiodev TYPE,id=ID[,KEY=VALUE...]\n"
        "                   a host audio backend for the PCM device\n"
        "                   (-global pcm.audiodev=ID): none, wav,path=FILE,\n"
        "                   gstreamer[,pipeline=DESC] (-audiodev help lists\n"
        "                   those built; repeatable)\n"
        "  -icount shift=0[,sleep=on|off][,align=on|off]\n"
        "                   pace virtual time (1 ns per instruction, QEMU's\n"
        "                   shift=0): with sleep=on (the default) an idle\n"
        "                   guest waits for host time to reach its next\n"
        "                   timer; align=on also holds a busy guest back.\n"
        "                   Without it, or with sleep=off, idle time is\n"
        "                   skipped; the guest's output and snapshots are\n"
        "                   the same either way\n"
        "  -qmp unix:PATH,server=on[,wait=off]\n"
        "  -qmp tcp:[HOST]:PORT,server=on[,wait=off]\n"
        "  -qmp stdio       a QMP monitor (docs/qmp.md) on a unix socket\n"
        "                   (owner-only), a TCP port (127.0.0.1 unless HOST\n"
        "                   is given) or stdio (then move the serial port\n"
        "                   with -serial); one client at a time, the guest\n"
        "                   runs meanwhile (repeatable, up to 8)\n"
        "  -S               start with the machine stopped: a QMP client's\n"
        "                   cont starts it (needs -qmp)\n"
        "  -no-shutdown     when the guest powers off, stop the machine\n"
        "                   instead of exiting (QMP's quit exits, or\n"
        "                   system_reset then cont runs it again)\n"
        "  -trace PATTERN   print the probe events whose names match the glob\n"
        "                   to stderr or the -D file (repeatable; -trace help\n"
        "                   lists them)\n"
        "  -h, --help       show this help and exit\n"
        "  --version        show the version and exit\n"
        "\n"
        "A -bios or -kernel FILE without a '/' that is not in the current\n"
        "directory is looked up in the installed firmware directory,\n"
        "%s%s.\n"
        "\n"
        "Exit status: the guest's result, 0 when it passes (power device\n"
        "`pass`, HTIF code 0), its failure code otherwise (power device\n"
        "`fail` code, with 0 counted as 1; HTIF code); codes above 255 give\n"
        "255 and stderr names the real code.  1 for rivet's own errors, each\n"
        "told on stderr: a bad option or set-up, a guest that can never\n"
        "wake, a snapshot not saved, guest output or the log lost to a\n"
        "write error while the guest passed.  Numbers are decimal (property\n"
        "values also 0x hex), booleans on or off.\n",
        RIVET_FIRMWARE_DIR[0] == '/' ? "" : "<rivet's directory>/",
        RIVET_FIRMWARE_DIR);
}

/* Parse a -m size: a decimal number with an optional K/M/G suffix (bare
 * numbers are MiB, as in QEMU). */
static bool parse_ram_size(const char *text, uint64_t *out, Error **errp)
{
    const char *end;
    uint64_t value;
    if (parse_uint64(text, false, &end, &value) != NUMBER_OK) {
        error_setg(errp, "-m %s: not a valid size", text);
        return false;
    }
    unsigned shift = 0;
    switch (*end) {
    case '\0':
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    }
    if (shift == 0 || (*end != '\0' && end[1] != '\0')) {
        error_setg(errp, "-m %s: unknown size suffix '%s' (use K, M or G)",
                   text, end);
        return false;
    }
    if (value > (UINT64_MAX >> shift)) {
        error_setg(errp, "-m %s: size is too large", text);
        return false;
    }
    *out = value << shift;
    return true;
}

/* Returns the option's argument, or reports that it is missing. */
static const char *option_argument(int argc, char **argv, int *i, Error **errp)
{
    if (*i + 1 >= argc) {
        error_setg(errp, "option '%s' needs an argument (see --help)",
                   argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Returns 1 to continue, 0 to exit successfully (--help), -1 on error. */
static int parse_options(int argc, char **argv, Options *opts, Error **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        /* Accept both -opt and --opt, as QEMU does. */
        const char *name = opt[0] == '-' && opt[1] == '-' ? opt + 1 : opt;
        const char **target = NULL;

        if (!strcmp(name, "-h") || !strcmp(name, "-help")) {
            print_help();
            return 0;
        } else if (!strcmp(name, "-version")) {
            printf("rivet version %s\n", RIVET_VERSION);
            return 0;
        } else if (!strcmp(name, "-nographic")) {
            continue;
        } else if (!strcmp(name, "-S")) {
            opts->start_stopped = true;
            continue;
        } else if (!strcmp(name, "-no-shutdown")) {
            opts->no_shutdown = true;
            continue;
        } else if (!strcmp(name, "-qmp")) {
            const char *spec = option_argument(argc, argv, &i, errp);
            if (!spec) {
                return -1;
            }
            if (opts->qmp_count == QMP_MAX_MONITORS) {
                error_setg(errp, "-qmp %s: at most %d monitors", spec,
                           QMP_MAX_MONITORS);
                return -1;
            }
            opts->qmp[opts->qmp_count++] = spec;
            continue;
        } else if (!strcmp(name, "-machine") || !strcmp(name, "-M")) {
            target = &opts->machine;
        } else if (!strcmp(name, "-m")) {
            target = &opts->ram_size;
        } else if (!strcmp(name, "-bios") || !strcmp(name, "-kernel")) {
            if (opts->firmware) {
                error_setg(errp,
                           "%s: a firmware was already given with %s (use one "
                           "-bios or -kernel)",
                           opt, opts->firmware_option);
                return -1;
            }
            opts->firmware_option = opt;
            target = &opts->firmware;
        } else if (!strcmp(name, "-serial")) {
            target = &opts->serial;
        } else if (!strcmp(name, "-d")) {
            target = &opts->debug_items;
        } else if (!strcmp(name, "-D")) {
            target = &opts->log_file;
        } else if (!strcmp(name, "-incoming")) {
            target = &opts->incoming;
        } else if (!strcmp(name, "-save-at")) {
            target = &opts->save_at;
        } else if (!strcmp(name, "-global")) {
            /* Repeatable: each one is checked and kept right away. */
            const char *spec = option_argument(argc, argv, &i, errp);
            if (!spec || !virt_check_global(spec, errp) ||
                !qdev_global_add(spec, errp)) {
                return -1;
            }
            continue;
        } else if (!strcmp(name, "-drive") || !strcmp(name, "-device")) {
            /* Repeatable: -device is resolved once every -drive is read. */
            const char *spec = option_argument(argc, argv, &i, errp);
            bool ok =
                spec && (!strcmp(name, "-drive")
                             ? drive_list_add_drive(opts->drives, spec, errp)
                             : drive_list_add_device(opts->drives, spec, errp));
            if (!ok) {
                return -1;
            }
            continue;
        } else if (!strcmp(name, "-audiodev")) {
            /* Repeatable: each one is checked and kept right away; the
             * backends are opened once every option has been read. */
            const char *spec = option_argument(argc, argv, &i, errp);
            if (spec && !strcmp(spec, "help")) {
                audio_print_backends(stdout);
                return 0;
            }
            if (!spec || !audiodev_add(spec, errp)) {
                return -1;
            }
            continue;
        } else if (!strcmp(name, "-icount")) {
            target = &opts->icount;
        } else if (!strcmp(name, "-trace")) {
            /* Repeatable: each pattern enables more events right away. */
            const char *pattern = option_argument(argc, argv, &i, errp);
            bool help_shown = false;
            if (!pattern || !probes_trace_option(pattern, &help_shown, errp)) {
                return -1;
            }
            if (help_shown) {
                return 0;
            }
            continue;
        } else {
            error_setg(errp, "unknown option '%s' (see --help)", opt);
            return -1;
        }
        const char *arg = option_argument(argc, argv, &i, errp);
        if (!arg) {
            return -1;
        }
        *target = arg;
    }
    if (opts->start_stopped && opts->qmp_count == 0) {
        error_setg(errp, "-S: the machine would never start: add a -qmp "
                         "monitor whose client can send cont");
        return -1;
    }
    return drive_list_finish(opts->drives, errp) ? 1 : -1;
}

/* Opens the -qmp monitors and sets the run state of -S and -no-shutdown. */
static bool start_monitors(const Options *opts, Error **errp)
{
    for (int i = 0; i < opts->qmp_count; i++) {
        if (!strcmp(opts->qmp[i], "stdio") && !strcmp(opts->serial, "stdio")) {
            error_setg(errp,
                       "-qmp stdio: the serial port is on stdio (move it "
                       "with -serial null, file:PATH or unix:PATH,server)");
            return false;
        }
        if (!monitor_add(opts->qmp[i], errp)) {
            return false;
        }
    }
    if (opts->start_stopped) {
        runstate_set(RUN_STATE_PRELAUNCH);
    }
    runstate_set_no_shutdown(opts->no_shutdown);
    return true;
}

/* Builds the machine described by opts; NULL with *errp set on failure.
 * *serial is its serial backend, opened but not started. */
static VirtMachine *create_machine(const Options *opts, Chardev **serial,
                                   Error **errp)
{
    VirtMachine *vms = virt_machine_new(opts->machine, errp);
    if (!vms) {
        return NULL;
    }
    if (opts->drives->virtio_blk &&
        !virt_machine_set_virtio_blk(vms, opts->drives->virtio_blk, errp)) {
        return NULL;
    }
    if (opts->ram_size) {
        uint64_t size;
        Error *local = NULL;
        if (!parse_ram_size(opts->ram_size, &size, errp)) {
            return NULL;
        }
        if (!object_property_set_uint(OBJECT(vms), "ram-size", size, &local)) {
            error_setg(errp, "-m %s: %s", opts->ram_size,
                       error_get_message(local));
            error_free(local);
            return NULL;
        }
    }

    *serial = chardev_new_from_spec("serial0", opts->serial, errp);
    if (!*serial) {
        return NULL;
    }

    bool ok = virt_machine_realize(vms, *serial, opts->firmware, errp);
    return ok ? vms : NULL;
}

/* The PATH of a "file:PATH" migration URI. */
static const char *migration_file(const char *option, const char *uri,
                                  Error **errp)
{
    if (strncmp(uri, "file:", 5) != 0 || uri[5] == '\0') {
        error_setg(errp, "%s %s: expected file:PATH", option, uri);
        return NULL;
    }
    return uri + 5;
}

/* -save-at N,file:PATH; PATH is checked now, not after N instructions. */
static bool parse_save_at(const char *text, uint64_t *insns, const char **path,
                          Error **errp)
{
    const char *end;
    if (parse_uint64(text, false, &end, insns) != NUMBER_OK || *end != ',') {
        error_setg(errp,
                   "-save-at %s: expected N,file:PATH with N a number of "
                   "instructions",
                   text);
        return false;
    }
    *path = migration_file("-save-at", end + 1, errp);
    if (!*path) {
        return false;
    }
    if (!virt_snapshot_check_target(*path, errp)) {
        error_prepend(errp, "-save-at %s: ", text);
        return false;
    }
    return true;
}

static bool save_machine(void *vms, const char *path, Error **errp)
{
    return virt_snapshot_save_file(vms, path, errp);
}

/* Runs the guest to the -save-at point and writes the snapshot; returns
 * the exit status. */
static int run_and_save(VirtMachine *vms, uint64_t insns, const char *path)
{
    Error *err = NULL;
    int status = virt_machine_run_until(vms, insns, &err);
    if (status == VIRT_RUN_STOPPED) {
        if (!virt_snapshot_save_file(vms, path, &err)) {
            error_report_err(err);
            return EXIT_USAGE;
        }
        return EXIT_SUCCESS;
    }
    if (status < 0) {
        error_report_err(err);
        return EXIT_USAGE;
    }
    error_report("-save-at %" PRIu64 ": the guest powered off with status %d "
                 "after %" PRIu64 " instructions, before the snapshot point",
                 insns, status, vms->insns_executed);
    return EXIT_USAGE;
}

/* fds 0-2 closed by the caller (`rivet >&-`) would be handed out by the
 * next open(), and guest output meant for stdout would land in the -D
 * file.  Fill them with /dev/null: read-only, so that writing to a closed
 * stdout still fails and is reported as lost output, as for any command. */
static void fill_closed_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) {
            continue;
        }
        /* The lowest free fd, and the ones below are filled: fd itself. */
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0 && null_fd != fd) {
            dup2(null_fd, fd);
            close(null_fd);
        }
    }
}

/* --help and friends wrote to stdout: a failed write must not exit 0. */
static int exit_after_printing(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_report("cannot write to stdout: %s", strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

/* The guest powered off with status: say so when its code did not fit. */
static void report_unrepresentable_code(void)
{
    if (main_loop_exit_code() > MAIN_LOOP_EXIT_STATUS_MAX) {
        error_report("the guest failed with code %" PRIu64
                     ", above the largest exit status: exit status %d",
                     main_loop_exit_code(), MAIN_LOOP_EXIT_STATUS_MAX);
    }
}

/* The process exit status for a run that ended with status. */
static int final_status(int status)
{
    /* Lost output was reported when it happened; a pass must not hide it,
     * a guest failure code stays the more useful status. */
    if (status == EXIT_SUCCESS && error_output_lost()) {
        return EXIT_USAGE;
    }
    return status;
}

/* A start that failed once the machine exists (vms may be NULL): report
 * err, tear the machine down, drop the held log and the audio files;
 * nothing was created. */
static int abandon_start(VirtMachine *vms, Error *err)
{
    error_report_err(err);
    audiodev_close_all(false);
    if (vms) {
        object_unparent(OBJECT(vms));
    }
    log_close();
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    Options opts = {
        .machine = "virt", .serial = "stdio", .drives = &drive_list};
    Error *err = NULL;

    fill_closed_standard_fds();
    int parsed = parse_options(argc, argv, &opts, &err);
    if (parsed <= 0) {
        if (err) {
            error_report_err(err);
        }
        return parsed == 0 ? exit_after_printing() : EXIT_USAGE;
    }
    if (opts.debug_items) {
        bool help_shown = false;
        if (!log_parse_items(opts.debug_items, &help_shown, &err)) {
            error_report_err(err);
            return EXIT_USAGE;
        }
        if (help_shown) {
            return exit_after_printing();
        }
    }
    /* Nothing is created or truncated until every option, the machine,
     * the firmware and the snapshot have been checked: -D and -serial
     * file: are only checked here, and started below. */
    if (opts.log_file && !log_prepare_file(opts.log_file, &err)) {
        error_prepend(&err, "-D %s: ", opts.log_file);
        error_report_err(err);
        return EXIT_USAGE;
    }

    if (opts.icount && !pace_parse_icount(opts.icount, &err)) {
        error_report_err(err);
        return EXIT_USAGE;
    }

    uint64_t save_insns = 0;
    const char *save_path = NULL;
    const char *incoming_path = NULL;
    if (opts.save_at &&
        !parse_save_at(opts.save_at, &save_insns, &save_path, &err)) {
        error_report_err(err);
        return EXIT_USAGE;
    }
    if (opts.incoming &&
        !(incoming_path = migration_file("-incoming", opts.incoming, &err))) {
        error_report_err(err);
        return EXIT_USAGE;
    }

    char firmware_path[PATH_MAX];
    if (opts.firmware &&
        !find_firmware(opts.firmware, &opts.firmware, firmware_path, &err)) {
        error_report_err(err);
        return EXIT_USAGE;
    }

    /* Before the machine: its devices start their streams when a snapshot
     * is loaded into them.  A backend that cannot play (a bad pipeline,
     * an unwritable file) stops rivet before the guest runs. */
    if (!audiodev_open_all(&err)) {
        return abandon_start(NULL, err);
    }
    Chardev *serial = NULL;
    VirtMachine *vms = create_machine(&opts, &serial, &err);
    if (!vms) {
        return abandon_start(NULL, err);
    }
    /* A snapshot is loaded completely, or the guest never runs. */
    if (incoming_path && !virt_snapshot_load_file(vms, incoming_path, &err)) {
        return abandon_start(vms, err);
    }
    if (save_path && save_insns < vms->insns_executed) {
        error_setg(&err,
                   "-save-at %s: the snapshot %s resumes after %" PRIu64
                   " instructions, past the point to save at",
                   opts.save_at, incoming_path, vms->insns_executed);
        return abandon_start(vms, err);
    }
    if (!log_start_file(&err) || !chardev_start(serial, &err) ||
        !start_monitors(&opts, &err)) {
        monitor_close_all();
        return abandon_start(vms, err);
    }

    /* QMP's migrate writes what -save-at writes (qapi/migration.h). */
    const MigrationMachine migration_machine = {
        .check_file = virt_snapshot_check_target,
        .save_file = save_machine,
        .opaque = vms,
    };
    migration_set_machine(&migration_machine);

    int status;
    if (save_path) {
        status = run_and_save(vms, save_insns, save_path);
    } else {
        status = virt_machine_run(vms, &err);
        if (status < 0) {
            error_report_err(err);
            status = EXIT_USAGE;
        } else {
            report_unrepresentable_code();
        }
    }
    monitor_close_all();
    migration_set_machine(NULL);
    /* What was played is complete (a WAV file renamed into place, a
     * GStreamer pipeline at end-of-stream); a failure is lost output. */
    audiodev_close_all(true);
    object_unparent(OBJECT(vms));
    log_close();
    return final_status(status);
}

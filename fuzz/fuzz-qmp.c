/*
 * libFuzzer target: the QMP monitor's input path, everything a client's
 * bytes reach (`make fuzz-qmp`, docs/testing.md): framing, JSON parsing,
 * negotiation and dispatch through the C-only table, with the greeting
 * sent first as to a real client.  The first byte sets the size of the
 * chunks the rest arrives in (0: all at once), as reads from a socket
 * split a stream anywhere.  The run state the commands change (stop,
 * quit, system_reset) is put back after each input.
 */
#include <stddef.h>
#include <stdint.h>

#include "qapi/runstate.h"
#include "qmp/session.h"
#include "util/main-loop.h"

static void discard_output(void *opaque, const char *text, size_t len)
{
    (void)opaque;
    (void)text;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t chunk = data[0] ? data[0] : size;
    data++;
    size--;
    QmpSession session;
    qmp_session_init(&session, discard_output, NULL);
    qmp_session_start(&session);
    for (size_t done = 0; done < size; done += chunk) {
        size_t n = size - done < chunk ? size - done : chunk;
        if (!qmp_session_feed(&session, data + done, n)) {
            break; /* over the size limit: the monitor closes */
        }
    }
    qmp_session_reset(&session);

    ShutdownCause cause;
    runstate_take_reset_request(&cause);
    runstate_shutdown();
    runstate_set(RUN_STATE_RUNNING);
    main_loop_reset();
    return 0;
}

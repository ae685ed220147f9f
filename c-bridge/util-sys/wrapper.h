/*
 * bindgen input of util-sys: errors, logging, the virtual clock and timers, the
 * main loop. Only include/util/ items are bound here (see bindgen.args); lower
 * layers' types come from their own -sys crates.
 */
#include "util/error.h"
#include "util/keyval.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/number.h"
#include "util/output-file.h"
#include "util/pace.h"
#include "util/vclock.h"

/*
 * bindgen input of migration-sys: vmstate descriptions, the stream reader
 * and writer, sections, the RAM and virtual-clock sections.
 * Only include/migration/ items are bound here (see bindgen.args); lower
 * layers' types come from their own -sys crates.
 */
#include "migration/ram.h"
#include "migration/savevm.h"
#include "migration/stream.h"
#include "migration/vclock-state.h"
#include "migration/vmstate.h"

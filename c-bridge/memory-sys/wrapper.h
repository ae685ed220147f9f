/*
 * bindgen input of memory-sys: memory regions, MMIO ops and address spaces.
 * Only include/memory/ items are bound here (see bindgen.args); lower layers'
 * types come from their own -sys crates.
 */
#include "memory/memory.h"

/*
 * bindgen input of chardev-sys: character backends and frontends.
 * Only include/chardev/ items are bound here (see bindgen.args); lower layers'
 * types come from their own -sys crates.
 */
#include "chardev/char.h"

/*
 * bindgen input of qom-sys: the object model.
 * Only include/qom/ items are bound here (see bindgen.args); lower layers'
 * types come from their own -sys crates.
 */
#include "qom/object.h"

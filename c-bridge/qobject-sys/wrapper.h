/*
 * bindgen input of qobject-sys: the QObject types and JSON.
 * Only include/qobject/ items are bound here (see bindgen.args); lower
 * layers' types come from their own -sys crates.
 */
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qobject.h"

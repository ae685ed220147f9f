/*
 * bindgen input of i2c-sys: the I2C bus and the abstract target type. Only
 * include/i2c/ items are bound here (see bindgen.args); lower layers' types
 * come from their own -sys crates.
 */
#include "i2c/i2c.h"

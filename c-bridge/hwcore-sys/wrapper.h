/*
 * bindgen input of hwcore-sys: devices, static properties, IRQ lines,
 * sysbus and IOMMUs. Only include/hwcore/ items are bound here (see bindgen.args); lower
 * layers' types come from their own -sys crates.
 */
#include "hwcore/iommu.h"
#include "hwcore/irq.h"
#include "hwcore/qdev.h"
#include "hwcore/sysbus.h"

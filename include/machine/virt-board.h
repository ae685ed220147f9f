/*
 * The board table of `virt`: every device, where it sits and how it is
 * wired.  This is the one place that says so: the board creates the
 * devices in this order, and the emulator and the guest firmware take
 * the VIRT_<NAME>_BASE, _SIZE and _IRQ constants of machine/virt-map.h
 * from it.  A new device adds one line (scripts/new-device does).
 *
 * VIRT_DEVICE(NAME, child, type, impl, base, size, irq)
 *   NAME   the constants' infix: VIRT_UART0_BASE
 *   child  the device's name in the tree: /machine/uart0
 *   type   its QOM type; a Rust implementation is "<type>-rust"
 *   impl   C, RUST or TWIN (both; -machine virt,<type>=c|rust picks one,
 *          the default is -Dtwin_default: rust when Rust is built).  A
 *          RUST device is on the board when Rust is built (-machine
 *          virt,<type>=off leaves it off) and absent without Rust
 *   base, size  its MMIO window
 *   irq    the PLIC source its interrupt output 0 drives; 0 when the
 *          board wires it itself (PLIC, CLINT, HPET) or it has none
 *
 * Later devices take free 4 KiB slots from 0x10003000 and free PLIC
 * sources (1..31; the HPET's routes are 2, 8 and 16..23).
 *
 * VIRT_I2C_TARGET(NAME, child, type, impl, address, irq)
 *   the targets on the I2C controller's bus (/machine/i2c/bus), created
 *   after the devices: NAME, child, type and impl as above, address its
 *   7-bit I2C address (VIRT_<NAME>_I2C_ADDR), irq the PLIC source its
 *   interrupt output 0 drives (VIRT_<NAME>_IRQ; 0: none).  docs/i2c.md.
 *
 * An includer defines the macro(s) it wants; the other list expands to
 * nothing.
 */
#ifndef VIRT_DEVICE
#define VIRT_DEVICE(NAME, child, type, impl, base, size, irq)
#define VIRT_BOARD_DEFAULT_DEVICE
#endif
#ifndef VIRT_I2C_TARGET
#define VIRT_I2C_TARGET(NAME, child, type, impl, address, irq)
#define VIRT_BOARD_DEFAULT_I2C_TARGET
#endif
/* clang-format off */
VIRT_DEVICE(PLIC,  plic,  "plic",       C,    0x0c000000, 0x00400000, 0)
VIRT_DEVICE(CLINT, clint, "clint",      C,    0x02000000, 0x00010000, 0)
VIRT_DEVICE(UART0, uart0, "pl011",      TWIN, 0x10000000, 0x00001000, 10)
VIRT_DEVICE(HPET,  hpet,  "hpet",       TWIN, 0x10001000, 0x00000400, 0)
VIRT_DEVICE(POWER, power, "power-test", C,    0x10100000, 0x00001000, 0)
VIRT_DEVICE(I2C,   i2c,   "ocores",     C,    0x10002000, 0x00001000, 1)
VIRT_DEVICE(IOMMU, iommu, "riscv-iommu", C,    0x10003000, 0x00001000, 4)
VIRT_DEVICE(VIRTIO, virtio, "virtio", RUST,   0x10008000, 0x00000200, 5)
VIRT_DEVICE(PCM, pcm, "pcm", C, 0x10004000, 0x00001000, 6)
/* clang-format on */
/* clang-format off */
VIRT_I2C_TARGET(EEPROM, eeprom, "at24c02", C, 0x50, 0)
VIRT_I2C_TARGET(PCF8574, pcf8574, "pcf8574", RUST, 0x20, 3)
/* clang-format on */
#ifdef VIRT_BOARD_DEFAULT_DEVICE
#undef VIRT_DEVICE
#undef VIRT_BOARD_DEFAULT_DEVICE
#endif
#ifdef VIRT_BOARD_DEFAULT_I2C_TARGET
#undef VIRT_I2C_TARGET
#undef VIRT_BOARD_DEFAULT_I2C_TARGET
#endif

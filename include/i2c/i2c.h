/*
 * The I2C bus: one controller drives it, targets answer at 7-bit
 * addresses.  A transfer is a start condition with the target's address and
 * the direction, bytes one at a time (the receiver of each acknowledges
 * it), optional repeated starts, and a stop condition.
 *
 * A controller model owns an I2CBus and turns its register commands into
 * i2c_bus_start/send/recv/stop.  A target is a device of a subtype of
 * TYPE_I2C_TARGET: its `bus` link and `address` property place it on a bus
 * when it is realized (two targets at one address, or an address that is
 * not a usable 7-bit address, make realize fail), and the bus calls its
 * class's event/send/recv hooks.  No target at an address, or a target
 * that refuses a byte, is a NACK.  docs/i2c.md.
 *
 * No static inline functions: the header is bound by bindgen as it is.
 */
#ifndef RIVET_I2C_I2C_H
#define RIVET_I2C_I2C_H

#include <stdbool.h>
#include <stdint.h>

#include "hwcore/qdev.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "util/error.h"

#define TYPE_I2C_BUS "i2c-bus"
#define TYPE_I2C_TARGET "i2c-target"

/* 7-bit addresses; the I2C specification reserves 0x00..0x07 (general
 * call, CBUS, high-speed master codes) and 0x78..0x7f (10-bit addressing,
 * device ID), so targets sit at I2C_ADDR_FIRST..I2C_ADDR_LAST. */
typedef enum I2CAddressLimits {
    I2C_ADDR_FIRST = 0x08,
    I2C_ADDR_LAST = 0x77,
    I2C_NUM_ADDRS = 0x80,
} I2CAddressLimits;

/* What a target is told besides data bytes. */
typedef enum I2CEvent {
    I2C_EVENT_START_WRITE, /* addressed (start or repeated start), write */
    I2C_EVENT_START_READ,  /* addressed (start or repeated start), read */
    I2C_EVENT_STOP,        /* a stop ended the transfer it was part of */
} I2CEvent;

/* Where the bus is in a transfer. */
typedef enum I2CBusPhase {
    I2C_PHASE_IDLE,      /* no transfer: between a stop and the next start */
    I2C_PHASE_WRITE,     /* a target acknowledged its address for a write */
    I2C_PHASE_READ,      /* a target acknowledged its address for a read */
    I2C_PHASE_NO_TARGET, /* started, but nothing acknowledged the address:
                          * bytes are NACKed and read as 0xff until the
                          * next start or stop */
} I2CBusPhase;

typedef struct I2CBus I2CBus;
typedef struct I2CTarget I2CTarget;
typedef struct I2CTargetClass I2CTargetClass;

/* The transfer in progress: all a snapshot needs of the bus (the targets
 * are found again by address).  A controller saves it as part of its own
 * section with vmstate_i2c_transfer (i2c_bus_get_transfer in pre_save,
 * i2c_bus_set_transfer in post_load). */
typedef struct I2CTransfer {
    uint8_t phase;   /* I2CBusPhase */
    uint8_t address; /* of the started transfer; 0 when idle */
} I2CTransfer;

extern const VMStateDescription vmstate_i2c_transfer;

struct I2CBus {
    Object parent_obj;
    I2CTransfer xfer;
    /* The realized targets, by address (NULL: none there). */
    I2CTarget *targets[I2C_NUM_ADDRS];
};

#define I2C_BUS(obj) OBJECT_CHECK(I2CBus, (obj), TYPE_I2C_BUS)

/* A new bus (refcount 1), for a controller to make its child. */
I2CBus *i2c_bus_new(Error **errp);

/* A start (or, during a transfer, a repeated start) addressed to address
 * (0..0x7f), for a read or a write.  Returns true when a target
 * acknowledged: it then gets I2C_EVENT_START_READ/WRITE, and may still
 * refuse it by returning false from its event hook. */
bool i2c_bus_start(I2CBus *bus, uint8_t address, bool read);
/* The controller sends byte; true when the addressed write target
 * acknowledged it.  Outside a write transfer nothing acknowledges. */
bool i2c_bus_send(I2CBus *bus, uint8_t byte);
/* The controller reads a byte from the addressed read target; outside a
 * read transfer nobody drives the line and it reads 0xff. */
uint8_t i2c_bus_recv(I2CBus *bus);
/* A stop: the addressed target (if any) gets I2C_EVENT_STOP; the bus is
 * idle again.  A stop on an idle bus does nothing. */
void i2c_bus_stop(I2CBus *bus);
/* Between a start and a stop. */
bool i2c_bus_busy(const I2CBus *bus);
/* The target at address, or NULL. */
I2CTarget *i2c_bus_find(const I2CBus *bus, uint8_t address);
/* Reset to idle without telling any target (board reset: the targets are
 * reset themselves). */
void i2c_bus_reset(I2CBus *bus);

/* Migration: copy the transfer out, and put a loaded one back.  Setting
 * fails, with the bus unchanged, for a phase or address the bus cannot be
 * in (a write or read phase needs a target at the address). */
void i2c_bus_get_transfer(const I2CBus *bus, I2CTransfer *out);
bool i2c_bus_set_transfer(I2CBus *bus, const I2CTransfer *xfer, Error **errp);

/* ---------------------------------------------------------------------- */
/* Targets                                                                 */

/* The hooks a target type fills in its class_init.  event returns false to
 * NACK its address; send returns false to NACK a byte. */
typedef bool I2CTargetEvent(I2CTarget *target, I2CEvent event);
typedef bool I2CTargetSend(I2CTarget *target, uint8_t byte);
typedef uint8_t I2CTargetRecv(I2CTarget *target);

struct I2CTargetClass {
    DeviceClass parent_class;
    /* The address property's default. */
    uint8_t default_address;
    I2CTargetEvent *event; /* NULL: every address phase is acknowledged */
    I2CTargetSend *send;   /* NULL: every byte is NACKed */
    I2CTargetRecv *recv;   /* NULL: reads 0xff */
    /* The subtype's own realize, run after the address was checked and
     * before the target joins the bus (DeviceClass.realize is the
     * target's, which calls this one). */
    DeviceRealize *realize;
    DeviceUnrealize *unrealize;
};

struct I2CTarget {
    DeviceState parent_obj;
    /* Properties. */
    uint8_t address; /* "address" */
    I2CBus *bus;     /* "bus": link to the bus it sits on */
};

#define I2C_TARGET(obj) OBJECT_CHECK(I2CTarget, (obj), TYPE_I2C_TARGET)
#define I2C_TARGET_GET_CLASS(obj)                                              \
    OBJECT_GET_CLASS(I2CTargetClass, (obj), TYPE_I2C_TARGET)
#define I2C_TARGET_CLASS(klass)                                                \
    ((I2CTargetClass *)object_class_dynamic_cast(OBJECT_CLASS(klass),          \
                                                 TYPE_I2C_TARGET))

#endif /* RIVET_I2C_I2C_H */

/*
 * PCM audio playback: a sample FIFO the guest fills, played on the virtual
 * clock to an -audiodev backend (docs/audio.md).  rivet's own programming
 * model (there is no datasheet to follow), small enough for a bare-metal
 * guest to drive from an interrupt handler:
 *
 *   0x00 ID         read-only, PCM_ID_VALUE
 *   0x04 CTRL       bit 0 ENABLE (play), bit 1 IRQ_ENABLE
 *   0x08 RATE       frames per second, 1000..192000 (reset 8000)
 *   0x0c CHANNELS   1 or 2 (reset 1); RATE and CHANNELS are fixed while
 *                   ENABLE is set (writes then are logged and ignored)
 *   0x10 DATA       write-only: a write queues its low 16 bits, one signed
 *                   sample (frames are CHANNELS samples, interleaved);
 *                   a write to a full FIFO is dropped and logged
 *   0x14 LEVEL      read-only, samples queued (0..PCM_FIFO_SIZE)
 *   0x18 THRESHOLD  the interrupt asks for samples while LEVEL < THRESHOLD
 *                   (0..PCM_FIFO_SIZE, reset PCM_FIFO_SIZE / 2)
 *   0x1c STATUS     read-only: bit 0 LOW (LEVEL < THRESHOLD), bit 1 IRQ
 *                   (the output line)
 *   0x20 UNDERRUN   frames played as silence because the FIFO held less
 *                   than a frame; a write sets it to 0
 *   0x24 FIFO_SIZE  read-only, PCM_FIFO_SIZE
 *   0x28 FRAMES     read-only, frames played since ENABLE was set (low
 *                   32 bits)
 *
 * While ENABLE is set the device plays RATE frames per second of virtual
 * time, taking them from the FIFO every PCM_PERIOD_NS: by the instant t
 * after enabling it has played exactly floor(t * RATE / 1e9) frames, so
 * the stream is the same on every run and across a snapshot.  The
 * interrupt output is ENABLE && IRQ_ENABLE && LOW (level-triggered).
 * Registers are 32 bits wide; other sizes and offsets are logged
 * (-d guest_errors) and read as 0.
 *
 * Property audiodev=ID: the -audiodev that hears the frames (without one
 * they are played to nobody, in time all the same).
 *
 * Sysbus: MMIO region 0 (PCM_MMIO_SIZE), IRQ output 0.
 */
#ifndef RIVET_HW_AUDIO_PCM_H
#define RIVET_HW_AUDIO_PCM_H

#include <stdint.h>

#include "audio/audio.h"
#include "hwcore/sysbus.h"
#include "util/vclock.h"

#define TYPE_PCM "pcm"

/* Register offsets. */
typedef enum PcmRegister {
    PCM_ID = 0x00,
    PCM_CTRL = 0x04,
    PCM_RATE = 0x08,
    PCM_CHANNELS = 0x0c,
    PCM_DATA = 0x10,
    PCM_LEVEL = 0x14,
    PCM_THRESHOLD = 0x18,
    PCM_STATUS = 0x1c,
    PCM_UNDERRUN = 0x20,
    PCM_FIFO_SIZE_REG = 0x24,
    PCM_FRAMES = 0x28,
} PcmRegister;

typedef enum PcmConstants {
    PCM_ID_VALUE = 0x50434d31, /* "PCM1" */
    PCM_CTRL_ENABLE = 1u << 0,
    PCM_CTRL_IRQ_ENABLE = 1u << 1,
    PCM_STATUS_LOW = 1u << 0,
    PCM_STATUS_IRQ = 1u << 1,
    PCM_FIFO_SIZE = 1024,
    PCM_CHANNELS_MAX = 2,
    PCM_RATE_RESET = 8000,
    PCM_MMIO_SIZE = 0x1000,
} PcmConstants;

/* How often the device takes frames from the FIFO (1 ms). */
#define PCM_PERIOD_NS 1000000

typedef struct PcmState {
    SysBusDevice parent_obj;
    MemoryRegion iomem;
    IRQ irq;
    Timer timer;
    char *audiodev_id;  /* property audiodev */
    AudioDev *audiodev; /* NULL: no -audiodev hears it */

    /* Guest-visible state, saved by vmstate_pcm. */
    uint32_t ctrl;
    uint32_t rate;
    uint32_t channels;
    uint32_t threshold;
    uint32_t underrun;
    uint16_t fifo[PCM_FIFO_SIZE];
    uint32_t head;    /* index of the oldest sample */
    uint32_t level;   /* samples queued */
    int64_t start_ns; /* when ENABLE was set */
    uint64_t played;  /* frames played since then */
} PcmState;

#define PCM(obj) OBJECT_CHECK(PcmState, (obj), TYPE_PCM)

extern const VMStateDescription vmstate_pcm;

#endif /* RIVET_HW_AUDIO_PCM_H */

/*
 * PCM playback self-test: plays 300 ms of a known stereo waveform at
 * 8000 Hz (a 200 Hz triangle on the left, a 250 Hz square on the right,
 * integer arithmetic only), refilling the FIFO from the FIFO-low interrupt
 * through the PLIC (source PCM_IRQ of the board table), then checks that
 * every frame was played in time.  The functional tests compare the
 * -audiodev's output with the same waveform computed on the host
 * (tests/functional/audio.py): keep the two in step.
 */
#include <stdint.h>

#include "check.h"
#include "csr.h"
#include "machine/virt-map.h"
#include "mmio.h"
#include "plic.h"
#include "uart.h"
#include "wait.h"

#define REG_ID 0x00
#define REG_CTRL 0x04
#define REG_RATE 0x08
#define REG_CHANNELS 0x0c
#define REG_DATA 0x10
#define REG_LEVEL 0x14
#define REG_THRESHOLD 0x18
#define REG_UNDERRUN 0x20
#define REG_FIFO_SIZE 0x24
#define REG_FRAMES 0x28
#define ID_VALUE 0x50434d31
#define CTRL_ENABLE 1u
#define CTRL_IRQ_ENABLE 2u

#define RATE 8000
#define CHANNELS 2
#define TOTAL_FRAMES 2400 /* 300 ms */
#define TRIANGLE_PERIOD 40
#define TRIANGLE_STEP 800 /* -8000 up to 8000 and back */
#define SQUARE_HALF 16
#define SQUARE_LEVEL 4000
#define REFILL_THRESHOLD 256

static uint32_t reg_read(uintptr_t reg)
{
    return mmio_read32(VIRT_PCM_BASE + reg);
}

static void reg_write(uintptr_t reg, uint32_t value)
{
    mmio_write32(VIRT_PCM_BASE + reg, value);
}

/* Sample `channel` of frame n of the waveform. */
static int32_t waveform(uint32_t n, uint32_t channel)
{
    if (channel == 0) {
        uint32_t phase = n % TRIANGLE_PERIOD;
        return phase < TRIANGLE_PERIOD / 2
                   ? -8000 + (int32_t)phase * TRIANGLE_STEP
                   : 8000 -
                         (int32_t)(phase - TRIANGLE_PERIOD / 2) * TRIANGLE_STEP;
    }
    return (n / SQUARE_HALF) % 2 ? SQUARE_LEVEL : -SQUARE_LEVEL;
}

static uint32_t fifo_size;
static uint32_t next_sample; /* of TOTAL_FRAMES * CHANNELS */
static volatile uint32_t refills;
static volatile uint32_t finished;

/* Fills the FIFO up to its size or the end of the waveform. */
static void refill(void)
{
    uint32_t room = fifo_size - reg_read(REG_LEVEL);
    while (room-- > 0 && next_sample < TOTAL_FRAMES * CHANNELS) {
        uint32_t frame = next_sample / CHANNELS;
        uint32_t channel = next_sample % CHANNELS;
        reg_write(REG_DATA, (uint32_t)waveform(frame, channel) & 0xffff);
        next_sample++;
    }
}

/* FIFO low: refill; once everything is queued, wait for the FIFO to be
 * empty (threshold 1), then stop. */
static void pcm_irq(unsigned src)
{
    (void)src;
    refills++;
    if (next_sample < TOTAL_FRAMES * CHANNELS) {
        refill();
        if (next_sample == TOTAL_FRAMES * CHANNELS) {
            reg_write(REG_THRESHOLD, 1);
        }
    } else if (reg_read(REG_LEVEL) == 0) {
        reg_write(REG_CTRL, 0);
        finished = 1;
    }
}

int main(void)
{
    uart_init(false);
    print("pcm test\n");
    check_eq("ID register", reg_read(REG_ID), ID_VALUE);
    fifo_size = reg_read(REG_FIFO_SIZE);
    check_eq("FIFO size", fifo_size, 1024);

    reg_write(REG_RATE, RATE);
    reg_write(REG_CHANNELS, CHANNELS);
    reg_write(REG_THRESHOLD, REFILL_THRESHOLD);
    refill();
    check_eq("the FIFO is full before playing", reg_read(REG_LEVEL), fifo_size);

    plic_set_priority(VIRT_PCM_IRQ, 1);
    plic_set_threshold(0);
    plic_set_handler(VIRT_PCM_IRQ, pcm_irq);
    plic_enable(VIRT_PCM_IRQ);
    csr_set(mie, MIP_MEIP);
    reg_write(REG_CTRL, CTRL_ENABLE | CTRL_IRQ_ENABLE);
    /* 300 ms of sound; the watchdog allows a second. */
    check_true("the waveform was played to the end",
               wait_for_count(&finished, 1, 1000000));
    csr_clear(mie, MIP_MEIP);
    plic_disable(VIRT_PCM_IRQ);

    check_eq("every frame was played", reg_read(REG_FRAMES), TOTAL_FRAMES);
    check_eq("no underrun", reg_read(REG_UNDERRUN), 0);
    check_true("the FIFO was refilled from its interrupt", refills >= 4);
    return check_summary("pcm");
}

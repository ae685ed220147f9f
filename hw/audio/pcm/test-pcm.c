/*
 * PCM playback device unit tests: the registers, the FIFO, playing on
 * the virtual clock (exact frame counts, underrun as silence), the
 * FIFO-low interrupt, the audiodev it plays to, reset.
 */
#include "hw/audio/pcm/pcm.h"
#include "hw/hw-test.h"

#define MS 1000000LL

static DeviceState *pcm_setup(IrqProbe *irq)
{
    DeviceState *dev = hw_test_create(TYPE_PCM);
    irq_probe_attach(irq, dev, 0);
    return dev;
}

static void push(DeviceState *dev, unsigned n, int first)
{
    for (unsigned i = 0; i < n; i++) {
        wr32(dev, PCM_DATA, (uint32_t)(first + (int)i) & 0xffff);
    }
}

UNIT_TEST(reset_values)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    CHECK_EQ_U64(rd32(dev, PCM_ID), PCM_ID_VALUE);
    CHECK_EQ_U64(rd32(dev, PCM_CTRL), 0);
    CHECK_EQ_U64(rd32(dev, PCM_RATE), 8000);
    CHECK_EQ_U64(rd32(dev, PCM_CHANNELS), 1);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 0);
    CHECK_EQ_U64(rd32(dev, PCM_THRESHOLD), PCM_FIFO_SIZE / 2);
    CHECK_EQ_U64(rd32(dev, PCM_STATUS), PCM_STATUS_LOW);
    CHECK_EQ_U64(rd32(dev, PCM_FIFO_SIZE_REG), PCM_FIFO_SIZE);
    CHECK_EQ_I64(irq.level, 0);
    hw_test_destroy(dev);
}

UNIT_TEST(fifo_fills_and_drops_when_full)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    push(dev, 10, 0);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 10);
    push(dev, PCM_FIFO_SIZE, 0);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), PCM_FIFO_SIZE);
    CHECK_EQ_U64(rd32(dev, PCM_STATUS), 0);
    hw_test_destroy(dev);
}

UNIT_TEST(plays_rate_frames_per_second_of_virtual_time)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    wr32(dev, PCM_RATE, 44100);
    push(dev, 1000, 0);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE);
    advance_to(1 * MS);
    CHECK_EQ_U64(rd32(dev, PCM_FRAMES), 44); /* floor(44.1) */
    advance_to(10 * MS);
    CHECK_EQ_U64(rd32(dev, PCM_FRAMES), 441);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 1000 - 441);
    CHECK_EQ_U64(rd32(dev, PCM_UNDERRUN), 0);
    /* Stopping between periods plays what was due until then. */
    advance_to(10 * MS + MS / 2);
    wr32(dev, PCM_CTRL, 0);
    CHECK_EQ_U64(rd32(dev, PCM_FRAMES), 463); /* floor(10.5 ms * 44.1) */
    advance_to(20 * MS);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 1000 - 463);
    hw_test_destroy(dev);
}

UNIT_TEST(format_is_fixed_while_playing_and_range_checked)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    wr32(dev, PCM_RATE, 999);
    wr32(dev, PCM_CHANNELS, 3);
    CHECK_EQ_U64(rd32(dev, PCM_RATE), 8000);
    CHECK_EQ_U64(rd32(dev, PCM_CHANNELS), 1);
    wr32(dev, PCM_CHANNELS, 2);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE);
    wr32(dev, PCM_RATE, 16000);
    wr32(dev, PCM_CHANNELS, 1);
    CHECK_EQ_U64(rd32(dev, PCM_RATE), 8000);
    CHECK_EQ_U64(rd32(dev, PCM_CHANNELS), 2);
    hw_test_destroy(dev);
}

UNIT_TEST(underrun_plays_silence_and_counts_frames)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    wr32(dev, PCM_CHANNELS, 2);
    push(dev, 5, 1); /* two frames and half of one */
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE);
    advance_to(1 * MS);
    CHECK_EQ_U64(rd32(dev, PCM_FRAMES), 8);
    CHECK_EQ_U64(rd32(dev, PCM_UNDERRUN), 6);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 1); /* the half frame waits */
    wr32(dev, PCM_UNDERRUN, 123);
    CHECK_EQ_U64(rd32(dev, PCM_UNDERRUN), 0);
    hw_test_destroy(dev);
}

UNIT_TEST(interrupt_asks_for_samples_below_the_threshold)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    wr32(dev, PCM_THRESHOLD, 95);
    push(dev, 100, 0);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE | PCM_CTRL_IRQ_ENABLE);
    CHECK_EQ_I64(irq.level, 0);
    advance_to(1 * MS); /* 8 frames: 92 left */
    CHECK_EQ_I64(irq.level, 1);
    CHECK_EQ_U64(rd32(dev, PCM_STATUS), PCM_STATUS_LOW | PCM_STATUS_IRQ);
    push(dev, 10, 0);
    CHECK_EQ_I64(irq.level, 0);
    CHECK_EQ_U64(rd32(dev, PCM_STATUS), 0);
    advance_to(2 * MS);
    CHECK_EQ_I64(irq.level, 1);
    CHECK_EQ_I64(irq.last_rise_ns, 2 * MS);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE); /* masked */
    CHECK_EQ_I64(irq.level, 0);
    CHECK_EQ_U64(rd32(dev, PCM_STATUS), PCM_STATUS_LOW);
    wr32(dev, PCM_CTRL, PCM_CTRL_IRQ_ENABLE); /* stopped: no request */
    CHECK_EQ_I64(irq.level, 0);
    hw_test_destroy(dev);
}

UNIT_TEST(frames_go_to_the_audiodev)
{
    Error *err = NULL;
    CHECK(audiodev_add("none,id=snd", &err));
    CHECK(audiodev_open_all(&err));
    vclock_reset();
    DeviceState *dev = hw_test_new(TYPE_PCM);
    CHECK(object_property_set_str(OBJECT(dev), "audiodev", "snd", &err));
    hw_test_realize(dev);
    wr32(dev, PCM_RATE, 16000);
    wr32(dev, PCM_CHANNELS, 2);
    push(dev, 64, 0);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE);
    advance_to(3 * MS);
    AudioDev *snd = audiodev_find("snd");
    CHECK_EQ_U64(audiodev_frames(snd), 48);
    CHECK_EQ_U64(audiodev_format(snd)->rate, 16000);
    CHECK_EQ_U64(audiodev_format(snd)->channels, 2);
    hw_test_destroy(dev);
    CHECK(audiodev_close_all(true));
}

UNIT_TEST(an_absent_audiodev_is_refused_at_realize)
{
    vclock_reset();
    DeviceState *dev = hw_test_new(TYPE_PCM);
    Error *err = NULL;
    CHECK(object_property_set_str(OBJECT(dev), "audiodev", "nope", &err));
    CHECK(!device_realize(dev, &err));
    CHECK_STREQ(error_get_message(err),
                "pcm: audiodev 'nope' does not exist (give -audiodev "
                "TYPE,id=nope)");
    error_free(err);
    object_unref(OBJECT(dev));
}

UNIT_TEST(bad_accesses_read_zero_and_change_nothing)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    push(dev, 3, 0);
    CHECK_EQ_U64(mmio_read(dev, PCM_LEVEL, 1), 0);
    CHECK_EQ_U64(rd32(dev, PCM_DATA), 0);
    CHECK_EQ_U64(rd32(dev, 0x40), 0);
    mmio_write(dev, PCM_DATA, 7, 2);
    wr32(dev, PCM_LEVEL, 7);
    wr32(dev, 0x40, 7);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 3);
    hw_test_destroy(dev);
}

UNIT_TEST(reset_stops_and_empties)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    wr32(dev, PCM_THRESHOLD, 1000);
    push(dev, 20, 0);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE | PCM_CTRL_IRQ_ENABLE);
    CHECK_EQ_I64(irq.level, 1);
    device_reset(dev);
    CHECK_EQ_I64(irq.level, 0);
    CHECK_EQ_U64(rd32(dev, PCM_CTRL), 0);
    CHECK_EQ_U64(rd32(dev, PCM_LEVEL), 0);
    CHECK(!timer_pending(&PCM(dev)->timer));
    hw_test_destroy(dev);
}

UNIT_TEST(a_loaded_position_is_at_most_a_period_behind)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    PcmState *s = PCM(dev);
    Error *err = NULL;
    push(dev, 16, 0);
    wr32(dev, PCM_CTRL, PCM_CTRL_ENABLE);
    advance_to(5 * MS + MS / 2);
    CHECK(vmstate_pcm.post_load(s, 1, &err)); /* a real position */
    /* A stream claiming ten seconds unplayed would have the next tick
     * play 80000 frames at once. */
    advance_to(10000 * MS);
    s->start_ns = 0;
    s->played = 0;
    CHECK(!vmstate_pcm.post_load(s, 1, &err));
    CHECK(strstr(error_get_message(err), "more than one period holds"));
    error_free(err);
    hw_test_destroy(dev);
}

UNIT_TEST(registers_property_shows_the_state)
{
    IrqProbe irq;
    DeviceState *dev = pcm_setup(&irq);
    push(dev, 2, 0);
    char *text =
        object_property_get_str(OBJECT(dev), DEVICE_PROP_REGISTERS, NULL);
    CHECK_STREQ(text, "id=0x50434d31 ctrl=0x0 rate=8000 channels=1 level=2 "
                      "threshold=512 status=0x1 underrun=0 frames=0");
    free(text);
    hw_test_destroy(dev);
}

int main(void)
{
    return unit_run_all();
}

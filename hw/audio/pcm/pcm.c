/*
 * PCM audio playback (pcm.h): a sample FIFO the guest fills, played on the
 * virtual clock to an -audiodev backend, with a FIFO-low interrupt.
 */
#include "hw/audio/pcm/pcm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "probes/pcm.h"
#include "util/log.h"

#define NS_PER_SECOND 1000000000ull

static bool pcm_enabled(const PcmState *s)
{
    return s->ctrl & PCM_CTRL_ENABLE;
}

static bool pcm_low(const PcmState *s)
{
    return s->level < s->threshold;
}

static void pcm_update_irq(PcmState *s)
{
    int level = pcm_enabled(s) && (s->ctrl & PCM_CTRL_IRQ_ENABLE) && pcm_low(s);
    if (level != irq_get_level(s->irq)) {
        probe_pcm_irq((uint32_t)level);
    }
    irq_set(s->irq, level);
}

/* Frames due elapsed_ns after the start: floor(elapsed * rate / 1e9),
 * computed without overflow for any time a 64-bit clock can hold. */
static uint64_t pcm_frames_at(uint64_t elapsed_ns, uint32_t rate)
{
    return elapsed_ns / NS_PER_SECOND * rate +
           elapsed_ns % NS_PER_SECOND * rate / NS_PER_SECOND;
}

/* Plays every frame due by now: from the FIFO while it holds a whole
 * frame, silence (counted in UNDERRUN) when it does not. */
static void pcm_play_due(PcmState *s)
{
    uint64_t due =
        pcm_frames_at(vclock_ns_between(s->start_ns, vclock_get_ns()),
                      s->rate) -
        s->played;
    uint32_t short_frames = 0;
    int16_t buf[256];
    const uint64_t chunk = sizeof(buf) / sizeof(buf[0]) / s->channels;
    for (uint64_t done = 0; done < due;) {
        uint64_t n = due - done < chunk ? due - done : chunk;
        for (uint64_t f = 0; f < n; f++) {
            bool whole = s->level >= s->channels;
            for (uint32_t c = 0; c < s->channels; c++) {
                int16_t sample = 0;
                if (whole) {
                    sample = (int16_t)s->fifo[s->head];
                    s->head = (s->head + 1) % PCM_FIFO_SIZE;
                    s->level--;
                }
                buf[f * s->channels + c] = sample;
            }
            short_frames += !whole;
        }
        if (s->audiodev) {
            audiodev_write(s->audiodev, buf, (size_t)n);
        }
        done += n;
    }
    s->played += due;
    if (short_frames) {
        s->underrun = s->underrun > UINT32_MAX - short_frames
                          ? UINT32_MAX
                          : s->underrun + short_frames;
        probe_pcm_underrun(short_frames, s->underrun);
    }
    probe_pcm_period((uint32_t)due, s->level);
    pcm_update_irq(s);
}

/* The next period boundary after now, counted from the start. */
static void pcm_schedule(PcmState *s)
{
    uint64_t elapsed = vclock_ns_between(s->start_ns, vclock_get_ns());
    timer_mod(&s->timer,
              vclock_ns_after(s->start_ns,
                              (elapsed / PCM_PERIOD_NS + 1) * PCM_PERIOD_NS));
}

static void pcm_timer_expired(void *opaque)
{
    PcmState *s = opaque;
    pcm_play_due(s);
    pcm_schedule(s);
}

/* The backend hears the stream from here on (a no-op once started with
 * the same format).  Its failure is the host's, reported as lost output;
 * the guest plays on in time. */
static void pcm_start_stream(PcmState *s)
{
    if (!s->audiodev) {
        return;
    }
    const AudioFormat fmt = {.rate = s->rate, .channels = s->channels};
    Error *err = NULL;
    if (!audiodev_start(s->audiodev, &fmt, &err)) {
        error_report_err_output_lost(err);
    }
}

static void pcm_write_ctrl(PcmState *s, uint32_t v)
{
    bool was = pcm_enabled(s);
    bool now = v & PCM_CTRL_ENABLE;
    if (was && !now) {
        pcm_play_due(s); /* what was due before the stop is played */
        timer_del(&s->timer);
        probe_pcm_stop(s->played);
    }
    s->ctrl = v & (PCM_CTRL_ENABLE | PCM_CTRL_IRQ_ENABLE);
    if (!was && now) {
        s->start_ns = vclock_get_ns();
        s->played = 0;
        probe_pcm_start(s->rate, s->channels);
        pcm_start_stream(s);
        pcm_schedule(s);
    }
    pcm_update_irq(s);
}

static uint32_t pcm_status(const PcmState *s)
{
    return (pcm_low(s) ? PCM_STATUS_LOW : 0) |
           (irq_get_level(s->irq) ? PCM_STATUS_IRQ : 0);
}

static uint64_t pcm_read(void *opaque, hwaddr addr, unsigned size)
{
    PcmState *s = opaque;
    uint64_t value = 0;

    if (size != 4) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pcm: bad read offset=0x%03" PRIx64 " size=%u", addr, size);
    } else {
        switch (addr) {
        case PCM_ID:
            value = PCM_ID_VALUE;
            break;
        case PCM_CTRL:
            value = s->ctrl;
            break;
        case PCM_RATE:
            value = s->rate;
            break;
        case PCM_CHANNELS:
            value = s->channels;
            break;
        case PCM_LEVEL:
            value = s->level;
            break;
        case PCM_THRESHOLD:
            value = s->threshold;
            break;
        case PCM_STATUS:
            value = pcm_status(s);
            break;
        case PCM_UNDERRUN:
            value = s->underrun;
            break;
        case PCM_FIFO_SIZE_REG:
            value = PCM_FIFO_SIZE;
            break;
        case PCM_FRAMES:
            value = (uint32_t)s->played;
            break;
        default: /* DATA is write-only */
            log_item(LOG_ITEM_GUEST_ERROR,
                     "pcm: bad read offset=0x%03" PRIx64 " size=%u", addr,
                     size);
            break;
        }
    }
    probe_pcm_read(addr, size, value);
    return value;
}

/* RATE and CHANNELS: refused while playing and out of range. */
static void pcm_write_format(PcmState *s, uint32_t *field, const char *name,
                             uint32_t v, uint32_t min, uint32_t max)
{
    if (pcm_enabled(s)) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pcm: %s=%" PRIu32 " ignored while playing", name, v);
    } else if (v < min || v > max) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pcm: %s=%" PRIu32 " ignored (%" PRIu32 "..%" PRIu32 ")", name,
                 v, min, max);
    } else {
        *field = v;
    }
}

static void pcm_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    PcmState *s = opaque;
    uint32_t v = (uint32_t)value;

    probe_pcm_write(addr, size, value);
    if (size != 4 || addr % 4 || addr > PCM_FRAMES) {
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pcm: bad write offset=0x%03" PRIx64 " size=%u", addr, size);
        return;
    }
    switch (addr) {
    case PCM_CTRL:
        pcm_write_ctrl(s, v);
        return;
    case PCM_RATE:
        pcm_write_format(s, &s->rate, "RATE", v, AUDIO_RATE_MIN,
                         AUDIO_RATE_MAX);
        break;
    case PCM_CHANNELS:
        pcm_write_format(s, &s->channels, "CHANNELS", v, 1, PCM_CHANNELS_MAX);
        break;
    case PCM_DATA:
        if (s->level == PCM_FIFO_SIZE) {
            log_item(LOG_ITEM_GUEST_ERROR, "pcm: DATA write to a full FIFO");
            break;
        }
        s->fifo[(s->head + s->level) % PCM_FIFO_SIZE] = (uint16_t)v;
        s->level++;
        break;
    case PCM_THRESHOLD:
        s->threshold = v > PCM_FIFO_SIZE ? PCM_FIFO_SIZE : v;
        break;
    case PCM_UNDERRUN:
        s->underrun = 0;
        break;
    default: /* the read-only registers */
        log_item(LOG_ITEM_GUEST_ERROR,
                 "pcm: write to read-only offset=0x%03" PRIx64, addr);
        return;
    }
    pcm_update_irq(s);
}

static const MemoryRegionOps pcm_ops = {
    .read = pcm_read,
    .write = pcm_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Every size reaches the callbacks, which log the ones the device
     * does not decode instead of faulting the guest. */
    .valid = {.min_access_size = 1, .max_access_size = 8},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static void pcm_reset(DeviceState *dev)
{
    PcmState *s = PCM(dev);
    timer_del(&s->timer);
    s->ctrl = 0;
    s->rate = PCM_RATE_RESET;
    s->channels = 1;
    s->threshold = PCM_FIFO_SIZE / 2;
    s->underrun = 0;
    s->head = 0;
    s->level = 0;
    s->start_ns = 0;
    s->played = 0;
    pcm_update_irq(s);
}

static bool pcm_realize(DeviceState *dev, Error **errp)
{
    PcmState *s = PCM(dev);
    if (!s->audiodev_id || !*s->audiodev_id) {
        return true;
    }
    s->audiodev = audiodev_find(s->audiodev_id);
    if (!s->audiodev) {
        error_setg(errp,
                   "pcm: audiodev '%s' does not exist (give -audiodev "
                   "TYPE,id=%s)",
                   s->audiodev_id, s->audiodev_id);
        return false;
    }
    return true;
}

static void pcm_instance_init(Object *obj)
{
    PcmState *s = PCM(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &pcm_ops, s, "pcm", PCM_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    timer_init(&s->timer, pcm_timer_expired, s);
}

static void pcm_instance_finalize(Object *obj)
{
    PcmState *s = PCM(obj);
    timer_del(&s->timer);
    memory_region_destroy(&s->iomem);
}

/* The DEVICE_PROP_REGISTERS text (-d dev_regs). */
static bool pcm_get_registers(Object *obj, ObjectProperty *prop, PropValue *out,
                              Error **errp)
{
    const PcmState *s = PCM(obj);
    (void)prop;
    if (asprintf(&out->s,
                 "id=0x%x ctrl=0x%" PRIx32 " rate=%" PRIu32 " channels=%" PRIu32
                 " level=%" PRIu32 " threshold=%" PRIu32 " status=0x%" PRIx32
                 " underrun=%" PRIu32 " frames=%" PRIu32,
                 (unsigned)PCM_ID_VALUE, s->ctrl, s->rate, s->channels,
                 s->level, s->threshold, pcm_status(s), s->underrun,
                 (uint32_t)s->played) < 0) {
        out->s = NULL;
        error_setg(errp, "pcm: out of memory rendering the registers");
        return false;
    }
    return true;
}

/* A loaded state is one the device could have reached; a playing device
 * starts its stream again (the backend of this run hears the rest). */
static bool pcm_post_load(void *opaque, int version_id, Error **errp)
{
    PcmState *s = opaque;
    (void)version_id;
    if (s->rate < AUDIO_RATE_MIN || s->rate > AUDIO_RATE_MAX) {
        error_setg(errp, "field 'rate': %" PRIu32 " is outside %d..%d", s->rate,
                   AUDIO_RATE_MIN, AUDIO_RATE_MAX);
        return false;
    }
    if (s->channels < 1 || s->channels > PCM_CHANNELS_MAX) {
        error_setg(errp, "field 'channels': %" PRIu32 " is outside 1..%d",
                   s->channels, PCM_CHANNELS_MAX);
        return false;
    }
    if (s->start_ns < 0 || s->start_ns > vclock_get_ns() ||
        s->played >
            pcm_frames_at(vclock_ns_between(s->start_ns, vclock_get_ns()),
                          s->rate)) {
        error_setg(errp,
                   "fields 'start_ns', 'played': %" PRIu64
                   " frames played since %" PRId64
                   " ns is more than the time allows",
                   s->played, s->start_ns);
        return false;
    }
    /* Playing, the device is never more than a period behind: a stream
     * saying otherwise would have the next tick play (and loop over)
     * whatever it claims. */
    uint64_t due =
        pcm_frames_at(vclock_ns_between(s->start_ns, vclock_get_ns()),
                      s->rate) -
        s->played;
    if (pcm_enabled(s) && due > pcm_frames_at(PCM_PERIOD_NS, s->rate) + 1) {
        error_setg(errp,
                   "fields 'start_ns', 'played': %" PRIu64
                   " frames due, more than one period holds",
                   due);
        return false;
    }
    if (pcm_enabled(s)) {
        pcm_start_stream(s);
    }
    pcm_update_irq(s);
    return true;
}

/* Migration: the registers, the FIFO and the playing position with its
 * timer, so the stream goes on at exactly the frame it would have.  The
 * interrupt output follows from them (the PLIC saves what it last saw). */
static const VMStateField pcm_fields[] = {
    VMSTATE_UINT32_CHECKED(ctrl, PcmState,
                           PCM_CTRL_ENABLE | PCM_CTRL_IRQ_ENABLE, 0),
    VMSTATE_UINT32(rate, PcmState),
    VMSTATE_UINT32(channels, PcmState),
    VMSTATE_UINT32_CHECKED(threshold, PcmState, 0, PCM_FIFO_SIZE),
    VMSTATE_UINT32(underrun, PcmState),
    VMSTATE_ARRAY(fifo, PcmState, VMS_TYPE_UINT16),
    VMSTATE_UINT32_CHECKED(head, PcmState, 0, PCM_FIFO_SIZE - 1),
    VMSTATE_UINT32_CHECKED(level, PcmState, 0, PCM_FIFO_SIZE),
    VMSTATE_INT64(start_ns, PcmState),
    VMSTATE_UINT64(played, PcmState),
    VMSTATE_TIMER(timer, PcmState),
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_pcm = {
    .name = "pcm",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = pcm_fields,
    .post_load = pcm_post_load,
};

static const Property pcm_props[] = {
    DEFINE_PROP_STRING("audiodev", PcmState, audiodev_id),
    DEFINE_PROP_END_OF_LIST(),
};

static void pcm_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    (void)data;

    dc->desc = "PCM audio playback: a sample FIFO the guest fills, played on "
               "the virtual clock to an -audiodev backend";
    dc->reset = pcm_reset;
    dc->realize = pcm_realize;
    dc->vmsd = &vmstate_pcm;
    device_class_set_props(dc, pcm_props);
    object_class_property_add(klass, DEVICE_PROP_REGISTERS, PROP_TYPE_STRING,
                              pcm_get_registers, NULL, NULL,
                              "guest-visible registers (read-only)");
}

static const TypeInfo pcm_info = {
    .name = TYPE_PCM,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(PcmState),
    .class_init = pcm_class_init,
    .instance_init = pcm_instance_init,
    .instance_finalize = pcm_instance_finalize,
};

/* Registered before main(); hw_dep links the device library whole so the
 * constructor is never dropped by the static linker. */
__attribute__((constructor)) static void pcm_register_types(void)
{
    type_register_static(&pcm_info);
}

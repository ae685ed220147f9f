//! Unit tests of the virtio-mmio transport's register model (VIRTIO 1.2,
//! 4.2.2 and the initialisation sequence of 3.1.1).

use crate::model::{
    reg, status, Action, DeviceInfo, VirtioMmioRegs, F_VERSION_1, INT_USED_BUFFER, MAGIC_VALUE,
    QUEUE_NUM_MAX, VENDOR_ID,
};

/// A device offering VERSION_1 and bit 9, with 8 bytes of config.
struct Fake;
impl DeviceInfo for Fake {
    fn device_id(&self) -> u32 {
        2
    }
    fn features(&self) -> u64 {
        F_VERSION_1 | 1 << 9
    }
    fn read_config(&self, offset: u64, size: u32) -> Option<u64> {
        (offset + u64::from(size) <= 8).then_some(0x1122_3344_5566_7788 >> (8 * offset))
    }
}

fn rd(regs: &VirtioMmioRegs, addr: u64) -> u64 {
    regs.read(&Fake, addr, 4).unwrap()
}

fn wr(regs: &mut VirtioMmioRegs, addr: u64, value: u64) -> Action {
    regs.write(&Fake, addr, value, 4).unwrap()
}

#[test]
fn identification_registers() {
    let regs = VirtioMmioRegs::default();
    assert_eq!(rd(&regs, reg::MAGIC), u64::from(MAGIC_VALUE));
    assert_eq!(rd(&regs, reg::VERSION), 2);
    assert_eq!(rd(&regs, reg::DEVICE_ID), 2);
    assert_eq!(rd(&regs, reg::VENDOR_ID), u64::from(VENDOR_ID));
    assert_eq!(rd(&regs, reg::QUEUE_NUM_MAX), u64::from(QUEUE_NUM_MAX));
    assert_eq!(rd(&regs, reg::SHM_LEN_LOW), 0xffff_ffff, "no shared memory");
    assert_eq!(
        regs.read(&Fake, reg::MAGIC, 2),
        None,
        "registers are 32-bit"
    );
    assert_eq!(regs.read(&Fake, 0x0f0, 4), None);
    assert_eq!(regs.read(&Fake, reg::CONFIG + 4, 4), Some(0x1122_3344));
    assert_eq!(regs.read(&Fake, reg::CONFIG + 8, 1), None);
}

#[test]
fn features_are_read_by_word_and_negotiated() {
    let mut regs = VirtioMmioRegs::default();
    assert_eq!(rd(&regs, reg::DEVICE_FEATURES), 1 << 9);
    wr(&mut regs, reg::DEVICE_FEATURES_SEL, 1);
    assert_eq!(rd(&regs, reg::DEVICE_FEATURES), 1);
    wr(&mut regs, reg::DEVICE_FEATURES_SEL, 2);
    assert_eq!(rd(&regs, reg::DEVICE_FEATURES), 0);

    wr(
        &mut regs,
        reg::STATUS,
        (status::ACKNOWLEDGE | status::DRIVER).into(),
    );
    // Without VERSION_1, FEATURES_OK does not stick.
    wr(&mut regs, reg::DRIVER_FEATURES, 1 << 9);
    wr(
        &mut regs,
        reg::STATUS,
        (status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK).into(),
    );
    assert_eq!(rd(&regs, reg::STATUS) & u64::from(status::FEATURES_OK), 0);
    // Nor with a bit the device did not offer.
    wr(&mut regs, reg::DRIVER_FEATURES_SEL, 1);
    wr(&mut regs, reg::DRIVER_FEATURES, 1 | 1 << 3);
    wr(
        &mut regs,
        reg::STATUS,
        (status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK).into(),
    );
    assert_eq!(rd(&regs, reg::STATUS) & u64::from(status::FEATURES_OK), 0);
    // A subset with VERSION_1 does.
    wr(&mut regs, reg::DRIVER_FEATURES, 1);
    wr(
        &mut regs,
        reg::STATUS,
        (status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK).into(),
    );
    assert_ne!(rd(&regs, reg::STATUS) & u64::from(status::FEATURES_OK), 0);
    assert!(regs.negotiated(F_VERSION_1) && regs.negotiated(1 << 9));
    // Then the features are fixed.
    assert!(regs.write(&Fake, reg::DRIVER_FEATURES, 0, 4).is_none());
}

#[test]
fn the_queue_is_configured_then_notified() {
    let mut regs = VirtioMmioRegs::default();
    assert!(
        regs.write(&Fake, reg::QUEUE_NUM, 3, 4).is_none(),
        "not a power of 2"
    );
    assert!(
        regs.write(&Fake, reg::QUEUE_NUM, 256, 4).is_none(),
        "above QueueNumMax"
    );
    wr(&mut regs, reg::QUEUE_NUM, 16);
    wr(&mut regs, reg::QUEUE_DESC_LOW, 0x8000_1000);
    wr(&mut regs, reg::QUEUE_DESC_LOW + 4, 0x1);
    wr(&mut regs, reg::QUEUE_DRIVER_LOW, 0x8000_2000);
    wr(&mut regs, reg::QUEUE_DEVICE_LOW, 0x8000_3000);
    wr(&mut regs, reg::QUEUE_READY, 1);
    assert_eq!(regs.queue_desc, 0x1_8000_1000);
    assert!(
        regs.write(&Fake, reg::QUEUE_NUM, 8, 4).is_none(),
        "the queue is live"
    );
    // A notify before DRIVER_OK is refused.
    assert!(regs.write(&Fake, reg::QUEUE_NOTIFY, 0, 4).is_none());
    wr(&mut regs, reg::STATUS, status::DRIVER_OK.into());
    assert_eq!(wr(&mut regs, reg::QUEUE_NOTIFY, 0), Action::Notify);
    assert!(
        regs.write(&Fake, reg::QUEUE_NOTIFY, 1, 4).is_none(),
        "only queue 0"
    );
    let queue = regs.queue().unwrap();
    assert_eq!(virtio_queue::QueueT::size(&queue), 16);
    // Other queues do not exist.
    wr(&mut regs, reg::QUEUE_SEL, 1);
    assert_eq!(rd(&regs, reg::QUEUE_NUM_MAX), 0);
}

#[test]
fn interrupt_status_is_acknowledged_and_reset_clears_everything() {
    let mut regs = VirtioMmioRegs {
        interrupt_status: INT_USED_BUFFER,
        ..Default::default()
    };
    assert!(regs.irq_level());
    wr(&mut regs, reg::INTERRUPT_ACK, INT_USED_BUFFER.into());
    assert!(!regs.irq_level());
    wr(&mut regs, reg::STATUS, status::ACKNOWLEDGE.into());
    wr(&mut regs, reg::QUEUE_NUM, 16);
    regs.next_avail = 5;
    assert_eq!(wr(&mut regs, reg::STATUS, 0), Action::Reset);
    assert_eq!(regs, VirtioMmioRegs::default());
}

#[test]
fn needs_reset_raises_a_config_interrupt_once() {
    let mut regs = VirtioMmioRegs::default();
    regs.needs_reset();
    assert_ne!(
        rd(&regs, reg::STATUS) & u64::from(status::DEVICE_NEEDS_RESET),
        0
    );
    assert!(regs.irq_level());
    // The driver's later status writes keep the bit.
    wr(&mut regs, reg::STATUS, status::ACKNOWLEDGE.into());
    assert_ne!(
        rd(&regs, reg::STATUS) & u64::from(status::DEVICE_NEEDS_RESET),
        0
    );
}

#[test]
fn an_empty_slot_offers_no_queue() {
    let regs = VirtioMmioRegs::default();
    let empty: Option<&crate::blk::Disk<std::fs::File>> = None;
    assert_eq!(regs.read(&empty, reg::DEVICE_ID, 4), Some(0));
    assert_eq!(regs.read(&empty, reg::QUEUE_NUM_MAX, 4), Some(0));
    assert_eq!(regs.read(&empty, reg::DEVICE_FEATURES, 4), Some(0));
}

//! Unit tests of the PL011 register model against a recording host: the
//! same cases as hw/char/pl011/test-pl011.c, so both twins are held to one
//! behaviour.

use core::fmt;

use crate::model::{Host, LogItem, PL011Regs};
use crate::registers::{self, cr, dr, fr, int, lcr_h, Register};

#[derive(Default)]
struct Rec {
    now: i64,
    irq: bool,
    tx: Vec<u8>,
    /// The backend refuses output (a socket client not reading).
    stalled: bool,
    /// Refuse output after this many more bytes (None: never).
    stall_after: Option<usize>,
    timer: Option<i64>,
    accepts: u32,
    logs: Vec<(LogItem, String)>,
}

impl Host for Rec {
    fn now_ns(&self) -> i64 {
        self.now
    }
    fn set_irq(&mut self, level: bool) {
        self.irq = level;
    }
    fn transmit(&mut self, byte: u8) {
        self.tx.push(byte);
        if let Some(n) = self.stall_after {
            self.stalled = n <= 1;
            self.stall_after = n.checked_sub(1).filter(|&n| n > 0);
        }
    }
    fn tx_stalled(&self) -> bool {
        self.stalled
    }
    fn timer_mod(&mut self, deadline_ns: i64) {
        self.timer = Some(deadline_ns);
    }
    fn timer_del(&mut self) {
        self.timer = None;
    }
    fn accept_input(&mut self) {
        self.accepts += 1;
    }
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>) {
        self.logs.push((item, args.to_string()));
    }
}

struct Dev {
    s: PL011Regs,
    h: Rec,
}

impl Dev {
    fn new() -> Self {
        let mut d = Dev {
            s: PL011Regs::default(),
            h: Rec::default(),
        };
        d.s.reset(&mut d.h);
        d
    }
    fn rd(&mut self, r: Register) -> u32 {
        self.s.read(&mut self.h, r.offset(), 4) as u32
    }
    fn wr(&mut self, r: Register, v: u32) {
        self.s.write(&mut self.h, r.offset(), u64::from(v), 4);
    }
    fn rx(&mut self, bytes: &[u8]) {
        self.s.receive(&mut self.h, bytes);
    }
    /// Runs the receive-timeout timer if it is due at `now`.
    fn advance(&mut self, now: i64) {
        self.h.now = now;
        if self.h.timer.is_some_and(|t| t <= now) {
            self.h.timer = None;
            self.s.rx_timeout(&mut self.h);
        }
    }
}

#[test]
fn reset_values() {
    let mut d = Dev::new();
    assert_eq!(d.rd(Register::Cr), 0x300);
    assert_eq!(d.rd(Register::Ifls), 0x12);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    for r in [
        Register::RsrEcr,
        Register::Ilpr,
        Register::Ibrd,
        Register::Fbrd,
        Register::LcrH,
        Register::Imsc,
        Register::Ris,
        Register::Mis,
        Register::Dmacr,
    ] {
        assert_eq!(d.rd(r), 0, "{r:?}");
    }
    assert!(!d.h.irq);
}

#[test]
fn device_reset_restores_registers() {
    let mut d = Dev::new();
    d.wr(Register::Ibrd, 13);
    d.wr(Register::Cr, 0x301);
    d.wr(Register::Imsc, int::TX);
    d.wr(Register::Dr, b'x'.into());
    assert!(d.h.irq);
    d.rx(b"ab");
    d.s.reset(&mut d.h);
    assert_eq!(d.rd(Register::Ibrd), 0);
    assert_eq!(d.rd(Register::Cr), 0x300);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    assert!(!d.h.irq);
    assert_eq!(d.h.timer, None);
}

#[test]
fn peripheral_and_cell_ids() {
    let mut d = Dev::new();
    let ids: Vec<u64> = (0..8)
        .map(|i| d.s.read(&mut d.h, 0xfe0 + 4 * i, 4))
        .collect();
    assert_eq!(ids, [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    assert!(d.h.logs.is_empty());
}

#[test]
fn register_widths() {
    let mut d = Dev::new();
    for (r, mask) in [
        (Register::Ilpr, 0xff),
        (Register::Ibrd, 0xffff),
        (Register::Fbrd, 0x3f),
        (Register::LcrH, 0xff),
        (Register::Cr, 0xffff),
        (Register::Ifls, 0x3f),
        (Register::Imsc, 0x7ff),
        (Register::Dmacr, 0x7),
    ] {
        d.wr(r, 0xffff_ffff);
        assert_eq!(d.rd(r), mask, "{r:?}");
    }
    assert_eq!(
        d.h.logs,
        [(LogItem::Unimp, "pl011: DMA is not implemented".to_string())]
    );
}

#[test]
fn bad_accesses_are_ignored() {
    let mut d = Dev::new();
    assert_eq!(d.s.read(&mut d.h, 0x31, 1), 0);
    assert_eq!(d.s.read(&mut d.h, 0x30, 8), 0);
    assert_eq!(d.s.read(&mut d.h, 0x044, 4), 0); // ICR is write-only
    assert_eq!(d.s.read(&mut d.h, 0x800, 4), 0);
    d.s.write(&mut d.h, 0x30, 0, 8);
    d.s.write(&mut d.h, Register::Fr.offset(), 0, 4);
    d.s.write(&mut d.h, 0xfe0, 0, 4);
    assert_eq!(d.rd(Register::Cr), 0x300);
    let logs: Vec<&str> = d.h.logs.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        logs,
        [
            "pl011: bad read offset=0x031 size=1",
            "pl011: bad read offset=0x030 size=8",
            "pl011: read of unknown register offset=0x044",
            "pl011: read of unknown register offset=0x800",
            "pl011: bad write offset=0x030 size=8",
            "pl011: write to read-only register offset=0x018",
            "pl011: write to unknown or read-only register offset=0xfe0",
        ]
    );
}

#[test]
fn transmit_needs_uarten_and_txe() {
    let mut d = Dev::new();
    d.wr(Register::Dr, u32::from(b'a'));
    d.wr(Register::Cr, cr::UARTEN);
    d.wr(Register::Dr, u32::from(b'b'));
    d.wr(Register::Cr, cr::UARTEN | cr::TXE);
    d.wr(Register::Dr, 0x100 | u32::from(b'c'));
    assert_eq!(d.h.tx, b"c");
    assert_eq!(
        d.h.logs[0].1,
        "pl011: write to UARTDR while UARTCR.UARTEN is clear: byte 0x61 not transmitted"
    );
    assert_eq!(
        d.h.logs[1].1,
        "pl011: write to UARTDR while UARTCR.TXE is clear: byte 0x62 not transmitted"
    );
}

#[test]
fn transmit_interrupt() {
    let mut d = Dev::new();
    d.wr(Register::Cr, 0x301);
    d.wr(Register::Imsc, int::TX);
    assert!(!d.h.irq);
    d.wr(Register::Dr, u32::from(b'x'));
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Mis), int::TX);
    d.wr(Register::Icr, int::TX);
    assert!(!d.h.irq);
    assert_eq!(d.rd(Register::Ris), 0);
}

/// A backend that stops taking output: the FIFO shows full, TXIS drops,
/// further writes are lost (and logged) until the backend takes bytes
/// again, which raises TXIS.  core/hw/char/test-pl011.c's
/// stalled_line_fills_the_transmit_fifo drives the C twin the same way.
#[test]
fn stalled_line_fills_the_transmit_fifo() {
    let mut d = Dev::new();
    d.wr(Register::Cr, 0x301);
    d.wr(Register::Imsc, int::TX);
    d.h.stall_after = Some(2);
    d.wr(Register::Dr, u32::from(b'a'));
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    d.wr(Register::Dr, u32::from(b'b')); // taken; now the line stalls
    assert!(!d.h.irq);
    assert_eq!(d.rd(Register::Ris), 0);
    assert_eq!(d.rd(Register::Fr), fr::TXFF | fr::BUSY | fr::RXFE);
    d.wr(Register::Dr, u32::from(b'c'));
    assert_eq!(d.h.tx, b"ab");
    assert_eq!(
        d.h.logs,
        [(
            LogItem::GuestError,
            "pl011: write to UARTDR while the transmit FIFO is full (UARTFR.TXFF): byte 0x63 lost"
                .to_string()
        )]
    );

    d.h.stalled = false;
    d.s.transmit_ready(&mut d.h);
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Mis), int::TX);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    d.wr(Register::Dr, u32::from(b'd'));
    assert_eq!(d.h.tx, b"abd");
}

#[test]
fn fifo_fill_and_drain() {
    let mut d = Dev::new();
    d.wr(Register::LcrH, lcr_h::FEN);
    assert_eq!(d.s.can_receive(), 32);
    let data: Vec<u8> = (0..32).collect();
    d.rx(&data);
    assert_eq!(d.s.can_receive(), 0);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFF);
    for i in 0..32 {
        assert_eq!(d.rd(Register::Dr), i);
    }
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    assert_eq!(d.rd(Register::Dr), 0);
}

#[test]
fn fifo_overrun_sets_oe() {
    let mut d = Dev::new();
    d.wr(Register::LcrH, lcr_h::FEN);
    d.wr(Register::Imsc, int::OE);
    d.rx(&[b'a'; 32]);
    assert!(!d.h.irq);
    d.rx(b"z"); // lost
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::RsrEcr), 0x8);
    d.rd(Register::Dr);
    d.rx(b"y"); // carries OE
    for _ in 0..31 {
        assert_eq!(d.rd(Register::Dr), u32::from(b'a'));
    }
    assert_eq!(d.rd(Register::Dr), dr::OE | u32::from(b'y'));
    assert_eq!(d.rd(Register::RsrEcr), 0x8);
    d.wr(Register::RsrEcr, 0);
    assert_eq!(d.rd(Register::RsrEcr), 0);
}

#[test]
fn fifos_disabled_hold_one_character() {
    let mut d = Dev::new();
    assert_eq!(d.s.can_receive(), 1);
    d.wr(Register::Imsc, int::RX);
    d.rx(b"q");
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFF);
    assert_eq!(d.rd(Register::Dr), u32::from(b'q'));
    assert!(!d.h.irq);
}

#[test]
fn toggling_fen_flushes_receive_fifo() {
    let mut d = Dev::new();
    d.rx(b"q");
    d.wr(Register::LcrH, lcr_h::FEN);
    assert_eq!(d.rd(Register::Fr), fr::TXFE | fr::RXFE);
    assert_eq!(d.h.timer, None);
    assert_eq!(d.rd(Register::Ris), 0);
}

#[test]
fn receive_trigger_levels() {
    for (sel, level) in [
        (0u32, 4u32),
        (1, 8),
        (2, 16),
        (3, 24),
        (4, 28),
        (5, 16),
        (7, 16),
    ] {
        let mut d = Dev::new();
        d.wr(Register::LcrH, lcr_h::FEN);
        d.wr(Register::Ifls, sel << 3);
        d.rx(&vec![b'x'; level as usize - 1]);
        assert_eq!(d.rd(Register::Ris) & int::RX, 0, "sel {sel}");
        d.rx(b"x");
        assert_eq!(d.rd(Register::Ris) & int::RX, int::RX, "sel {sel}");
        d.rd(Register::Dr);
        assert_eq!(d.rd(Register::Ris) & int::RX, 0, "sel {sel}");
    }
}

#[test]
fn cleared_rxis_stays_clear_above_the_trigger() {
    let mut d = Dev::new();
    d.wr(Register::LcrH, lcr_h::FEN);
    d.rx(&[b'x'; 16]);
    d.wr(Register::Icr, int::RX);
    d.rx(b"x");
    assert_eq!(d.rd(Register::Ris) & int::RX, 0);
}

#[test]
fn interrupt_masking_and_clearing() {
    let mut d = Dev::new();
    d.rx(b"a");
    assert_eq!(d.rd(Register::Ris), int::RX);
    assert!(!d.h.irq);
    d.wr(Register::Imsc, int::RX);
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Mis), int::RX);
    d.wr(Register::Imsc, 0);
    assert!(!d.h.irq);
    d.wr(Register::Imsc, int::ALL);
    d.wr(Register::Icr, int::ALL);
    assert!(!d.h.irq);
}

#[test]
fn receive_timeout_timing() {
    let mut d = Dev::new();
    // 115200 baud at 24 MHz: IBRD 13, FBRD 1.
    d.wr(Register::Ibrd, 13);
    d.wr(Register::Fbrd, 1);
    d.wr(Register::LcrH, lcr_h::FEN);
    d.wr(Register::Imsc, int::RT);
    let timeout = (13 * 64 + 1) * 32 * 16 * 1_000_000_000 / (64 * 24_000_000);
    assert_eq!(d.s.rx_timeout_ns(), timeout);
    d.h.now = 1000;
    d.rx(b"a");
    assert_eq!(d.h.timer, Some(1000 + timeout));
    d.advance(1000 + timeout - 1);
    assert!(!d.h.irq);
    d.advance(1000 + timeout);
    assert!(d.h.irq);
    assert_eq!(d.rd(Register::Ris), int::RT);
    d.rd(Register::Dr); // empty again: RTIS clears
    assert!(!d.h.irq);
}

#[test]
fn receive_timeout_without_baud_rate() {
    let d = Dev::new();
    assert_eq!(d.s.rx_timeout_ns(), 32 * registers::DEFAULT_BIT_NS as i64);
}

/// The C twin's receive_timeout_past_the_end_of_time: the deadline
/// saturates at the end of virtual time instead of overflowing.
#[test]
fn receive_timeout_past_the_end_of_time() {
    let mut d = Dev::new();
    d.wr(Register::Imsc, int::RT);
    d.h.now = i64::MAX - 1000;
    d.rx(b"a");
    assert_eq!(d.h.timer, Some(i64::MAX));
    assert!(!d.h.irq);
    assert_eq!(d.rd(Register::Ris) & int::RT, 0);
}

#[test]
fn timeout_does_not_fire_on_empty_fifo() {
    let mut d = Dev::new();
    d.wr(Register::Imsc, int::RT);
    d.s.rx_timeout(&mut d.h);
    assert!(!d.h.irq);
    assert_eq!(d.rd(Register::Ris), 0);
}

#[test]
fn reading_data_accepts_input() {
    let mut d = Dev::new();
    let before = d.h.accepts;
    d.rx(b"a");
    d.rd(Register::Dr);
    assert_eq!(d.h.accepts, before + 1);
}

/// The `registers` property text; hw/char/pl011/test-pl011.c's
/// registers_property expects the same text from the C twin.
#[test]
fn registers_text() {
    let mut d = Dev::new();
    d.wr(Register::LcrH, lcr_h::FEN | 0x60); // WLEN = 8 bits, as the C test
    d.rx(b"ABC");
    assert_eq!(d.rd(Register::Dr), u32::from(b'A'));
    assert_eq!(
        d.s.registers_text(&d.h),
        "rsr=0x0 ilpr=0x0 ibrd=0x0 fbrd=0x0 lcr_h=0x70 cr=0x300 ifls=0x12 \
         imsc=0x0 ris=0x0 mis=0x0 fr=0x80 dmacr=0x0 rx_overrun=0x0 rx_level=0x2 \
         rx_fifo=0x42,0x43"
    );

    // FIFOs off: one character held, the next overruns.
    let mut d = Dev::new();
    d.wr(Register::Imsc, int::RX);
    d.rx(b"x");
    d.rx(b"y");
    assert_eq!(
        d.s.registers_text(&d.h),
        "rsr=0x8 ilpr=0x0 ibrd=0x0 fbrd=0x0 lcr_h=0x0 cr=0x300 ifls=0x12 \
         imsc=0x10 ris=0x410 mis=0x10 fr=0xc0 dmacr=0x0 rx_overrun=0x1 \
         rx_level=0x1 rx_fifo=0x78"
    );
}

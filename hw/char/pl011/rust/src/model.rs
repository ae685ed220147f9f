//! The PL011 programming model: registers, receive FIFO and interrupt
//! generation, independent of QOM.
//!
//! Everything the guest can observe lives in plain fields of [`PL011Regs`],
//! in the same form as `PL011State` in hw/char/pl011/pl011.h, so the twins
//! save identical migration streams.  The outside world (IRQ line, chardev,
//! virtual clock, the receive-timeout timer, the log) is reached through
//! [`Host`], which the QOM glue implements with the C core and the unit
//! tests with a recorder.
//!
//! Transmission is instant: a byte written to UARTDR goes straight to the
//! backend, so the transmit FIFO is always empty and every transmitted byte
//! sets TXIS (the TRM's "transition through the trigger level" rule).  The
//! exception is a stalled line: a backend that refuses output (a socket
//! client not reading, [`Host::tx_stalled`]) shows as a full FIFO (TXFF
//! and BUSY set, TXIS clear) until it takes bytes again
//! ([`PL011Regs::transmit_ready`]), when TXIS rises.  The bytes wait in the
//! backend (host state), so the migration stream is unchanged.

use core::fmt;

use rivet_macros::VMState;

use crate::registers::{self, cr, dr, fr, int, lcr_h, rsr, Register};

/// The log categories the device writes to (`-d guest_errors`, `-d unimp`).
pub use rivet_util::log::LogItem;

/// What the register model needs from its surroundings.
pub trait Host {
    /// The virtual clock, in nanoseconds.
    fn now_ns(&self) -> i64;
    /// Drives UARTINTR.
    fn set_irq(&mut self, level: bool);
    /// Sends one byte to the chardev backend (discarded without one).
    fn transmit(&mut self, byte: u8);
    /// Whether the backend refuses output now (a stalled line).
    fn tx_stalled(&self) -> bool;
    /// Arms the receive-timeout timer for `deadline_ns`.
    fn timer_mod(&mut self, deadline_ns: i64);
    /// Cancels the receive-timeout timer.
    fn timer_del(&mut self);
    /// Tells the backend there may be room for input again.
    fn accept_input(&mut self);
    /// Writes a message under a `-d` item.
    fn log(&mut self, item: LogItem, args: fmt::Arguments<'_>);
}

/// The guest-visible state of a PL011.
///
/// Its migration fields (`#[vmstate]`: names, order, limits) are those of
/// the C `vmstate_pl011`; the device adds the receive-timeout timer.
#[derive(Clone, Debug, PartialEq, Eq, VMState)]
#[repr(C)]
pub struct PL011Regs {
    /// UARTRSR: error bits latched by the last read.
    #[doc(alias = "UARTRSR")]
    #[vmstate(mask = 0xf)]
    pub rsr: u32,
    /// UARTILPR.
    #[doc(alias = "UARTILPR")]
    #[vmstate(mask = 0xff)]
    pub ilpr: u32,
    /// UARTIBRD, 16 bits.
    #[doc(alias = "UARTIBRD")]
    #[vmstate(mask = 0xffff)]
    pub ibrd: u32,
    /// UARTFBRD, 6 bits.
    #[doc(alias = "UARTFBRD")]
    #[vmstate(mask = 0x3f)]
    pub fbrd: u32,
    /// UARTLCR_H.
    #[doc(alias = "UARTLCR_H")]
    #[vmstate(mask = 0xff)]
    pub lcr_h: u32,
    /// UARTCR.
    #[doc(alias = "UARTCR")]
    #[vmstate(mask = 0xffff)]
    pub cr: u32,
    /// UARTIFLS.
    #[doc(alias = "UARTIFLS")]
    #[vmstate(mask = 0x3f)]
    pub ifls: u32,
    /// UARTIMSC: interrupt mask (1 = enabled).
    #[doc(alias = "UARTIMSC")]
    #[vmstate(mask = int::ALL)]
    pub imsc: u32,
    /// UARTRIS: raw interrupt status.
    #[doc(alias = "UARTRIS")]
    #[vmstate(mask = int::ALL)]
    pub ris: u32,
    /// UARTDMACR.
    #[doc(alias = "UARTDMACR")]
    #[vmstate(mask = 0x7)]
    pub dmacr: u32,
    /// Receive FIFO: 12-bit entries, error bits 11:8 over the data.
    #[vmstate(mask = 0xfff)]
    pub rx_fifo: [u32; registers::FIFO_DEPTH as usize],
    /// Index of the oldest entry.
    #[vmstate(max = registers::FIFO_DEPTH - 1)]
    pub rx_pos: u32,
    /// Entries in use.
    #[vmstate(max = registers::FIFO_DEPTH)]
    pub rx_count: u32,
    /// An overrun happened: the next character pushed carries UARTDR.OE.
    pub rx_overrun_pending: bool,
}

impl Default for PL011Regs {
    fn default() -> Self {
        Self {
            rsr: 0,
            ilpr: 0,
            ibrd: 0,
            fbrd: 0,
            lcr_h: 0,
            cr: cr::RESET,
            ifls: registers::IFLS_RESET,
            imsc: 0,
            ris: 0,
            dmacr: 0,
            rx_fifo: [0; registers::FIFO_DEPTH as usize],
            rx_pos: 0,
            rx_count: 0,
            rx_overrun_pending: false,
        }
    }
}

/// IFLS selections b000..b100 are 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO;
/// reserved encodings behave as 1/2 (the reset value).
const fn trigger_eighths(sel: u32) -> u32 {
    match sel {
        0 => 1,
        1 => 2,
        2 => 4,
        3 => 6,
        4 => 7,
        _ => 4,
    }
}

/// Logs a refused access.  Out of line and cold, like every message of
/// the register paths: formatting needs its arguments in memory, which
/// would otherwise cost the common accesses a stack frame.
#[cold]
#[inline(never)]
fn log_bad_access(host: &mut impl Host, what: &str, addr: u64, size: u32) {
    host.log(
        LogItem::GuestError,
        format_args!("pl011: bad {what} offset=0x{addr:03x} size={size}"),
    );
}

/// See [`log_bad_access`].
#[cold]
#[inline(never)]
fn log_dma_unimplemented(host: &mut impl Host) {
    host.log(
        LogItem::Unimp,
        format_args!("pl011: DMA is not implemented"),
    );
}

/// Logs an access to an offset that is not (or not so) decoded; see
/// [`log_bad_access`].
#[cold]
#[inline(never)]
fn log_offset(host: &mut impl Host, what: &str, addr: u64) {
    host.log(
        LogItem::GuestError,
        format_args!("pl011: {what} offset=0x{addr:03x}"),
    );
}

impl PL011Regs {
    fn fifo_enabled(&self) -> bool {
        self.lcr_h & lcr_h::FEN != 0
    }

    fn fifo_depth(&self) -> u32 {
        if self.fifo_enabled() {
            registers::FIFO_DEPTH
        } else {
            1
        }
    }

    /// The FIFO level at which RXIS rises: the IFLS trigger with FIFOs on,
    /// the single holding register with them off.
    fn rx_trigger(&self) -> u32 {
        if self.fifo_enabled() {
            registers::FIFO_DEPTH * trigger_eighths((self.ifls >> 3) & 7) / 8
        } else {
            1
        }
    }

    /// UARTFR, computed from the FIFO state and the line.
    pub fn flags(&self, host: &impl Host) -> u32 {
        // Transmit drains at once unless the line is stalled.
        let mut value = if host.tx_stalled() {
            fr::TXFF | fr::BUSY
        } else {
            fr::TXFE
        };
        if self.rx_count == 0 {
            value |= fr::RXFE;
        }
        if self.rx_count >= self.fifo_depth() {
            value |= fr::RXFF;
        }
        value
    }

    /// Nanoseconds of silence after the last received character before
    /// RTIS: 32 bit periods at the programmed baud rate.
    pub fn rx_timeout_ns(&self) -> i64 {
        if self.ibrd == 0 {
            return (registers::RX_TIMEOUT_BITS * registers::DEFAULT_BIT_NS) as i64;
        }
        // bit time = 16 * (IBRD + FBRD/64) / UARTCLK; in units of 1/64
        // that is 16 * divisor / (64 * UARTCLK) s, divisor = IBRD*64 + FBRD.
        let divisor = u64::from(self.ibrd) * 64 + u64::from(self.fbrd);
        (divisor * registers::RX_TIMEOUT_BITS * 16 * 1_000_000_000 / (64 * registers::UARTCLK_HZ))
            as i64
    }

    fn update_irq(&self, host: &mut impl Host) {
        host.set_irq(self.ris & self.imsc != 0);
    }

    fn reset_rx_fifo(&mut self, host: &mut impl Host) {
        self.rx_pos = 0;
        self.rx_count = 0;
        self.rx_overrun_pending = false;
        host.timer_del();
    }

    /// Device reset: the TRM's reset values, an empty FIFO, UARTINTR low.
    pub fn reset(&mut self, host: &mut impl Host) {
        let fifo = self.rx_fifo;
        *self = Self {
            // Entries past rx_count are not state: the C twin keeps them
            // too, so migration streams stay identical.
            rx_fifo: fifo,
            ..Self::default()
        };
        self.reset_rx_fifo(host);
        self.update_irq(host);
        host.accept_input();
    }

    fn push_char(&mut self, ch: u8) {
        if self.rx_count >= self.fifo_depth() {
            // Overrun: the FIFO keeps its contents, the new character is
            // lost in the shift register.
            self.rsr |= rsr::OE;
            self.ris |= int::OE;
            self.rx_overrun_pending = true;
            return;
        }
        let mut entry = u32::from(ch);
        if self.rx_overrun_pending {
            entry |= dr::OE;
            self.rx_overrun_pending = false;
        }
        let slot = (self.rx_pos + self.rx_count) % registers::FIFO_DEPTH;
        self.rx_fifo[slot as usize] = entry;
        self.rx_count += 1;
        // RXIS follows the TRM's transition rule: set when the level
        // reaches the trigger, so a cleared RXIS stays clear while the
        // level merely stays above it.
        if self.rx_count == self.rx_trigger() {
            self.ris |= int::RX;
        }
    }

    /// How many bytes the chardev may deliver now (flow control).
    pub fn can_receive(&self) -> u32 {
        self.fifo_depth().saturating_sub(self.rx_count)
    }

    /// Bytes from the chardev backend.
    pub fn receive(&mut self, host: &mut impl Host, buf: &[u8]) {
        if buf.is_empty() {
            return;
        }
        for &ch in buf {
            self.push_char(ch);
        }
        // Saturating at the end of virtual time (i64::MAX), where the
        // timer never fires: the C twin's vclock_ns_after.
        host.timer_mod(host.now_ns().saturating_add(self.rx_timeout_ns()));
        self.update_irq(host);
    }

    /// The receive-timeout timer expired.
    pub fn rx_timeout(&mut self, host: &mut impl Host) {
        if self.rx_count > 0 {
            self.ris |= int::RT;
            self.update_irq(host);
        }
    }

    // Out of line, as write_dr and the LCR_H path: they call the host
    // several times, and inlined they would give every access their
    // stack frame and saved registers.
    #[inline(never)]
    fn read_dr(&mut self, host: &mut impl Host) -> u32 {
        if self.rx_count == 0 {
            return 0;
        }
        let entry = self.rx_fifo[self.rx_pos as usize];
        self.rx_pos = (self.rx_pos + 1) % registers::FIFO_DEPTH;
        self.rx_count -= 1;
        // RSR reports the error bits of the character just read; OE stays
        // latched until a write to ECR.
        self.rsr = (self.rsr & rsr::OE) | ((entry >> 8) & 0xf);
        if self.rx_count == 0 {
            self.ris &= !int::RT;
            host.timer_del();
        }
        if self.rx_count < self.rx_trigger() {
            self.ris &= !int::RX;
        }
        self.update_irq(host);
        host.accept_input();
        entry
    }

    #[inline(never)]
    fn write_dr(&mut self, host: &mut impl Host, value: u32) {
        let ch = value as u8;
        if self.cr & cr::UARTEN == 0 || self.cr & cr::TXE == 0 {
            let bit = if self.cr & cr::UARTEN != 0 {
                "UARTCR.TXE"
            } else {
                "UARTCR.UARTEN"
            };
            host.log(
                LogItem::GuestError,
                format_args!(
                    "pl011: write to UARTDR while {bit} is clear: byte 0x{ch:02x} not transmitted"
                ),
            );
            return;
        }
        if host.tx_stalled() {
            // A full transmit FIFO ignores writes (the guest should have
            // polled UARTFR.TXFF).
            host.log(
                LogItem::GuestError,
                format_args!(
                    "pl011: write to UARTDR while the transmit FIFO is full (UARTFR.TXFF): byte 0x{ch:02x} lost"
                ),
            );
            return;
        }
        host.transmit(ch);
        if host.tx_stalled() {
            // The line stalled: the FIFO is now above any trigger level.
            self.ris &= !int::TX;
        } else {
            // The byte left at once: the FIFO passed down through its
            // trigger.
            self.ris |= int::TX;
        }
        self.update_irq(host);
    }

    /// The stalled line takes bytes again: the transmit FIFO drains
    /// through its trigger level.
    pub fn transmit_ready(&mut self, host: &mut impl Host) {
        self.ris |= int::TX;
        self.update_irq(host);
    }

    /// The text of the read-only `registers` property (`-d dev_regs`,
    /// the twin tests): every register the guest can read, FR and MIS as
    /// computed, then the receive FIFO oldest entry first.  The C twin's
    /// `pl011_get_registers` renders the same text from the same state.
    pub fn registers_text(&self, host: &impl Host) -> String {
        use fmt::Write;
        let mut text = format!(
            "rsr={:#x} ilpr={:#x} ibrd={:#x} fbrd={:#x} lcr_h={:#x} cr={:#x} ifls={:#x} \
             imsc={:#x} ris={:#x} mis={:#x} fr={:#x} dmacr={:#x} rx_overrun={:#x} \
             rx_level={:#x} rx_fifo=",
            self.rsr,
            self.ilpr,
            self.ibrd,
            self.fbrd,
            self.lcr_h,
            self.cr,
            self.ifls,
            self.imsc,
            self.ris,
            self.ris & self.imsc,
            self.flags(host),
            self.dmacr,
            u32::from(self.rx_overrun_pending),
            self.rx_count,
        );
        for i in 0..self.rx_count {
            let entry = self.rx_fifo[((self.rx_pos + i) % registers::FIFO_DEPTH) as usize];
            let sep = if i == 0 { "" } else { "," };
            // Writing to a String cannot fail.
            let _ = write!(text, "{sep}{entry:#x}");
        }
        text
    }

    /// A guest read of `size` bytes at `addr`.
    #[inline]
    pub fn read(&mut self, host: &mut impl Host, addr: u64, size: u32) -> u64 {
        if addr & 3 != 0 || size > 4 {
            log_bad_access(host, "read", addr, size);
            return 0;
        }
        let value = match Register::try_from(addr) {
            Ok(Register::Dr) => self.read_dr(host),
            Ok(Register::RsrEcr) => self.rsr,
            Ok(Register::Fr) => self.flags(host),
            Ok(Register::Ilpr) => self.ilpr,
            Ok(Register::Ibrd) => self.ibrd,
            Ok(Register::Fbrd) => self.fbrd,
            Ok(Register::LcrH) => self.lcr_h,
            Ok(Register::Cr) => self.cr,
            Ok(Register::Ifls) => self.ifls,
            Ok(Register::Imsc) => self.imsc,
            Ok(Register::Ris) => self.ris,
            Ok(Register::Mis) => self.ris & self.imsc,
            Ok(Register::Dmacr) => self.dmacr,
            Ok(Register::Icr) | Err(_) => {
                if (registers::PERIPH_ID0..=registers::PCELL_ID3).contains(&addr) {
                    u32::from(registers::ID[((addr - registers::PERIPH_ID0) / 4) as usize])
                } else {
                    log_offset(host, "read of unknown register", addr);
                    0
                }
            }
        };
        u64::from(value)
    }

    #[inline(never)]
    fn write_lcr_h(&mut self, host: &mut impl Host, v: u32) {
        // Switching the FIFOs on or off changes the FIFO geometry; the
        // receive FIFO is flushed, as QEMU and drivers assume.
        if (self.lcr_h ^ v) & lcr_h::FEN != 0 {
            self.reset_rx_fifo(host);
            self.ris &= !(int::RX | int::RT);
        }
        self.lcr_h = v & 0xff;
        self.update_irq(host);
        host.accept_input();
    }

    /// A guest write of `size` bytes at `addr`.
    #[inline]
    pub fn write(&mut self, host: &mut impl Host, addr: u64, value: u64, size: u32) {
        let v = value as u32;
        if addr & 3 != 0 || size > 4 {
            log_bad_access(host, "write", addr, size);
            return;
        }
        match Register::try_from(addr) {
            Ok(Register::Dr) => self.write_dr(host, v),
            // Any write to UARTECR clears the framing, parity, break and
            // overrun errors.
            Ok(Register::RsrEcr) => self.rsr = 0,
            Ok(Register::Ilpr) => self.ilpr = v & 0xff,
            Ok(Register::Ibrd) => self.ibrd = v & 0xffff,
            Ok(Register::Fbrd) => self.fbrd = v & 0x3f,
            Ok(Register::LcrH) => self.write_lcr_h(host, v),
            Ok(Register::Cr) => self.cr = v & 0xffff,
            // The new levels apply to the next transitions of the FIFO.
            Ok(Register::Ifls) => self.ifls = v & 0x3f,
            Ok(Register::Imsc) => {
                self.imsc = v & int::ALL;
                self.update_irq(host);
            }
            Ok(Register::Icr) => {
                self.ris &= !(v & int::ALL);
                self.update_irq(host);
            }
            Ok(Register::Dmacr) => {
                self.dmacr = v & 0x7;
                if self.dmacr != 0 {
                    log_dma_unimplemented(host);
                }
            }
            Ok(Register::Fr | Register::Ris | Register::Mis) => {
                log_offset(host, "write to read-only register", addr);
            }
            Err(_) => log_offset(host, "write to unknown or read-only register", addr),
        }
    }
}

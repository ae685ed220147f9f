//! PL011 register offsets and bit fields, from the ARM PrimeCell UART (PL011)
//! Technical Reference Manual, ARM DDI 0183 (r1p5), chapter 3 "Programmers
//! Model".  Names and values match hw/char/pl011/pl011.h.

use rivet_macros::RegisterOffset;

/// Register offsets in the 4 KiB MMIO window (TRM table 3-1).
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, RegisterOffset)]
pub enum Register {
    /// Data register (TRM 3.3.1).
    #[doc(alias = "UARTDR")]
    Dr = 0x000,
    /// Receive status register (read) / error clear register (write)
    /// (TRM 3.3.2).
    #[doc(alias = "UARTRSR")]
    #[doc(alias = "UARTECR")]
    RsrEcr = 0x004,
    /// Flag register (TRM 3.3.3).
    #[doc(alias = "UARTFR")]
    Fr = 0x018,
    /// IrDA low-power counter register (TRM 3.3.4).
    #[doc(alias = "UARTILPR")]
    Ilpr = 0x020,
    /// Integer baud rate register (TRM 3.3.5).
    #[doc(alias = "UARTIBRD")]
    Ibrd = 0x024,
    /// Fractional baud rate register (TRM 3.3.6).
    #[doc(alias = "UARTFBRD")]
    Fbrd = 0x028,
    /// Line control register (TRM 3.3.7).
    #[doc(alias = "UARTLCR_H")]
    LcrH = 0x02c,
    /// Control register (TRM 3.3.8).
    #[doc(alias = "UARTCR")]
    Cr = 0x030,
    /// Interrupt FIFO level select register (TRM 3.3.9).
    #[doc(alias = "UARTIFLS")]
    Ifls = 0x034,
    /// Interrupt mask set/clear register (TRM 3.3.10).
    #[doc(alias = "UARTIMSC")]
    Imsc = 0x038,
    /// Raw interrupt status register (TRM 3.3.11).
    #[doc(alias = "UARTRIS")]
    Ris = 0x03c,
    /// Masked interrupt status register (TRM 3.3.12).
    #[doc(alias = "UARTMIS")]
    Mis = 0x040,
    /// Interrupt clear register (TRM 3.3.13).
    #[doc(alias = "UARTICR")]
    Icr = 0x044,
    /// DMA control register (TRM 3.3.14).
    #[doc(alias = "UARTDMACR")]
    Dmacr = 0x048,
}

/// First of the eight identification registers, UARTPeriphID0..3 then
/// UARTPCellID0..3 (TRM 3.3.15 to 3.3.22).
#[doc(alias = "UARTPeriphID0")]
pub const PERIPH_ID0: u64 = 0xfe0;
/// Last identification register.
#[doc(alias = "UARTPCellID3")]
pub const PCELL_ID3: u64 = 0xffc;
/// The identification bytes: PL011 r1p5 (PeriphID) and the PrimeCell tag.
pub const ID: [u8; 8] = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/// UARTDR error bits above the data byte (TRM 3.3.1).
pub mod dr {
    /// Framing error.
    pub const FE: u32 = 1 << 8;
    /// Parity error.
    pub const PE: u32 = 1 << 9;
    /// Break error.
    pub const BE: u32 = 1 << 10;
    /// Overrun error: the FIFO was full when a character arrived.
    pub const OE: u32 = 1 << 11;
}

/// UARTRSR/UARTECR bits (TRM 3.3.2).
pub mod rsr {
    /// Framing error.
    pub const FE: u32 = 1 << 0;
    /// Parity error.
    pub const PE: u32 = 1 << 1;
    /// Break error.
    pub const BE: u32 = 1 << 2;
    /// Overrun error.
    pub const OE: u32 = 1 << 3;
}

/// UARTFR bits (TRM 3.3.3).
pub mod fr {
    /// UART busy: transmit data is waiting in the FIFO.
    pub const BUSY: u32 = 1 << 3;
    /// Receive FIFO empty.
    pub const RXFE: u32 = 1 << 4;
    /// Transmit FIFO full.
    pub const TXFF: u32 = 1 << 5;
    /// Receive FIFO full.
    pub const RXFF: u32 = 1 << 6;
    /// Transmit FIFO empty.
    pub const TXFE: u32 = 1 << 7;
}

/// UARTLCR_H bits (TRM 3.3.7).
pub mod lcr_h {
    /// Enable FIFOs: 32 entries instead of a one-character holding register.
    pub const FEN: u32 = 1 << 4;
}

/// UARTCR bits (TRM 3.3.8).
pub mod cr {
    /// UART enable.
    pub const UARTEN: u32 = 1 << 0;
    /// Transmit enable.
    pub const TXE: u32 = 1 << 8;
    /// Receive enable.
    pub const RXE: u32 = 1 << 9;
    /// Reset value: TXE | RXE.
    pub const RESET: u32 = 0x300;
}

/// UARTIFLS (TRM 3.3.9): reset value, both trigger levels at 1/2.
pub const IFLS_RESET: u32 = 0x12;

/// Interrupt bits shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR
/// (TRM 3.3.10 to 3.3.13).
pub mod int {
    /// Receive interrupt.
    #[doc(alias = "RXRIS")]
    pub const RX: u32 = 1 << 4;
    /// Transmit interrupt.
    #[doc(alias = "TXRIS")]
    pub const TX: u32 = 1 << 5;
    /// Receive timeout interrupt.
    #[doc(alias = "RTRIS")]
    pub const RT: u32 = 1 << 6;
    /// Overrun error interrupt.
    #[doc(alias = "OERIS")]
    pub const OE: u32 = 1 << 10;
    /// Every interrupt bit.
    pub const ALL: u32 = 0x7ff;
}

/// Depth of the receive FIFO with UARTLCR_H.FEN set (TRM 2.4.3).
pub const FIFO_DEPTH: u32 = 32;
/// Size of the MMIO region.
pub const MMIO_SIZE: u64 = 0x1000;
/// UARTCLK: fixes the bit period derived from UARTIBRD/UARTFBRD.
pub const UARTCLK_HZ: u64 = 24_000_000;
/// The receive timeout fires after this many bit periods of silence
/// (TRM 2.8.4, "UARTRTINTR").
pub const RX_TIMEOUT_BITS: u64 = 32;
/// Bit period used while UARTIBRD is 0 (baud rate not programmed).
pub const DEFAULT_BIT_NS: u64 = 1000;

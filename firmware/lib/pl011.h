/*
 * ARM PrimeCell UART (PL011) register map, from the PL011 Technical
 * Reference Manual r1p5 (ARM DDI 0183G), section 3.
 */
#ifndef FW_PL011_H
#define FW_PL011_H

#define PL011_DR 0x000         /* data */
#define PL011_RSR 0x004        /* receive status (read) / error clear (write) */
#define PL011_FR 0x018         /* flags */
#define PL011_ILPR 0x020       /* IrDA low-power counter */
#define PL011_IBRD 0x024       /* integer baud rate divisor, 16 bits */
#define PL011_FBRD 0x028       /* fractional baud rate divisor, 6 bits */
#define PL011_LCR_H 0x02c      /* line control */
#define PL011_CR 0x030         /* control */
#define PL011_IFLS 0x034       /* interrupt FIFO level select */
#define PL011_IMSC 0x038       /* interrupt mask set/clear */
#define PL011_RIS 0x03c        /* raw interrupt status */
#define PL011_MIS 0x040        /* masked interrupt status */
#define PL011_ICR 0x044        /* interrupt clear */
#define PL011_DMACR 0x048      /* DMA control */
#define PL011_PERIPH_ID0 0xfe0 /* four registers, one byte each */
#define PL011_PCELL_ID0 0xff0  /* four registers, one byte each */

#define PL011_FR_CTS (1u << 0)
#define PL011_FR_DSR (1u << 1)
#define PL011_FR_DCD (1u << 2)
#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)
#define PL011_FR_RI (1u << 8)

#define PL011_LCR_H_BRK (1u << 0)
#define PL011_LCR_H_PEN (1u << 1)
#define PL011_LCR_H_FEN (1u << 4)
#define PL011_LCR_H_WLEN_8 (3u << 5)

#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_LBE (1u << 7)
#define PL011_CR_TXE (1u << 8)
#define PL011_CR_RXE (1u << 9)

/* Interrupt bits, shared by IMSC, RIS, MIS and ICR. */
#define PL011_INT_RX (1u << 4)
#define PL011_INT_TX (1u << 5)
#define PL011_INT_RT (1u << 6)
#define PL011_INT_FE (1u << 7)
#define PL011_INT_PE (1u << 8)
#define PL011_INT_BE (1u << 9)
#define PL011_INT_OE (1u << 10)
#define PL011_INT_ALL 0x7ffu

/* Reset values (TRM table 3-1). */
#define PL011_CR_RESET 0x0300u
#define PL011_IFLS_RESET 0x12u
#define PL011_FIFO_DEPTH 32

/* Identification: part 0x011, designer 0x41 (ARM), revision 3 (r1p5). */
#define PL011_PERIPH_ID 0x00341011u
#define PL011_PCELL_ID 0xb105f00du
#define PL011_UARTCLK_HZ 24000000u

#endif /* FW_PL011_H */

//! virtio-blk (VIRTIO 1.2, section 5.2): the configuration space, and the
//! requests of one virtqueue executed against a raw image, generic over
//! the guest memory (vm-memory's [`GuestMemory`]: RAM directly, or RAM
//! behind an IOMMU) and the image ([`Backend`]: a file, or a test's).
//!
//! Requests are executed synchronously when the driver notifies the
//! queue: a completed write is in the image file (written with pwrite
//! before the used ring says so), and FLUSH completes after fdatasync.
//! Whatever the driver puts in the descriptors, the device answers with
//! a status and never panics: a chain it cannot parse gets IOERR (or, when
//! it has no status byte to write, a used entry of length 0).

use std::cell::Cell;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use rivet_memory::vm_memory::{Bytes, GuestAddress, GuestMemory, Permissions};
use virtio_queue::desc::split::Descriptor;
use virtio_queue::{Queue, QueueOwnedT, QueueT};

/// Sector size of the request header's `sector` (always 512, 5.2.6).
pub const SECTOR_SIZE: u64 = 512;
/// The device ID of a block device.
pub const DEVICE_ID: u32 = 2;
/// Largest number of data segments in a request (`seg_max`): the queue
/// less the header and the status descriptors.
pub const SEG_MAX: u32 = crate::model::QUEUE_NUM_MAX as u32 - 2;

/// Feature bits (5.2.3).
pub mod feature {
    /// `seg_max` is valid.
    pub const SEG_MAX: u64 = 1 << 2;
    /// The disk is read-only.
    pub const RO: u64 = 1 << 5;
    /// `blk_size` is valid.
    pub const BLK_SIZE: u64 = 1 << 6;
    /// FLUSH requests are supported.
    pub const FLUSH: u64 = 1 << 9;
}

/// Request types (5.2.6).
pub mod req {
    /// Read sectors.
    pub const IN: u32 = 0;
    /// Write sectors.
    pub const OUT: u32 = 1;
    /// Flush the write cache.
    pub const FLUSH: u32 = 4;
    /// Read the device ID string.
    pub const GET_ID: u32 = 8;
}

/// Status byte values (5.2.6).
pub mod status {
    /// Success.
    pub const OK: u8 = 0;
    /// Device or driver error.
    pub const IOERR: u8 = 1;
    /// Unsupported request.
    pub const UNSUPP: u8 = 2;
}

/// Length of the request header: type, reserved, sector.
pub const HEADER_LEN: u32 = 16;
/// Length of the GET_ID answer (no NUL when the ID fills it).
pub const ID_LEN: usize = 20;
/// Host I/O is done in pieces of this size (no allocation as large as a
/// request the guest may describe).
const CHUNK: usize = 64 * 1024;

/// The bounce buffer for a request of `len` bytes: no larger than the
/// request, since zeroing a whole CHUNK for each 4 KiB request was three
/// quarters of the device's host instructions.
fn bounce_buffer(len: u64) -> Vec<u8> {
    vec![0; usize::try_from(len).map_or(CHUNK, |len| len.min(CHUNK))]
}

/// The image behind the device.
pub trait Backend {
    /// Its size in bytes.
    fn size(&self) -> u64;
    /// Fills `buf` from `offset`.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Writes `buf` at `offset`; once this returns, the data is in the image.
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// Makes every completed write durable (fdatasync).
    fn flush(&self) -> io::Result<()>;
}

impl Backend for File {
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.read_exact_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.write_all_at(buf, offset)
    }
    fn flush(&self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Why a descriptor chain is not a request the device can execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Malformed {
    /// The chain has no descriptor the device could read.
    Empty,
    /// The chain does not end: a loop, longer than the queue, or a
    /// descriptor out of the table's reach.
    Unterminated,
    /// A device-readable descriptor after a device-writable one.
    ReadableAfterWritable,
    /// Fewer than 16 device-readable bytes for the header.
    ShortHeader,
    /// No device-writable byte for the status.
    NoStatus,
    /// A descriptor's buffer is not guest RAM (or the IOMMU refused it).
    BadAddress,
}

/// A request the device parsed: its header, and where its data and status
/// byte are in guest memory (5.2.6: header, data, status, in that order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `type`.
    pub kind: u32,
    /// `sector`.
    pub sector: u64,
    /// The device-readable buffers after the header (OUT's data).
    pub readable: Vec<(GuestAddress, u32)>,
    /// The device-writable buffers before the status byte (IN's data).
    pub writable: Vec<(GuestAddress, u32)>,
    /// The status byte.
    pub status: GuestAddress,
}

fn total(segments: &[(GuestAddress, u32)]) -> u64 {
    segments.iter().map(|&(_, len)| u64::from(len)).sum()
}

/// Drops the first `skip` bytes of `segments`.
fn skip_bytes(segments: &[(GuestAddress, u32)], mut skip: u32) -> Vec<(GuestAddress, u32)> {
    let mut out = Vec::new();
    for &(addr, len) in segments {
        if skip >= len {
            skip -= len;
            continue;
        }
        out.push((GuestAddress(addr.0.wrapping_add(skip.into())), len - skip));
        skip = 0;
    }
    out
}

/// Reads `buf.len()` bytes from the start of `segments`.
fn gather<M: GuestMemory>(mem: &M, segments: &[(GuestAddress, u32)], buf: &mut [u8]) -> bool {
    let mut done = 0;
    for &(addr, len) in segments {
        if done == buf.len() {
            break;
        }
        let n = (len as usize).min(buf.len() - done);
        if mem.read_slice(&mut buf[done..done + n], addr).is_err() {
            return false;
        }
        done += n;
    }
    done == buf.len()
}

/// Parses the descriptors of one chain (in chain order, as virtio-queue's
/// iterator yields them; `queue_size` bounds a chain).  On an error the
/// second value is the status byte's address when there is one to answer.
pub fn parse<M: GuestMemory>(
    mem: &M,
    descriptors: &[Descriptor],
    queue_size: u16,
) -> Result<Request, (Malformed, Option<GuestAddress>)> {
    let last = descriptors.last().ok_or((Malformed::Empty, None))?;
    // The status byte: the last byte of the last descriptor, if writable.
    let status = (last.is_write_only() && last.len() > 0)
        .then(|| GuestAddress(last.addr().0.wrapping_add(u64::from(last.len()) - 1)));
    let fail = |why| Err((why, status));
    // virtio-queue stops a chain after queue_size descriptors, or at a
    // descriptor it cannot read: one that still says NEXT never ended.
    if last.has_next() || descriptors.len() > queue_size.into() {
        return fail(Malformed::Unterminated);
    }
    let Some(status_addr) = status else {
        return Err((Malformed::NoStatus, None));
    };
    let split = descriptors
        .iter()
        .position(Descriptor::is_write_only)
        .unwrap_or(descriptors.len());
    if descriptors[split..].iter().any(|d| !d.is_write_only()) {
        return fail(Malformed::ReadableAfterWritable);
    }
    let segments = |ds: &[Descriptor]| -> Vec<(GuestAddress, u32)> {
        ds.iter()
            .filter(|d| d.len() > 0)
            .map(|d| (d.addr(), d.len()))
            .collect()
    };
    let readable = segments(&descriptors[..split]);
    let mut writable = segments(&descriptors[split..]);
    // The status byte is not data.
    if let Some(last) = writable.last_mut() {
        last.1 -= 1;
        if last.1 == 0 {
            writable.pop();
        }
    }
    if total(&readable) < HEADER_LEN.into() {
        return fail(Malformed::ShortHeader);
    }
    let mut header = [0u8; HEADER_LEN as usize];
    if !gather(mem, &readable, &mut header) {
        return fail(Malformed::BadAddress);
    }
    let kind = u32::from_le_bytes(header[0..4].try_into().unwrap_or_default());
    let sector = u64::from_le_bytes(header[8..16].try_into().unwrap_or_default());
    let readable = skip_bytes(&readable, HEADER_LEN);
    // Every buffer must be guest memory the device may touch, the
    // readable ones for reading and the writable ones (with the status
    // byte) for writing, before anything is done: a request either runs
    // or changes nothing.
    let reachable = readable
        .iter()
        .all(|&(a, l)| mem.check_range(a, l as usize, Permissions::Read))
        && writable
            .iter()
            .all(|&(a, l)| mem.check_range(a, l as usize, Permissions::Write))
        && mem.check_range(status_addr, 1, Permissions::Write);
    if !reachable {
        return fail(Malformed::BadAddress);
    }
    Ok(Request {
        kind,
        sector,
        readable,
        writable,
        status: status_addr,
    })
}

/// The block device: its image and what the guest sees of it.
pub struct Disk<B: Backend> {
    backend: B,
    readonly: bool,
    /// What GET_ID answers: the drive's ID, NUL-padded.
    id: [u8; ID_LEN],
    /// The image's size in sectors (`capacity`), fixed at realize.
    sectors: u64,
    /// A host I/O error was reported: later ones only go to the guest.
    io_error_reported: Cell<bool>,
}

impl<B: Backend> Disk<B> {
    /// A disk on `backend`, whose size must be a whole number of sectors
    /// (the caller checked it), answering GET_ID with `id`.
    pub fn new(backend: B, readonly: bool, id: &str) -> Self {
        let mut id_bytes = [0; ID_LEN];
        let n = id.len().min(ID_LEN);
        id_bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
        let sectors = backend.size() / SECTOR_SIZE;
        Self {
            backend,
            readonly,
            id: id_bytes,
            sectors,
            io_error_reported: Cell::new(false),
        }
    }

    /// The features the device offers.
    pub fn features(&self) -> u64 {
        let ro = if self.readonly { feature::RO } else { 0 };
        crate::model::F_VERSION_1 | feature::SEG_MAX | feature::BLK_SIZE | feature::FLUSH | ro
    }

    /// The configuration space (5.2.4) up to `blk_size`: capacity,
    /// size_max (0: not offered), seg_max, geometry (not offered),
    /// blk_size.
    fn config_bytes(&self) -> [u8; 24] {
        let mut c = [0u8; 24];
        c[0..8].copy_from_slice(&self.sectors.to_le_bytes());
        c[12..16].copy_from_slice(&SEG_MAX.to_le_bytes());
        c[20..24].copy_from_slice(&(SECTOR_SIZE as u32).to_le_bytes());
        c
    }

    /// A read of the configuration space; `None` outside it.
    pub fn read_config(&self, offset: u64, size: u32) -> Option<u64> {
        let config = self.config_bytes();
        let start = usize::try_from(offset).ok()?;
        let bytes = config.get(start..start.checked_add(size as usize)?)?;
        if !matches!(size, 1 | 2 | 4 | 8) {
            return None;
        }
        let mut value = [0u8; 8];
        value[..bytes.len()].copy_from_slice(bytes);
        Some(u64::from_le_bytes(value))
    }

    /// Reports the first host I/O error (the guest sees each one as IOERR).
    fn host_error(&self, what: &str, err: &io::Error) -> u8 {
        if !self.io_error_reported.replace(true) {
            rivet_util::log::error_report(&format!(
                "virtio-blk: {what} failed: {err} (the guest gets I/O errors; \
                 further host errors are not reported)"
            ));
        }
        status::IOERR
    }

    /// Whether `len` bytes from `sector` lie inside the disk.
    fn in_range(&self, sector: u64, len: u64) -> bool {
        len % SECTOR_SIZE == 0
            && sector
                .checked_add(len / SECTOR_SIZE)
                .is_some_and(|end| end <= self.sectors)
    }

    /// Executes a parsed request; returns the status and the number of
    /// bytes of data written to guest memory.
    pub fn execute<M: GuestMemory>(&self, mem: &M, r: &Request) -> (u8, u32) {
        match r.kind {
            req::IN => {
                let len = total(&r.writable);
                if !r.readable.is_empty() || !self.in_range(r.sector, len) {
                    return (status::IOERR, 0);
                }
                let mut offset = r.sector * SECTOR_SIZE;
                let mut buf = bounce_buffer(len);
                let mut written = 0u32;
                for &(addr, seg_len) in &r.writable {
                    let mut done = 0u32;
                    while done < seg_len {
                        let n = (seg_len - done).min(CHUNK as u32);
                        let chunk = &mut buf[..n as usize];
                        if let Err(e) = self.backend.read_at(chunk, offset) {
                            return (self.host_error("read", &e), written);
                        }
                        let at = GuestAddress(addr.0.wrapping_add(done.into()));
                        if mem.write_slice(chunk, at).is_err() {
                            return (status::IOERR, written);
                        }
                        done += n;
                        written += n;
                        offset += u64::from(n);
                    }
                }
                (status::OK, written)
            }
            req::OUT => {
                let len = total(&r.readable);
                if !r.writable.is_empty() || !self.in_range(r.sector, len) {
                    return (status::IOERR, 0);
                }
                // 5.2.6.1: a read-only device fails writes and writes nothing.
                if self.readonly {
                    return (status::IOERR, 0);
                }
                let mut offset = r.sector * SECTOR_SIZE;
                let mut buf = bounce_buffer(len);
                for &(addr, seg_len) in &r.readable {
                    let mut done = 0u32;
                    while done < seg_len {
                        let n = (seg_len - done).min(CHUNK as u32);
                        let chunk = &mut buf[..n as usize];
                        let at = GuestAddress(addr.0.wrapping_add(done.into()));
                        if mem.read_slice(chunk, at).is_err() {
                            return (status::IOERR, 0);
                        }
                        if let Err(e) = self.backend.write_at(chunk, offset) {
                            return (self.host_error("write", &e), 0);
                        }
                        done += n;
                        offset += u64::from(n);
                    }
                }
                (status::OK, 0)
            }
            req::FLUSH => {
                if !r.readable.is_empty() || !r.writable.is_empty() {
                    return (status::IOERR, 0);
                }
                match self.backend.flush() {
                    Ok(()) => (status::OK, 0),
                    Err(e) => (self.host_error("flush (fdatasync)", &e), 0),
                }
            }
            req::GET_ID => {
                if !r.readable.is_empty() || r.writable.is_empty() {
                    return (status::IOERR, 0);
                }
                let mut done = 0usize;
                for &(addr, seg_len) in &r.writable {
                    let n = (seg_len as usize).min(ID_LEN - done);
                    if mem.write_slice(&self.id[done..done + n], addr).is_err() {
                        return (status::IOERR, done as u32);
                    }
                    done += n;
                    if done == ID_LEN {
                        break;
                    }
                }
                (status::OK, done as u32)
            }
            _ => (status::UNSUPP, 0),
        }
    }

    /// Takes every chain the driver made available in `queue`, executes
    /// it and returns it in the used ring.  Returns how many completed,
    /// or `Err` when the rings themselves are out of reach (the device
    /// then needs a reset).
    pub fn process_queue<M: GuestMemory>(
        &self,
        mem: &M,
        queue: &mut Queue,
        mut on_request: impl FnMut(&Result<Request, (Malformed, Option<GuestAddress>)>, u8),
    ) -> Result<u32, virtio_queue::Error> {
        let size = queue.size();
        let mut completed = 0;
        // A queue with an avail index beyond reach is an error, not a
        // panic: iter() checks it.
        let chains: Vec<_> = {
            let mut heads = Vec::new();
            for chain in queue.iter(mem)? {
                let head = chain.head_index();
                heads.push((head, chain.collect::<Vec<Descriptor>>()));
            }
            heads
        };
        for (head, descriptors) in chains {
            let parsed = parse(mem, &descriptors, size);
            let (status, used_len) = match &parsed {
                Ok(request) => {
                    let (status, written) = self.execute(mem, request);
                    match mem.write_obj(status, request.status) {
                        Ok(()) => (status, written + 1),
                        Err(_) => (status::IOERR, 0),
                    }
                }
                Err((_, Some(status_addr))) => match mem.write_obj(status::IOERR, *status_addr) {
                    Ok(()) => (status::IOERR, 1),
                    Err(_) => (status::IOERR, 0),
                },
                Err((_, None)) => (status::IOERR, 0),
            };
            on_request(&parsed, status);
            queue.add_used(mem, head, used_len)?;
            completed += 1;
        }
        Ok(completed)
    }
}

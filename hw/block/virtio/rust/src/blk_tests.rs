//! Unit tests of virtio-blk's request parser and executor: a split
//! virtqueue laid out by hand in test RAM (rivet-test-support's TestRam,
//! through rivet-memory's vm-memory implementation), an image in memory.
//! Each malformed chain gets its status and nothing panics.

use std::cell::{Cell, RefCell};
use std::io;

use rivet_memory::vm_memory::{Bytes, GuestAddress};
use rivet_memory::GuestRam;
use rivet_test_support::guest_ram::TestRam;
use virtio_queue::{Queue, QueueT};

use crate::blk::{req, status, Backend, Disk, Malformed, Request};

const RAM: u64 = 0x10000;
const DESC: u64 = RAM;
const AVAIL: u64 = RAM + 0x1000;
const USED: u64 = RAM + 0x2000;
const BUF: u64 = RAM + 0x4000;
const QSIZE: u16 = 16;
const NEXT: u16 = 1;
const WRITE: u16 = 2;
const HOLE: u64 = 0x20_0000;

/// An image in memory that counts flushes and can fail on demand.
#[derive(Default)]
struct MemImage {
    data: RefCell<Vec<u8>>,
    flushes: Cell<u32>,
    fail: Cell<bool>,
}

impl MemImage {
    fn new(sectors: usize) -> Self {
        Self {
            data: RefCell::new(vec![0xee; sectors * 512]),
            ..Self::default()
        }
    }
    fn check(&self) -> io::Result<()> {
        if self.fail.get() {
            Err(io::Error::from_raw_os_error(5))
        } else {
            Ok(())
        }
    }
}

impl Backend for &MemImage {
    fn size(&self) -> u64 {
        self.data.borrow().len() as u64
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.check()?;
        let o = offset as usize;
        buf.copy_from_slice(&self.data.borrow()[o..o + buf.len()]);
        Ok(())
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.check()?;
        let o = offset as usize;
        self.data.borrow_mut()[o..o + buf.len()].copy_from_slice(buf);
        Ok(())
    }
    fn flush(&self) -> io::Result<()> {
        self.check()?;
        self.flushes.set(self.flushes.get() + 1);
        Ok(())
    }
}

/// Guest RAM with a queue of QSIZE entries at DESC/AVAIL/USED.
struct Guest {
    test_ram: TestRam,
    mem: GuestRam,
    queue: Queue,
    offered: u16,
}

impl Guest {
    fn new() -> Self {
        let ram_owner = TestRam::new(&[(RAM, 0x10000)]);
        let mem = ram_owner.ram();
        let mut queue = Queue::new(QSIZE).unwrap();
        queue.set_size(QSIZE);
        queue
            .try_set_desc_table_address(GuestAddress(DESC))
            .unwrap();
        queue
            .try_set_avail_ring_address(GuestAddress(AVAIL))
            .unwrap();
        queue.try_set_used_ring_address(GuestAddress(USED)).unwrap();
        queue.set_ready(true);
        Self {
            test_ram: ram_owner,
            mem,
            queue,
            offered: 0,
        }
    }

    // The guest is little-endian, as virtio 1.x rings and headers are:
    // values are stored as `to_le()` and read back with `from_le()`, so
    // the tests mean the same bytes on a big-endian host (s390x).
    fn desc(&self, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let at = GuestAddress(DESC + 16 * u64::from(i));
        self.mem.write_obj(addr.to_le(), at).unwrap();
        self.mem
            .write_obj(len.to_le(), GuestAddress(at.0 + 8))
            .unwrap();
        self.mem
            .write_obj(flags.to_le(), GuestAddress(at.0 + 12))
            .unwrap();
        self.mem
            .write_obj(next.to_le(), GuestAddress(at.0 + 14))
            .unwrap();
    }

    fn header(&self, addr: u64, kind: u32, sector: u64) {
        self.mem
            .write_obj(kind.to_le(), GuestAddress(addr))
            .unwrap();
        self.mem.write_obj(0u32, GuestAddress(addr + 4)).unwrap();
        self.mem
            .write_obj(sector.to_le(), GuestAddress(addr + 8))
            .unwrap();
    }

    /// Makes the chain at `head` available.
    fn offer(&mut self, head: u16) {
        let slot = u64::from(self.offered % QSIZE);
        self.mem
            .write_obj(head.to_le(), GuestAddress(AVAIL + 4 + 2 * slot))
            .unwrap();
        self.offered = self.offered.wrapping_add(1);
        self.mem
            .write_obj(self.offered.to_le(), GuestAddress(AVAIL + 2))
            .unwrap();
    }

    /// Runs the queue; returns the results the probe would see.
    fn run(&mut self, disk: &Disk<&MemImage>) -> Vec<Result<(u32, u8), Malformed>> {
        let mut seen = Vec::new();
        disk.process_queue(&self.mem, &mut self.queue, |parsed, st| {
            seen.push(
                parsed
                    .as_ref()
                    .map(|r: &Request| (r.kind, st))
                    .map_err(|e| e.0),
            );
        })
        .unwrap();
        seen
    }

    /// The used ring's entry `i`: (id, len).
    fn used(&self, i: u16) -> (u32, u32) {
        let at = USED + 4 + 8 * u64::from(i);
        (
            u32::from_le(self.mem.read_obj(GuestAddress(at)).unwrap()),
            u32::from_le(self.mem.read_obj(GuestAddress(at + 4)).unwrap()),
        )
    }

    fn byte(&self, addr: u64) -> u8 {
        self.mem.read_obj(GuestAddress(addr)).unwrap()
    }

    /// A three-descriptor request at descriptors 0..3: header at BUF,
    /// data (`data_flags`) at BUF + 0x100, status at BUF + 0xff.
    fn request(&mut self, kind: u32, sector: u64, data_len: u32, data_flags: u16) {
        self.header(BUF, kind, sector);
        self.desc(0, BUF, 16, NEXT, 1);
        self.desc(1, BUF + 0x100, data_len, data_flags | NEXT, 2);
        self.desc(2, BUF + 0xff, 1, WRITE, 0);
        self.mem
            .write_obj(0xaau8, GuestAddress(BUF + 0xff))
            .unwrap();
        self.offer(0);
    }
}

#[test]
fn a_write_reaches_the_image_and_reads_back() {
    let image = MemImage::new(8);
    let disk = Disk::new(&image, false, "disk0");
    let mut g = Guest::new();
    let data: Vec<u8> = (0..1024u32).map(|i| (i * 7) as u8).collect();
    g.mem.write_slice(&data, GuestAddress(BUF + 0x100)).unwrap();
    g.request(req::OUT, 2, 1024, 0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::OK))]);
    assert_eq!(g.byte(BUF + 0xff), status::OK);
    assert_eq!(g.used(0), (0, 1));
    assert_eq!(image.data.borrow()[1024..2048], data[..]);
    assert_eq!(image.data.borrow()[1023], 0xee, "nothing before sector 2");
    assert_eq!(image.data.borrow()[2048], 0xee, "nothing after sector 3");

    g.mem
        .write_slice(&[0; 1024], GuestAddress(BUF + 0x100))
        .unwrap();
    g.request(req::IN, 2, 1024, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::OK))]);
    assert_eq!(g.used(1), (0, 1025), "the data and the status byte");
    let mut back = vec![0; 1024];
    g.mem
        .read_slice(&mut back, GuestAddress(BUF + 0x100))
        .unwrap();
    assert_eq!(back, data);
}

#[test]
fn flush_reaches_the_backend_before_completing() {
    let image = MemImage::new(1);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    g.header(BUF, req::FLUSH, 0);
    g.desc(0, BUF, 16, NEXT, 1);
    g.desc(1, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Ok((req::FLUSH, status::OK))]);
    assert_eq!(image.flushes.get(), 1);
    assert_eq!(g.byte(BUF + 0xff), status::OK);
}

#[test]
fn get_id_answers_the_padded_id() {
    let image = MemImage::new(1);
    let disk = Disk::new(&image, false, "disk0");
    let mut g = Guest::new();
    g.mem
        .write_slice(&[0xff; 32], GuestAddress(BUF + 0x100))
        .unwrap();
    g.request(req::GET_ID, 0, 32, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::GET_ID, status::OK))]);
    let mut id = [0; 21];
    g.mem
        .read_slice(&mut id, GuestAddress(BUF + 0x100))
        .unwrap();
    assert_eq!(&id[..20], b"disk0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert_eq!(id[20], 0xff, "20 bytes, no more");
    assert_eq!(g.used(0), (0, 21));
}

#[test]
fn a_read_only_disk_refuses_writes_and_keeps_its_data() {
    let image = MemImage::new(2);
    let disk = Disk::new(&image, true, "ro");
    assert_ne!(disk.features() & crate::blk::feature::RO, 0);
    let mut g = Guest::new();
    g.request(req::OUT, 0, 512, 0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::IOERR))]);
    assert_eq!(g.byte(BUF + 0xff), status::IOERR);
    assert!(image.data.borrow().iter().all(|&b| b == 0xee));
    // Reads still work.
    g.request(req::IN, 1, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::OK))]);
}

#[test]
fn bad_requests_get_their_status() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    // An unknown type.
    g.request(99, 0, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((99, status::UNSUPP))]);
    // Past the end, and straddling it.
    g.request(req::IN, 4, 512, WRITE);
    g.run(&disk);
    assert_eq!(g.byte(BUF + 0xff), status::IOERR);
    g.request(req::OUT, 3, 1024, 0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::IOERR))]);
    g.request(req::IN, u64::MAX, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::IOERR))]);
    // Part of a sector.
    g.request(req::OUT, 0, 100, 0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::IOERR))]);
    assert!(
        image.data.borrow().iter().all(|&b| b == 0xee),
        "no write happened"
    );
}

#[test]
fn data_in_the_wrong_direction_is_an_error() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    // IN whose data the device would have to read, OUT whose data it
    // would have to write.
    g.request(req::IN, 0, 512, 0);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::IOERR))]);
    g.request(req::OUT, 0, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::IOERR))]);
    // A readable descriptor after a writable one.
    g.header(BUF, req::OUT, 0);
    g.desc(0, BUF, 16, NEXT, 1);
    g.desc(1, BUF + 0x100, 512, WRITE | NEXT, 2);
    g.desc(2, BUF + 0x400, 512, NEXT, 3);
    g.desc(3, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::ReadableAfterWritable)]);
    assert_eq!(g.byte(BUF + 0xff), status::IOERR);
    assert!(image.data.borrow().iter().all(|&b| b == 0xee));
}

#[test]
fn malformed_chains_never_panic() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    // A loop: 0 -> 1 -> 0.
    g.header(BUF, req::IN, 0);
    g.desc(0, BUF, 16, NEXT, 1);
    g.desc(1, BUF + 0xff, 1, WRITE | NEXT, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::Unterminated)]);
    // A next index beyond the table.
    g.desc(0, BUF, 16, NEXT, 200);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::Unterminated)]);
    assert_eq!(g.used(1), (0, 0), "no status byte to write: length 0");
    // A header of 8 bytes.
    g.desc(0, BUF, 8, NEXT, 1);
    g.desc(1, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::ShortHeader)]);
    assert_eq!(g.byte(BUF + 0xff), status::IOERR);
    // No writable descriptor for the status.
    g.desc(0, BUF, 16, 0, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::NoStatus)]);
    assert_eq!(g.used(3), (0, 0));
    // A header in a hole, data in a hole, a status byte in a hole.
    g.desc(0, HOLE, 16, NEXT, 1);
    g.desc(1, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::BadAddress)]);
    g.header(BUF, req::OUT, 0);
    g.desc(0, BUF, 16, NEXT, 1);
    g.desc(1, RAM + 0xff00, 0x200, NEXT, 2);
    g.desc(2, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(
        g.run(&disk),
        [Err(Malformed::BadAddress)],
        "data runs off the end of RAM"
    );
    g.desc(1, HOLE, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Err(Malformed::BadAddress)]);
    assert_eq!(g.used(6), (0, 0));
    assert!(image.data.borrow().iter().all(|&b| b == 0xee));
}

#[test]
fn the_header_may_be_split_across_descriptors() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    g.header(BUF, req::OUT, 1);
    g.mem
        .write_slice(&[0x42; 512], GuestAddress(BUF + 0x100))
        .unwrap();
    g.desc(0, BUF, 8, NEXT, 1);
    g.desc(1, BUF + 8, 8, NEXT, 2);
    g.desc(2, BUF + 0x100, 512, NEXT, 3);
    g.desc(3, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::OK))]);
    assert!(image.data.borrow()[512..1024].iter().all(|&b| b == 0x42));
}

#[test]
fn host_io_errors_become_ioerr() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    image.fail.set(true);
    g.request(req::IN, 0, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::IOERR))]);
    g.request(req::OUT, 0, 512, 0);
    assert_eq!(g.run(&disk), [Ok((req::OUT, status::IOERR))]);
    g.header(BUF, req::FLUSH, 0);
    g.desc(0, BUF, 16, NEXT, 1);
    g.desc(1, BUF + 0xff, 1, WRITE, 0);
    g.offer(0);
    assert_eq!(g.run(&disk), [Ok((req::FLUSH, status::IOERR))]);
    image.fail.set(false);
    g.request(req::IN, 0, 512, WRITE);
    assert_eq!(g.run(&disk), [Ok((req::IN, status::OK))]);
}

#[test]
fn an_avail_index_out_of_range_is_an_error_not_a_panic() {
    let image = MemImage::new(1);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    g.mem
        .write_obj(1000u16.to_le(), GuestAddress(AVAIL + 2))
        .unwrap();
    assert!(disk.process_queue(&g.mem, &mut g.queue, |_, _| {}).is_err());
}

#[test]
fn chains_made_available_are_each_done_once() {
    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let mut g = Guest::new();
    g.request(req::IN, 0, 512, WRITE);
    g.offer(0);
    assert_eq!(g.run(&disk).len(), 2);
    assert_eq!(g.run(&disk).len(), 0, "nothing new was made available");
    assert_eq!(g.queue.next_avail(), 2);
    assert_eq!(g.queue.next_used(), 2);
}

#[test]
fn the_config_space_says_capacity_seg_max_and_blk_size() {
    let image = MemImage::new(6);
    let disk = Disk::new(&image, false, "d");
    assert_eq!(disk.read_config(0, 8), Some(6));
    assert_eq!(disk.read_config(0, 4), Some(6));
    assert_eq!(disk.read_config(4, 4), Some(0));
    assert_eq!(disk.read_config(12, 4), Some(crate::blk::SEG_MAX.into()));
    assert_eq!(disk.read_config(20, 4), Some(512));
    assert_eq!(disk.read_config(22, 4), None, "past the end");
    assert_eq!(disk.read_config(0, 3), None);
}

/// An IOMMU that maps the guest RAM at IOVA = physical + IOVA_SHIFT and
/// faults everywhere else (cause 13 on reads, 15 on writes).
struct Shifted;
const IOVA_SHIFT: u64 = 0x4000_0000;

impl rivet_hwcore::iommu::Translate for Shifted {
    fn translate(&self, iova: u64, len: u64, access: u32) -> Result<(u64, u64), i32> {
        let end = RAM + 0x10000 + IOVA_SHIFT;
        if (RAM + IOVA_SHIFT..end).contains(&iova) {
            Ok((iova - IOVA_SHIFT, len.min(end - iova)))
        } else if access & 2 != 0 {
            Err(15)
        } else {
            Err(13)
        }
    }
    fn generation(&self) -> u64 {
        0
    }
}

#[test]
fn behind_an_iommu_the_device_sees_iovas() {
    use rivet_hwcore::iommu::DeviceIommu;
    use rivet_memory::vm_memory::IommuMemory;

    let image = MemImage::new(4);
    let disk = Disk::new(&image, false, "d");
    let g = Guest::new();
    let mem = IommuMemory::new(
        g.test_ram.ram(),
        DeviceIommu::with_source(Shifted),
        true,
        (),
    );
    let mut queue = Queue::new(QSIZE).unwrap();
    queue.set_size(QSIZE);
    queue
        .try_set_desc_table_address(GuestAddress(DESC + IOVA_SHIFT))
        .unwrap();
    queue
        .try_set_avail_ring_address(GuestAddress(AVAIL + IOVA_SHIFT))
        .unwrap();
    queue
        .try_set_used_ring_address(GuestAddress(USED + IOVA_SHIFT))
        .unwrap();
    queue.set_ready(true);
    let mut g = g;
    g.header(BUF, req::OUT, 1);
    g.mem
        .write_slice(&[0x5c; 512], GuestAddress(BUF + 0x100))
        .unwrap();
    g.desc(0, BUF + IOVA_SHIFT, 16, NEXT, 1);
    g.desc(1, BUF + 0x100 + IOVA_SHIFT, 512, NEXT, 2);
    g.desc(2, BUF + 0xff + IOVA_SHIFT, 1, WRITE, 0);
    g.offer(0);
    let mut seen = Vec::new();
    disk.process_queue(&mem, &mut queue, |p, st| {
        seen.push(p.as_ref().map(|r| (r.kind, st)).map_err(|e| e.0))
    })
    .unwrap();
    assert_eq!(seen, [Ok((req::OUT, status::OK))]);
    assert!(image.data.borrow()[512..1024].iter().all(|&b| b == 0x5c));
    assert_eq!(g.byte(BUF + 0xff), status::OK);
    // A physical address is not an IOVA: the IOMMU refuses it, the
    // request fails and nothing is written.
    g.desc(1, BUF + 0x100, 512, NEXT, 2);
    g.offer(0);
    seen.clear();
    disk.process_queue(&mem, &mut queue, |p, st| {
        seen.push(p.as_ref().map(|r| (r.kind, st)).map_err(|e| e.0))
    })
    .unwrap();
    assert_eq!(seen, [Err(Malformed::BadAddress)]);
    assert_eq!(g.byte(BUF + 0xff), status::IOERR);
}

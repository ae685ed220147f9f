"""A reader of QEMU migration streams, driven by the stream's own trailing
JSON VM description, as QEMU's analysis tools read them.  The migration
tests use it to check that rivet's snapshots are inspectable that way and
to find the byte offset of any record or field they want to corrupt.

parse(data) returns a Stream: .records (type, offset, end, name) in stream
order and .fields, a dict "section/field[i]..." -> Field(offset, size,
value).  It raises ValueError on anything that does not follow the format.
"""

import json
import struct
from dataclasses import dataclass, field

MAGIC = 0x5145564D
EOF_, START, PART, END, FULL, SUB, DESC, CONFIG, FOOTER = (
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x7E)
RAM_ZERO, RAM_MEM_SIZE, RAM_PAGE, RAM_EOS, RAM_CONTINUE = 0x02, 0x04, 0x08, 0x10, 0x20


@dataclass
class Field:
    offset: int
    size: int
    value: int


@dataclass
class Record:
    type: int
    offset: int
    end: int = 0
    name: str = ""


@dataclass
class Stream:
    records: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    description: dict = field(default_factory=dict)
    ram_pages: dict = field(default_factory=dict)  # page offset -> "zero"|"data"
    ram_data: dict = field(default_factory=dict)  # page offset -> its 4096 bytes

    def ram_read(self, offset, n):
        """n bytes of RAM from offset in the block (within one page); a
        zero page, or one the stream does not carry, reads as zeros."""
        page, at = offset & ~0xFFF, offset & 0xFFF
        return self.ram_data.get(page, bytes(4096))[at:at + n]


class _Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("truncated at offset %d" % self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u(self, n):
        return int.from_bytes(self.take(n), "big")

    def str8(self):
        return self.take(self.u(1)).decode("latin-1")


def _description(data):
    """The JSON after EOF: the last 0x06 record whose length ends the data."""
    start = data.rfind(b"{")
    while start >= 5:
        if data[start - 5] == DESC and \
                struct.unpack(">I", data[start - 4:start])[0] == len(data) - start:
            return json.loads(data[start:].decode("utf-8")), start - 5
        start = data.rfind(b"{", 0, start)
    raise ValueError("no VM description after EOF")


def _read_fields(r, s, prefix, desc):
    for f in desc["fields"]:
        count = f.get("array_len")
        for i in range(1 if count is None else count):
            name = prefix + f["name"] + ("" if count is None else "[%d]" % i)
            if f["type"] == "struct":
                _read_fields(r, s, name + ".", f["struct"])
            else:
                off = r.pos
                s.fields[name] = Field(off, f["size"], r.u(f["size"]))
    for sub in desc.get("subsections", []):
        if r.u(1) != SUB:
            raise ValueError("subsection %s missing" % sub["vmsd_name"])
        name = r.str8()
        r.u(4)
        _read_fields(r, s, prefix + name + "/", sub)


def _read_ram(r, s):
    block = None
    while True:
        word = r.u(8)
        flags, addr = word & 0xFFF, word & ~0xFFF
        if flags & RAM_MEM_SIZE:
            total = addr
            while total > 0:
                r.str8()
                total -= r.u(8)
            flags &= ~RAM_MEM_SIZE
        if flags & (RAM_ZERO | RAM_PAGE):
            if not flags & RAM_CONTINUE:
                block = r.str8()
            if block is None:
                raise ValueError("RAM page without a block")
            if flags & RAM_ZERO:
                r.u(1)
                s.ram_pages[addr] = "zero"
            else:
                s.ram_data[addr] = r.take(4096)
                s.ram_pages[addr] = "data"
            flags &= ~(RAM_ZERO | RAM_PAGE | RAM_CONTINUE)
        if flags & RAM_EOS:
            return
        if flags:
            raise ValueError("unknown RAM flags 0x%x" % flags)


def parse(data):
    s = Stream()
    s.description, desc_at = _description(data)
    devices = {(d["name"], d["instance_id"]): d for d in s.description["devices"]}
    r = _Reader(data[:desc_at])
    if r.u(4) != MAGIC or r.u(4) != 3:
        raise ValueError("not a QEVM version 3 stream")
    ids = {}
    while True:
        rec = Record(r.u(1), r.pos - 1)
        s.records.append(rec)
        if rec.type == EOF_:
            rec.end = r.pos
            break
        if rec.type == CONFIG:
            rec.name = r.take(r.u(4)).decode()
        elif rec.type in (START, FULL):
            sid = r.u(4)
            name, inst, _version = r.str8(), r.u(4), r.u(4)
            ids[sid] = (name, inst)
            rec.name = name
            if rec.type == START:
                _read_ram(r, s)
            else:
                _read_fields(r, s, name + "/", devices[(name, inst)])
        elif rec.type in (PART, END):
            rec.name = ids[r.u(4)][0]
            _read_ram(r, s)
        elif rec.type == FOOTER:
            r.u(4)
        else:
            raise ValueError("unknown record 0x%02x at %d" % (rec.type, rec.offset))
        rec.end = r.pos
    if r.pos != desc_at:
        raise ValueError("%d bytes between EOF and the description" % (desc_at - r.pos))
    s.records.append(Record(DESC, desc_at, len(data), "vmdescription"))
    return s

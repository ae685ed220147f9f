/*
 * ELF64 and raw-binary loaders.  An image is validated completely before a
 * single byte reaches guest RAM, so a malformed file never leaves a
 * half-loaded machine behind.
 *
 * A file is never read whole: the loader reads the headers it needs, checks
 * every size against RAM and against the file, and only then copies the
 * loadable bytes into guest RAM through a small buffer.  The host holds no
 * copy of the image; a reload (guest reset) reads the file again.
 */
#include "machine/loader.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/input-file.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* Symbols searched for `tohost`, over all symbol tables: a bound on the
 * reads a hostile section table can ask for, far above real firmware (a
 * Linux kernel has about 150k). */
#define LOADER_MAX_SYMBOLS (1u << 20)

/* Bytes copied to guest RAM per read. */
#define LOADER_CHUNK 65536

void loader_source_init_buffer(LoaderSource *src, const char *name,
                               const uint8_t *data, size_t size)
{
    memset(src, 0, sizeof(*src));
    src->name = strdup(name);
    src->fd = -1;
    src->data = data;
    src->size = size;
}

/* The file's identity for the reload check: a file rewritten in place
 * changes its size or modification time. */
static bool loader_file_unchanged(const LoaderSource *src,
                                  const struct stat *st)
{
    return (uint64_t)st->st_size == src->size &&
           st->st_mtim.tv_sec == src->mtime_sec &&
           st->st_mtim.tv_nsec == src->mtime_nsec;
}

bool loader_source_open(LoaderSource *src, const char *path, Error **errp)
{
    memset(src, 0, sizeof(*src));
    src->fd = -1;
    struct stat st;
    int fd = input_file_open(path, "firmware", &st, errp);
    if (fd < 0) {
        return false;
    }
    src->name = strdup(path);
    src->fd = fd;
    src->size = (uint64_t)st.st_size;
    src->mtime_sec = st.st_mtim.tv_sec;
    src->mtime_nsec = st.st_mtim.tv_nsec;
    return true;
}

void loader_source_close(LoaderSource *src)
{
    if (src->fd >= 0) {
        close(src->fd);
    }
    free(src->name);
    memset(src, 0, sizeof(*src));
    src->fd = -1;
}

/* Reads [off, off + len) of the image, which the caller checked lies
 * inside it. */
static bool source_read(const LoaderSource *src, uint64_t off, void *buf,
                        size_t len, Error **errp)
{
    if (src->fd < 0) {
        memcpy(buf, src->data + off, len);
        return true;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = pread(src->fd, (uint8_t *)buf + done, len - done,
                          (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error_setg_errno(errp, errno, "could not read firmware '%s'",
                             src->name);
            return false;
        }
        if (n == 0) {
            error_setg(errp, "firmware '%s' became shorter while being read",
                       src->name);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

/* Copies len bytes at file offset off to guest address addr. */
static bool source_copy_to_guest(const LoaderSource *src, uint64_t off,
                                 uint64_t len, AddressSpace *as, uint64_t addr,
                                 Error **errp)
{
    static uint8_t chunk[LOADER_CHUNK];
    for (uint64_t done = 0; done < len;) {
        size_t n =
            len - done < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
        if (!source_read(src, off + done, chunk, n, errp)) {
            return false;
        }
        address_space_write(as, addr + done, chunk, n);
        done += n;
    }
    return true;
}

static void guest_zero(AddressSpace *as, uint64_t addr, uint64_t len)
{
    static const uint8_t zeros[4096];
    for (uint64_t done = 0; done < len;) {
        uint64_t chunk = len - done;
        chunk = chunk > sizeof(zeros) ? sizeof(zeros) : chunk;
        address_space_write(as, addr + done, zeros, chunk);
        done += chunk;
    }
}

static bool range_inside_ram(uint64_t addr, uint64_t len, uint64_t ram_base,
                             uint64_t ram_size)
{
    return addr >= ram_base && len <= ram_size &&
           addr - ram_base <= ram_size - len;
}

/* Checks that [off, off + len) lies inside an image of size bytes. */
static bool range_inside_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/*
 * RISC-V ELF files are little-endian; these read a header or table entry
 * in host byte order, so the loader also works on a big-endian host such
 * as s390x.
 */
static bool elf_read_ehdr(const LoaderSource *src, Elf64_Ehdr *eh, Error **errp)
{
    if (!source_read(src, 0, eh, sizeof(*eh), errp)) {
        return false;
    }
    eh->e_type = le16toh(eh->e_type);
    eh->e_machine = le16toh(eh->e_machine);
    eh->e_version = le32toh(eh->e_version);
    eh->e_entry = le64toh(eh->e_entry);
    eh->e_phoff = le64toh(eh->e_phoff);
    eh->e_shoff = le64toh(eh->e_shoff);
    eh->e_flags = le32toh(eh->e_flags);
    eh->e_ehsize = le16toh(eh->e_ehsize);
    eh->e_phentsize = le16toh(eh->e_phentsize);
    eh->e_phnum = le16toh(eh->e_phnum);
    eh->e_shentsize = le16toh(eh->e_shentsize);
    eh->e_shnum = le16toh(eh->e_shnum);
    eh->e_shstrndx = le16toh(eh->e_shstrndx);
    return true;
}

static bool elf_read_phdr(const LoaderSource *src, const Elf64_Ehdr *eh,
                          unsigned i, Elf64_Phdr *ph, Error **errp)
{
    if (!source_read(src, eh->e_phoff + (uint64_t)i * sizeof(*ph), ph,
                     sizeof(*ph), errp)) {
        return false;
    }
    ph->p_type = le32toh(ph->p_type);
    ph->p_flags = le32toh(ph->p_flags);
    ph->p_offset = le64toh(ph->p_offset);
    ph->p_vaddr = le64toh(ph->p_vaddr);
    ph->p_paddr = le64toh(ph->p_paddr);
    ph->p_filesz = le64toh(ph->p_filesz);
    ph->p_memsz = le64toh(ph->p_memsz);
    ph->p_align = le64toh(ph->p_align);
    return true;
}

static bool elf_read_shdr(const LoaderSource *src, const Elf64_Ehdr *eh,
                          unsigned i, Elf64_Shdr *sh, Error **errp)
{
    if (!source_read(src, eh->e_shoff + (uint64_t)i * sizeof(*sh), sh,
                     sizeof(*sh), errp)) {
        return false;
    }
    sh->sh_name = le32toh(sh->sh_name);
    sh->sh_type = le32toh(sh->sh_type);
    sh->sh_flags = le64toh(sh->sh_flags);
    sh->sh_addr = le64toh(sh->sh_addr);
    sh->sh_offset = le64toh(sh->sh_offset);
    sh->sh_size = le64toh(sh->sh_size);
    sh->sh_link = le32toh(sh->sh_link);
    sh->sh_info = le32toh(sh->sh_info);
    sh->sh_addralign = le64toh(sh->sh_addralign);
    sh->sh_entsize = le64toh(sh->sh_entsize);
    return true;
}

/* HTIF's mailboxes, the symbols looked for. */
static const char *const elf_htif_symbols[2] = {"tohost", "fromhost"};
#define ELF_HTIF_SYMBOL_MAX 9 /* "fromhost" and its NUL */

/* Finds the values of the symbols `tohost` and `fromhost` (HTIF's
 * mailboxes) in the symbol tables; each stays LOADER_NO_TOHOST if there is
 * none.  A table that lies outside the file is skipped; more than
 * LOADER_MAX_SYMBOLS symbols are refused. */
static bool elf_find_htif(const LoaderSource *src, const Elf64_Ehdr *eh,
                          uint64_t value[2], Error **errp)
{
    value[0] = value[1] = LOADER_NO_TOHOST;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !range_inside_file(eh->e_shoff,
                           (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
                           src->size)) {
        return true;
    }
    uint64_t budget = LOADER_MAX_SYMBOLS;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        Elf64_Shdr symtab, strtab;
        if (!elf_read_shdr(src, eh, i, &symtab, errp)) {
            return false;
        }
        if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= eh->e_shnum ||
            symtab.sh_entsize != sizeof(Elf64_Sym)) {
            continue;
        }
        if (!elf_read_shdr(src, eh, symtab.sh_link, &strtab, errp)) {
            return false;
        }
        if (!range_inside_file(symtab.sh_offset, symtab.sh_size, src->size) ||
            !range_inside_file(strtab.sh_offset, strtab.sh_size, src->size)) {
            continue;
        }
        uint64_t count = symtab.sh_size / sizeof(Elf64_Sym);
        if (count > budget) {
            error_setg(errp,
                       "'%s' has more than %u symbols (section %u has "
                       "%llu)",
                       src->name, LOADER_MAX_SYMBOLS, i,
                       (unsigned long long)count);
            return false;
        }
        budget -= count;
        for (uint64_t s = 0; s < count;) {
            Elf64_Sym syms[256];
            size_t n = count - s < 256 ? (size_t)(count - s) : 256;
            if (!source_read(src, symtab.sh_offset + s * sizeof(syms[0]), syms,
                             n * sizeof(syms[0]), errp)) {
                return false;
            }
            s += n;
            for (size_t k = 0; k < n; k++) {
                uint64_t off = le32toh(syms[k].st_name);
                for (unsigned j = 0; j < 2; j++) {
                    size_t len = strlen(elf_htif_symbols[j]) + 1;
                    char found[ELF_HTIF_SYMBOL_MAX];
                    if (value[j] != LOADER_NO_TOHOST || off >= strtab.sh_size ||
                        strtab.sh_size - off < len) {
                        continue;
                    }
                    if (!source_read(src, strtab.sh_offset + off, found, len,
                                     errp)) {
                        return false;
                    }
                    if (memcmp(found, elf_htif_symbols[j], len) == 0) {
                        value[j] = le64toh(syms[k].st_value);
                    }
                }
                if (value[0] != LOADER_NO_TOHOST &&
                    value[1] != LOADER_NO_TOHOST) {
                    return true;
                }
            }
        }
    }
    return true;
}

static bool load_elf_image(const LoaderSource *src, AddressSpace *as,
                           uint64_t ram_base, uint64_t ram_size,
                           LoadedImage *out, Error **errp)
{
    const char *name = src->name;
    Elf64_Ehdr eh;
    if (src->size < sizeof(Elf64_Ehdr)) {
        error_setg(errp, "'%s' is not a 64-bit little-endian ELF file", name);
        return false;
    }
    if (!elf_read_ehdr(src, &eh, errp)) {
        return false;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "'%s' is not a 64-bit little-endian ELF file", name);
        return false;
    }
    if (eh.e_machine != EM_RISCV) {
        error_setg(errp, "'%s' is an ELF file for machine %u, not RISC-V", name,
                   eh.e_machine);
        return false;
    }
    if (eh.e_type != ET_EXEC) {
        error_setg(errp, "'%s' is not an executable ELF file (type %u)", name,
                   eh.e_type);
        return false;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        !range_inside_file(
            eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), src->size)) {
        error_setg(errp, "'%s' has a corrupt program header table", name);
        return false;
    }

    /* First pass: validate every loadable segment against the file and
     * RAM, before reading any of them. */
    uint64_t low = UINT64_MAX, high = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (!elf_read_phdr(src, &eh, i, &ph, errp)) {
            return false;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz ||
            !range_inside_file(ph.p_offset, ph.p_filesz, src->size)) {
            error_setg(errp, "'%s' is truncated or corrupt (segment %u)", name,
                       i);
            return false;
        }
        if (!range_inside_ram(ph.p_paddr, ph.p_memsz, ram_base, ram_size)) {
            error_setg(errp,
                       "'%s': segment %u at 0x%llx (0x%llx bytes) is outside "
                       "RAM 0x%llx-0x%llx",
                       name, i, (unsigned long long)ph.p_paddr,
                       (unsigned long long)ph.p_memsz,
                       (unsigned long long)ram_base,
                       (unsigned long long)(ram_base + ram_size - 1));
            return false;
        }
        low = ph.p_paddr < low ? ph.p_paddr : low;
        high = ph.p_paddr + ph.p_memsz > high ? ph.p_paddr + ph.p_memsz : high;
    }
    if (low == UINT64_MAX) {
        error_setg(errp, "'%s' has no loadable segments", name);
        return false;
    }
    if (!range_inside_ram(eh.e_entry, 4, ram_base, ram_size)) {
        error_setg(errp, "'%s': entry point 0x%llx is outside RAM", name,
                   (unsigned long long)eh.e_entry);
        return false;
    }
    uint64_t htif[2];
    if (!elf_find_htif(src, &eh, htif, errp)) {
        return false;
    }

    /* Second pass: copy.  Every range was checked to be RAM; only a file
     * that changes under us can still fail. */
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (!elf_read_phdr(src, &eh, i, &ph, errp)) {
            return false;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (!source_copy_to_guest(src, ph.p_offset, ph.p_filesz, as, ph.p_paddr,
                                  errp)) {
            return false;
        }
        guest_zero(as, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz);
    }
    out->entry = eh.e_entry;
    out->low_addr = low;
    out->high_addr = high;
    out->tohost_addr = htif[0];
    if (out->tohost_addr != LOADER_NO_TOHOST &&
        !range_inside_ram(out->tohost_addr, 8, ram_base, ram_size)) {
        out->tohost_addr = LOADER_NO_TOHOST;
    }
    /* Without a usable `fromhost` of its own (8 aligned bytes of RAM clear
     * of tohost), it is the word after tohost, as rivet always had it. */
    out->fromhost_addr = htif[1];
    if (out->tohost_addr == LOADER_NO_TOHOST) {
        out->fromhost_addr = LOADER_NO_TOHOST;
    } else if (out->fromhost_addr == LOADER_NO_TOHOST ||
               (out->fromhost_addr & 7) ||
               !range_inside_ram(out->fromhost_addr, 8, ram_base, ram_size) ||
               (out->fromhost_addr + 8 > out->tohost_addr &&
                out->fromhost_addr < out->tohost_addr + 8)) {
        out->fromhost_addr = out->tohost_addr + 8;
    }
    return true;
}

static bool load_raw_image(const LoaderSource *src, AddressSpace *as,
                           uint64_t ram_base, uint64_t ram_size,
                           LoadedImage *out, Error **errp)
{
    if (src->size == 0) {
        error_setg(errp, "firmware '%s' is empty", src->name);
        return false;
    }
    if (src->size > ram_size) {
        error_setg(errp,
                   "firmware '%s' (%llu bytes) does not fit in RAM (%llu "
                   "bytes)",
                   src->name, (unsigned long long)src->size,
                   (unsigned long long)ram_size);
        return false;
    }
    if (!source_copy_to_guest(src, 0, src->size, as, ram_base, errp)) {
        return false;
    }
    out->entry = ram_base;
    out->low_addr = ram_base;
    out->high_addr = ram_base + src->size;
    out->tohost_addr = LOADER_NO_TOHOST;
    out->fromhost_addr = LOADER_NO_TOHOST;
    return true;
}

bool load_image(const LoaderSource *src, AddressSpace *as, uint64_t ram_base,
                uint64_t ram_size, LoadedImage *out, Error **errp)
{
    if (src->fd >= 0) {
        struct stat st;
        if (fstat(src->fd, &st) != 0 || !loader_file_unchanged(src, &st)) {
            error_setg(errp,
                       "firmware '%s' changed on disk since it was first "
                       "loaded, so it cannot be loaded again",
                       src->name);
            return false;
        }
    }
    uint8_t magic[SELFMAG];
    if (src->size >= SELFMAG) {
        if (!source_read(src, 0, magic, SELFMAG, errp)) {
            return false;
        }
        if (memcmp(magic, ELFMAG, SELFMAG) == 0) {
            return load_elf_image(src, as, ram_base, ram_size, out, errp);
        }
    }
    return load_raw_image(src, as, ram_base, ram_size, out, errp);
}

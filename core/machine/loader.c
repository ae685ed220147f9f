/*
 * ELF64 and raw-binary loaders.  An image is validated completely before a
 * single byte reaches guest RAM, so a malformed file never leaves a
 * half-loaded machine behind.
 */
#include "machine/loader.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* Largest image we accept; far above any RAM size we allow. */
#define LOADER_MAX_FILE_SIZE (1ULL << 34)

bool loader_read_file(const char *path, uint8_t **data, size_t *size,
                      Error **errp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_setg_errno(errp, errno, "could not open firmware '%s'", path);
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "firmware '%s' is not a regular file", path);
        fclose(f);
        return false;
    }
    if ((unsigned long long)st.st_size > LOADER_MAX_FILE_SIZE) {
        error_setg(errp, "firmware '%s' is too large (%lld bytes)", path,
                   (long long)st.st_size);
        fclose(f);
        return false;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf || fread(buf, 1, len, f) != len) {
        error_setg(errp, "could not read firmware '%s'", path);
        free(buf);
        fclose(f);
        return false;
    }
    fclose(f);
    *data = buf;
    *size = len;
    return true;
}

bool loader_is_elf(const uint8_t *data, size_t size)
{
    return size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static bool range_inside_ram(uint64_t addr, uint64_t len, uint64_t ram_base,
                             uint64_t ram_size)
{
    return addr >= ram_base && len <= ram_size &&
           addr - ram_base <= ram_size - len;
}

/*
 * RISC-V ELF files are little-endian; these copy a header or table entry
 * out of the file (which may be unaligned) in host byte order, so the
 * loader also works on a big-endian host such as s390x.
 */
static void elf_read_ehdr(Elf64_Ehdr *eh, const uint8_t *p)
{
    memcpy(eh, p, sizeof(*eh));
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
}

static void elf_read_phdr(Elf64_Phdr *ph, const uint8_t *p)
{
    memcpy(ph, p, sizeof(*ph));
    ph->p_type = le32toh(ph->p_type);
    ph->p_flags = le32toh(ph->p_flags);
    ph->p_offset = le64toh(ph->p_offset);
    ph->p_vaddr = le64toh(ph->p_vaddr);
    ph->p_paddr = le64toh(ph->p_paddr);
    ph->p_filesz = le64toh(ph->p_filesz);
    ph->p_memsz = le64toh(ph->p_memsz);
    ph->p_align = le64toh(ph->p_align);
}

static void elf_read_shdr(Elf64_Shdr *sh, const uint8_t *p)
{
    memcpy(sh, p, sizeof(*sh));
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
}

static void elf_read_sym(Elf64_Sym *sym, const uint8_t *p)
{
    memcpy(sym, p, sizeof(*sym));
    sym->st_name = le32toh(sym->st_name);
    sym->st_shndx = le16toh(sym->st_shndx);
    sym->st_value = le64toh(sym->st_value);
    sym->st_size = le64toh(sym->st_size);
}

/* Checks that [off, off + len) lies inside a buffer of size bytes. */
static bool range_inside_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* Finds the value of symbol `name` in the symbol tables, or
 * LOADER_NO_TOHOST.  Tables are copied out with memcpy because a hostile
 * file may place them at unaligned offsets. */
static uint64_t elf_find_symbol(const uint8_t *data, size_t size,
                                const Elf64_Ehdr *eh, const char *name)
{
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !range_inside_file(eh->e_shoff,
                           (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size)) {
        return LOADER_NO_TOHOST;
    }
    size_t namelen = strlen(name);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        Elf64_Shdr symtab, strtab;
        elf_read_shdr(&symtab, data + eh->e_shoff + i * sizeof(symtab));
        if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= eh->e_shnum ||
            symtab.sh_entsize != sizeof(Elf64_Sym)) {
            continue;
        }
        elf_read_shdr(&strtab,
                      data + eh->e_shoff + symtab.sh_link * sizeof(strtab));
        if (!range_inside_file(symtab.sh_offset, symtab.sh_size, size) ||
            !range_inside_file(strtab.sh_offset, strtab.sh_size, size)) {
            continue;
        }
        const char *strs = (const char *)(data + strtab.sh_offset);
        for (uint64_t s = 0; s < symtab.sh_size / sizeof(Elf64_Sym); s++) {
            Elf64_Sym sym;
            elf_read_sym(&sym, data + symtab.sh_offset + s * sizeof(sym));
            uint64_t off = sym.st_name;
            if (off < strtab.sh_size && strtab.sh_size - off > namelen &&
                memcmp(strs + off, name, namelen + 1) == 0) {
                return sym.st_value;
            }
        }
    }
    return LOADER_NO_TOHOST;
}

bool load_elf_image(const char *name, const uint8_t *data, size_t size,
                    AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                    LoadedImage *out, Error **errp)
{
    if (!loader_is_elf(data, size)) {
        error_setg(errp, "'%s' is not an ELF file", name);
        return false;
    }
    if (size < sizeof(Elf64_Ehdr) || data[EI_CLASS] != ELFCLASS64 ||
        data[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "'%s' is not a 64-bit little-endian ELF file", name);
        return false;
    }
    /* Copy the header: data need not be suitably aligned. */
    Elf64_Ehdr eh;
    elf_read_ehdr(&eh, data);
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
        !range_inside_file(eh.e_phoff,
                           (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), size)) {
        error_setg(errp, "'%s' has a corrupt program header table", name);
        return false;
    }

    /* First pass: validate every loadable segment. */
    uint64_t low = UINT64_MAX, high = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        elf_read_phdr(&ph, data + eh.e_phoff + i * sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz ||
            !range_inside_file(ph.p_offset, ph.p_filesz, size)) {
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

    /* Second pass: copy.  Cannot fail: every range was checked to be RAM. */
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        elf_read_phdr(&ph, data + eh.e_phoff + i * sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        address_space_write(as, ph.p_paddr, data + ph.p_offset, ph.p_filesz);
        static const uint8_t zeros[4096];
        for (uint64_t done = ph.p_filesz; done < ph.p_memsz;) {
            uint64_t chunk = ph.p_memsz - done;
            chunk = chunk > sizeof(zeros) ? sizeof(zeros) : chunk;
            address_space_write(as, ph.p_paddr + done, zeros, chunk);
            done += chunk;
        }
    }
    out->entry = eh.e_entry;
    out->low_addr = low;
    out->high_addr = high;
    out->tohost_addr = elf_find_symbol(data, size, &eh, "tohost");
    if (out->tohost_addr != LOADER_NO_TOHOST &&
        !range_inside_ram(out->tohost_addr, 8, ram_base, ram_size)) {
        out->tohost_addr = LOADER_NO_TOHOST;
    }
    return true;
}

bool load_raw_image(const char *name, const uint8_t *data, size_t size,
                    AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                    LoadedImage *out, Error **errp)
{
    if (size == 0) {
        error_setg(errp, "firmware '%s' is empty", name);
        return false;
    }
    if (size > ram_size) {
        error_setg(errp,
                   "firmware '%s' (%zu bytes) does not fit in RAM (%llu bytes)",
                   name, size, (unsigned long long)ram_size);
        return false;
    }
    address_space_write(as, ram_base, data, size);
    out->entry = ram_base;
    out->low_addr = ram_base;
    out->high_addr = ram_base + size;
    out->tohost_addr = LOADER_NO_TOHOST;
    return true;
}

bool load_image(const char *name, const uint8_t *data, size_t size,
                AddressSpace *as, uint64_t ram_base, uint64_t ram_size,
                LoadedImage *out, Error **errp)
{
    if (loader_is_elf(data, size)) {
        return load_elf_image(name, data, size, as, ram_base, ram_size, out,
                              errp);
    }
    return load_raw_image(name, data, size, as, ram_base, ram_size, out, errp);
}

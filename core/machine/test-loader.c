/*
 * Unit tests for the image loaders: well-formed ELF and raw images land at
 * the right addresses; malformed ones are refused before anything is
 * written to guest RAM.
 */
#include <elf.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/loader.h"
#include "unit-test.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000ULL

static MemoryRegion ram;
static AddressSpace as;
static MemoryRegion root;

static void setup(void)
{
    static bool done;
    if (!done) {
        memory_region_init(&root, NULL, "root", UINT64_MAX);
        memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, NULL);
        memory_region_add_subregion(&root, RAM_BASE, &ram);
        address_space_init(&as, &root, "test");
        done = true;
    }
    memset(memory_region_get_ram_ptr(&ram), 0xAA, RAM_SIZE);
}

/* A minimal ELF: header, one PT_LOAD, payload, and a symtab with tohost. */
typedef struct TestElf {
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uint8_t payload[16];
    Elf64_Shdr sh[3]; /* null, symtab, strtab */
    Elf64_Sym syms[2];
    char strtab[8];
} TestElf;

static void make_elf(TestElf *e, uint64_t paddr, uint64_t memsz)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS64;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = 243; /* EM_RISCV */
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = paddr;
    e->eh.e_phoff = offsetof(TestElf, ph);
    e->eh.e_shoff = offsetof(TestElf, sh);
    e->eh.e_ehsize = sizeof(Elf64_Ehdr);
    e->eh.e_phentsize = sizeof(Elf64_Phdr);
    e->eh.e_phnum = 1;
    e->eh.e_shentsize = sizeof(Elf64_Shdr);
    e->eh.e_shnum = 3;
    e->ph.p_type = PT_LOAD;
    e->ph.p_offset = offsetof(TestElf, payload);
    e->ph.p_paddr = e->ph.p_vaddr = paddr;
    e->ph.p_filesz = sizeof(e->payload);
    e->ph.p_memsz = memsz;
    for (unsigned i = 0; i < sizeof(e->payload); i++) {
        e->payload[i] = (uint8_t)(i + 1);
    }
    e->sh[1].sh_type = SHT_SYMTAB;
    e->sh[1].sh_offset = offsetof(TestElf, syms);
    e->sh[1].sh_size = sizeof(e->syms);
    e->sh[1].sh_entsize = sizeof(Elf64_Sym);
    e->sh[1].sh_link = 2;
    e->sh[2].sh_type = SHT_STRTAB;
    e->sh[2].sh_offset = offsetof(TestElf, strtab);
    e->sh[2].sh_size = sizeof(e->strtab);
    memcpy(e->strtab, "\0tohost", 8);
    e->syms[1].st_name = 1;
    e->syms[1].st_value = RAM_BASE + 0x1000;
}

/* The image as a file holds it: little-endian, whatever the host (the
 * fields above are set in host order).  Returns a static copy. */
static const TestElf *file_image(const TestElf *e)
{
    static TestElf f;
    f = *e;
    f.eh.e_type = htole16(f.eh.e_type);
    f.eh.e_machine = htole16(f.eh.e_machine);
    f.eh.e_version = htole32(f.eh.e_version);
    f.eh.e_entry = htole64(f.eh.e_entry);
    f.eh.e_phoff = htole64(f.eh.e_phoff);
    f.eh.e_shoff = htole64(f.eh.e_shoff);
    f.eh.e_ehsize = htole16(f.eh.e_ehsize);
    f.eh.e_phentsize = htole16(f.eh.e_phentsize);
    f.eh.e_phnum = htole16(f.eh.e_phnum);
    f.eh.e_shentsize = htole16(f.eh.e_shentsize);
    f.eh.e_shnum = htole16(f.eh.e_shnum);
    f.ph.p_type = htole32(f.ph.p_type);
    f.ph.p_offset = htole64(f.ph.p_offset);
    f.ph.p_vaddr = htole64(f.ph.p_vaddr);
    f.ph.p_paddr = htole64(f.ph.p_paddr);
    f.ph.p_filesz = htole64(f.ph.p_filesz);
    f.ph.p_memsz = htole64(f.ph.p_memsz);
    for (unsigned i = 0; i < 3; i++) {
        f.sh[i].sh_type = htole32(f.sh[i].sh_type);
        f.sh[i].sh_offset = htole64(f.sh[i].sh_offset);
        f.sh[i].sh_size = htole64(f.sh[i].sh_size);
        f.sh[i].sh_entsize = htole64(f.sh[i].sh_entsize);
        f.sh[i].sh_link = htole32(f.sh[i].sh_link);
    }
    for (unsigned i = 0; i < 2; i++) {
        f.syms[i].st_name = htole32(f.syms[i].st_name);
        f.syms[i].st_value = htole64(f.syms[i].st_value);
    }
    return &f;
}

/* Loads an image held in memory. */
static bool load_buffer(const char *name, const void *image, size_t size,
                        LoadedImage *img, Error **errp)
{
    LoaderSource src;
    loader_source_init_buffer(&src, name, image, size);
    bool ok = load_image(&src, &as, RAM_BASE, RAM_SIZE, img, errp);
    loader_source_close(&src);
    return ok;
}

static void expect_ram_untouched(void)
{
    const uint8_t *host = memory_region_get_ram_ptr(&ram);
    for (uint64_t i = 0; i < RAM_SIZE; i++) {
        if (host[i] != 0xAA) {
            UNIT_FAIL("RAM modified at offset 0x%llx", (unsigned long long)i);
        }
    }
}

static void expect_refused(const void *image, size_t size, const char *want)
{
    LoadedImage img;
    Error *err = NULL;
    setup();
    CHECK(!load_buffer("fw.elf", image, size, &img, &err));
    CHECK(err != NULL);
    if (!strstr(error_get_message(err), want)) {
        UNIT_FAIL("message '%s' lacks '%s'", error_get_message(err), want);
    }
    error_free(err);
    expect_ram_untouched();
}

UNIT_TEST(elf_loads_segments_zero_fills_bss_and_finds_tohost)
{
    TestElf e;
    LoadedImage img;
    make_elf(&e, RAM_BASE + 0x100, 32);
    setup();
    CHECK(load_buffer("fw.elf", file_image(&e), sizeof(e), &img, NULL));
    CHECK_EQ_U64(img.entry, RAM_BASE + 0x100);
    CHECK_EQ_U64(img.low_addr, RAM_BASE + 0x100);
    CHECK_EQ_U64(img.high_addr, RAM_BASE + 0x120);
    CHECK_EQ_U64(img.tohost_addr, RAM_BASE + 0x1000);
    const uint8_t *host = memory_region_get_ram_ptr(&ram);
    CHECK_EQ_U64(host[0x100], 1);
    CHECK_EQ_U64(host[0x10f], 16);
    CHECK_EQ_U64(host[0x110], 0); /* bss zeroed */
    CHECK_EQ_U64(host[0x11f], 0);
    CHECK_EQ_U64(host[0x120], 0xAA); /* past memsz untouched */
}

UNIT_TEST(raw_image_loads_at_ram_base)
{
    static const uint8_t raw[] = {0x13, 0x00, 0x00, 0x00};
    LoadedImage img;
    setup();
    CHECK(load_buffer("fw.bin", raw, sizeof(raw), &img, NULL));
    CHECK_EQ_U64(img.entry, RAM_BASE);
    CHECK_EQ_U64(img.tohost_addr, LOADER_NO_TOHOST);
    CHECK_EQ_U64(memory_region_get_ram_ptr(&ram)[0], 0x13);
}

UNIT_TEST(segment_outside_ram_is_refused)
{
    TestElf e;
    make_elf(&e, RAM_BASE + RAM_SIZE - 8, 16);
    expect_refused(file_image(&e), sizeof(e), "outside RAM");
}

UNIT_TEST(segment_wrapping_address_space_is_refused)
{
    TestElf e;
    make_elf(&e, UINT64_MAX - 4, 16);
    expect_refused(file_image(&e), sizeof(e), "outside RAM");
}

UNIT_TEST(truncated_elf_is_refused)
{
    TestElf e;
    make_elf(&e, RAM_BASE, 16);
    expect_refused(file_image(&e), offsetof(TestElf, payload) + 4, "truncated");
    expect_refused(file_image(&e), 40, "64-bit");
}

UNIT_TEST(wrong_machine_and_type_are_refused)
{
    TestElf e;
    make_elf(&e, RAM_BASE, 16);
    e.eh.e_machine = 62; /* x86-64 */
    expect_refused(file_image(&e), sizeof(e), "not RISC-V");
    make_elf(&e, RAM_BASE, 16);
    e.eh.e_type = ET_DYN;
    expect_refused(file_image(&e), sizeof(e), "not an executable");
}

UNIT_TEST(corrupt_program_headers_are_refused)
{
    TestElf e;
    make_elf(&e, RAM_BASE, 16);
    e.eh.e_phoff = 0xFFFFFFFFFFFFFF00ULL;
    expect_refused(file_image(&e), sizeof(e), "program header");
    make_elf(&e, RAM_BASE, 8); /* filesz > memsz */
    expect_refused(file_image(&e), sizeof(e), "corrupt");
}

UNIT_TEST(entry_outside_ram_is_refused)
{
    TestElf e;
    make_elf(&e, RAM_BASE, 16);
    e.eh.e_entry = 0x1000;
    expect_refused(file_image(&e), sizeof(e), "entry point");
}

UNIT_TEST(raw_image_larger_than_ram_is_refused)
{
    uint8_t *big = calloc(1, RAM_SIZE + 1);
    expect_refused(big, RAM_SIZE + 1, "does not fit");
    free(big);
}

UNIT_TEST(missing_file_is_reported_with_its_name)
{
    LoaderSource src;
    Error *err = NULL;
    CHECK(!loader_source_open(&src, "/nonexistent/fw.elf", &err));
    CHECK(strstr(error_get_message(err), "/nonexistent/fw.elf") != NULL);
    CHECK(strstr(error_get_message(err), "No such file") != NULL);
    error_free(err);
}

/* A file in a fresh temporary directory; the caller removes both. */
static void temp_path(char dir[64], char path[96], const char *name)
{
    snprintf(dir, 64, "/tmp/rivet-test-loader-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, 96, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
}

/* Opening a FIFO must not wait for a writer. */
UNIT_TEST(fifo_is_refused_without_blocking)
{
    char dir[64], path[96];
    temp_path(dir, path, "fifo");
    CHECK(mkfifo(path, 0600) == 0);
    LoaderSource src;
    Error *err = NULL;
    CHECK(!loader_source_open(&src, path, &err));
    CHECK(strstr(error_get_message(err), "is not a regular file") != NULL);
    error_free(err);
    unlink(path);
    rmdir(dir);
}

/* A file is loaded from disk, kept open for a reload, and a reload of a
 * file rewritten in place is refused instead of loading something else. */
UNIT_TEST(file_reloads_and_a_changed_file_is_refused)
{
    static const uint8_t raw[] = {0x13, 0x00, 0x00, 0x00};
    static const uint8_t other[] = {0x73, 0x00, 0x10, 0x00, 0x00};
    char dir[64], path[96];
    temp_path(dir, path, "fw.bin");
    write_file(path, raw, sizeof(raw));
    LoaderSource src;
    LoadedImage img;
    Error *err = NULL;
    setup();
    CHECK(loader_source_open(&src, path, NULL));
    CHECK(load_image(&src, &as, RAM_BASE, RAM_SIZE, &img, NULL));
    CHECK_EQ_U64(memory_region_get_ram_ptr(&ram)[0], 0x13);
    CHECK(load_image(&src, &as, RAM_BASE, RAM_SIZE, &img, NULL));
    write_file(path, other, sizeof(other));
    setup();
    CHECK(!load_image(&src, &as, RAM_BASE, RAM_SIZE, &img, &err));
    CHECK(strstr(error_get_message(err), "changed on disk") != NULL);
    error_free(err);
    expect_ram_untouched();
    loader_source_close(&src);
    unlink(path);
    rmdir(dir);
}

/* Sizes are checked against RAM before anything is read: a sparse file
 * far larger than RAM (raw) and an ELF segment claiming more bytes than
 * RAM are refused without reading them (a read of 16 GiB would take
 * seconds and the memory it needs). */
UNIT_TEST(huge_sparse_files_are_refused_before_reading)
{
    char dir[64], path[96];
    temp_path(dir, path, "big.bin");
    write_file(path, "", 0);
    CHECK(truncate(path, 16LL << 30) == 0);
    LoaderSource src;
    LoadedImage img;
    Error *err = NULL;
    setup();
    CHECK(loader_source_open(&src, path, NULL));
    CHECK(!load_image(&src, &as, RAM_BASE, RAM_SIZE, &img, &err));
    CHECK(strstr(error_get_message(err), "does not fit in RAM") != NULL);
    error_free(err);
    err = NULL;
    loader_source_close(&src);

    TestElf e;
    make_elf(&e, RAM_BASE, 16);
    e.ph.p_filesz = e.ph.p_memsz = 8ULL << 30;
    write_file(path, file_image(&e), sizeof(e));
    CHECK(truncate(path, (off_t)(e.ph.p_offset + e.ph.p_filesz)) == 0);
    CHECK(loader_source_open(&src, path, NULL));
    CHECK(!load_image(&src, &as, RAM_BASE, RAM_SIZE, &img, &err));
    CHECK(strstr(error_get_message(err), "outside RAM") != NULL);
    error_free(err);
    expect_ram_untouched();
    loader_source_close(&src);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    return unit_run_all();
}

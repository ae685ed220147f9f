/*
 * The interpreter benchmark of `make bench`: a Dhrystone-like integer loop
 * (record copies through pointers, string copies and compares, array
 * updates, small procedure calls, integer multiply and divide) that runs
 * unchanged on rivet's `virt` and on QEMU's `spike` machine
 * (qemu-system-riscv64 -M spike -bios none -kernel bench-int.elf): it
 * talks only through spike's HTIF (console putchar for its checksum line,
 * the exit command), never to the UART or the power device.
 *
 * Everything the loop writes is in one page-aligned block of .bss, and
 * the stack is after .bss, so code and data are on separate pages: QEMU's
 * translator is not penalised by stores near its translated code.
 */
#include <stdbool.h>
#include <stdint.h>

#ifndef BENCH_INT_ROUNDS
#define BENCH_INT_ROUNDS 4000000
#endif

#define PAGE 4096
#define STR_LEN 31

extern volatile uint64_t tohost;
extern volatile uint64_t fromhost;

typedef enum { KIND_A, KIND_B, KIND_C, KIND_D, KIND_E } Kind;

typedef struct Record {
    struct Record *next;
    Kind discr;
    Kind kind;
    int32_t value;
    char text[STR_LEN];
} Record;

struct State {
    Record rec[2];
    Record *glob, *next_glob;
    int32_t arr_1[50];
    int32_t arr_2[50][50];
    char str_1[STR_LEN], str_2[STR_LEN];
    int32_t int_glob;
    bool bool_glob;
    char ch_1, ch_2;
};

static struct State state __attribute__((aligned(PAGE)));

/* QEMU lays its HTIF registers over `tohost` and runs every instruction of
 * that page without its translation cache (a run of this program took
 * minutes instead of seconds).  This page-aligned object in the same
 * section aligns the section, where start.S's tohost comes first: the
 * mailbox gets a page of its own, away from the code. */
static volatile uint64_t tohost_page
    __attribute__((section(".tohost"), aligned(PAGE), used));

static const char TEXT_INIT[STR_LEN] = "RIVET BENCH, SOME STRING";
static const char TEXT_1[STR_LEN] = "RIVET BENCH, 1'ST STRING";
static const char TEXT_2[STR_LEN] = "RIVET BENCH, 2'ND STRING";
static const char TEXT_3[STR_LEN] = "RIVET BENCH, 3'RD STRING";

static void copy_text(char *dst, const char *src)
{
    for (unsigned i = 0; i < STR_LEN; i++) {
        dst[i] = src[i];
    }
}

static __attribute__((noinline)) int compare_text(const char *a, const char *b)
{
    unsigned i = 0;
    while (i < STR_LEN - 1 && a[i] == b[i]) {
        i++;
    }
    return (unsigned char)a[i] - (unsigned char)b[i];
}

static __attribute__((noinline)) bool kinds_differ(char c1, char c2)
{
    if (c1 != c2) {
        return true;
    }
    state.ch_1 = c1;
    return false;
}

static __attribute__((noinline)) Kind next_kind(Kind k)
{
    switch (k) {
    case KIND_A:
        return KIND_C;
    case KIND_B:
        return state.int_glob > 100 ? KIND_A : KIND_D;
    case KIND_C:
        return KIND_B;
    case KIND_D:
        return KIND_E;
    default:
        return KIND_A;
    }
}

static __attribute__((noinline)) void update_value(int32_t *value)
{
    if (state.glob) {
        *value = state.glob->value;
    }
    state.int_glob = *value * 10 + state.int_glob % 97;
}

static __attribute__((noinline)) void add_two(int32_t a, int32_t b,
                                              int32_t *out)
{
    *out = a + b + 2;
}

static __attribute__((noinline)) void fill_arrays(int32_t a, int32_t b)
{
    int32_t at = a + 5;
    state.arr_1[at] = b;
    state.arr_1[at + 1] = state.arr_1[at];
    state.arr_1[at + 30] = at;
    for (int32_t i = at; i <= at + 1; i++) {
        state.arr_2[at][i] = at;
    }
    state.arr_2[at][at - 1] += 1;
    state.arr_2[at + 20][at] = state.arr_1[at];
    state.int_glob = 5;
}

static __attribute__((noinline)) void record_step(Record *r)
{
    Record *next = r->next;
    *next = *state.glob;
    r->value = 5;
    next->value = r->value;
    next->next = r->next;
    update_value(&next->value);
    if (next->discr == KIND_A) {
        next->value = 6;
        next->kind = next_kind(r->kind);
        next->next = state.glob->next;
        add_two(next->value, 10, &next->value);
    } else {
        *r = *next;
    }
}

static __attribute__((noinline)) bool text_step(const char *a, const char *b)
{
    int32_t loc = 2;
    char c = 'A';
    while (loc <= 2) {
        if (kinds_differ(a[loc], b[loc + 1])) {
            c = 'A';
            loc++;
        }
    }
    if (c >= 'W' && c < 'Z') {
        loc = 7;
    }
    if (c == 'R') {
        return true;
    }
    if (compare_text(a, b) > 0) {
        state.int_glob = loc + 7;
        return true;
    }
    return false;
}

static uint32_t mix(uint32_t hash, uint32_t value)
{
    return (hash ^ value) * 16777619u;
}

static uint32_t bench_run(uint32_t rounds)
{
    uint32_t hash = 2166136261u;

    state.glob = &state.rec[0];
    state.next_glob = &state.rec[1];
    state.rec[0].next = state.next_glob;
    state.rec[0].discr = KIND_A;
    state.rec[0].kind = KIND_C;
    state.rec[0].value = 40;
    copy_text(state.rec[0].text, TEXT_INIT);
    copy_text(state.str_1, TEXT_1);
    state.arr_2[8][7] = 10;

    for (uint32_t round = 1; round <= rounds; round++) {
        int32_t a = 2, b = 3, c;
        Kind kind;
        state.ch_1 = 'A';
        state.ch_2 = 'B';
        state.bool_glob = !state.bool_glob;
        copy_text(state.str_2, (round & 1) ? TEXT_2 : TEXT_3);
        kind = KIND_B;
        state.bool_glob = !text_step(state.str_1, state.str_2);
        while (a < b) {
            c = 5 * a - b;
            add_two(a, b, &c);
            a++;
        }
        fill_arrays(a, c);
        record_step(state.glob);
        for (char ch = 'A'; ch <= state.ch_2; ch++) {
            if (kind == next_kind(KIND_C)) {
                kind = next_kind(kind);
            }
        }
        b = a * c;
        c = b / (a | 1);
        b = 7 * (b - c) - a;
        a = b % 11 + (int32_t)round;
        hash = mix(hash, (uint32_t)(a ^ c ^ state.int_glob ^ (int32_t)kind));
    }
    for (unsigned i = 0; i < 50; i++) {
        hash = mix(hash, (uint32_t)state.arr_1[i]);
        hash = mix(hash, (uint32_t)state.arr_2[i][i]);
    }
    hash = mix(hash, (uint32_t)state.rec[0].value);
    hash = mix(hash, (uint32_t)state.rec[1].value);
    return hash;
}

/* HTIF: console putchar (device 1, command 1), then wait for and free the
 * response; exit is device 0, command 0, payload code << 1 | 1. */
static void htif_putchar(char ch)
{
    tohost = 1ull << 56 | 1ull << 48 | (uint8_t)ch;
    while (fromhost == 0) {
    }
    fromhost = 0;
}

static void htif_print(const char *s)
{
    while (*s) {
        htif_putchar(*s++);
    }
}

static void htif_print_hex(uint32_t v)
{
    for (int shift = 28; shift >= 0; shift -= 4) {
        htif_putchar("0123456789abcdef"[(v >> shift) & 15]);
    }
}

__attribute__((noreturn)) static void htif_exit(unsigned code)
{
    for (;;) {
        tohost = (uint64_t)code << 1 | 1;
    }
}

int main(void)
{
    uint32_t checksum = bench_run(BENCH_INT_ROUNDS);
    htif_print("bench-int: checksum 0x");
    htif_print_hex(checksum);
    htif_print("\n");
    htif_exit(0);
}

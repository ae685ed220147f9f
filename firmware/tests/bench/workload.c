/*
 * Benchmark workload: per round, a sieve of Eratosthenes, a bitwise CRC-32
 * over pseudo-random data, an integer matrix multiply and a quicksort.  The
 * inputs derive from the round number, and every result feeds the final
 * checksum, so no part can be optimised away or silently go wrong.
 */
#include "workload.h"

#include <stddef.h>

#define SIEVE_LIMIT (1u << 20)
#define CRC_BYTES (64u * 1024)
#define CRC_PASSES 4
#define MATRIX_N 64
#define MATRIX_REPEATS 4
#define SORT_COUNT (64u * 1024)

static uint8_t composite[SIEVE_LIMIT];
static uint8_t crc_data[CRC_BYTES];
static int32_t mat_a[MATRIX_N][MATRIX_N], mat_b[MATRIX_N][MATRIX_N],
    mat_c[MATRIX_N][MATRIX_N];
static uint32_t sort_data[SORT_COUNT];

/* 64-bit LCG (Knuth's MMIX constants); the high half is the output. */
static uint64_t lcg_state;

static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(lcg_state >> 32);
}

static uint32_t mix(uint32_t hash, uint32_t value)
{
    /* FNV-1a over the four bytes of value. */
    for (int i = 0; i < 4; i++) {
        hash = (hash ^ ((value >> (8 * i)) & 0xff)) * 16777619u;
    }
    return hash;
}

static uint32_t sieve(uint32_t limit)
{
    uint32_t count = 0, sum = 0;

    for (uint32_t i = 0; i < limit; i++) {
        composite[i] = 0;
    }
    for (uint32_t i = 2; i * i < limit; i++) {
        if (!composite[i]) {
            for (uint32_t j = i * i; j < limit; j += i) {
                composite[j] = 1;
            }
        }
    }
    for (uint32_t i = 2; i < limit; i++) {
        if (!composite[i]) {
            count++;
            sum += i;
        }
    }
    return mix(count, sum);
}

static uint32_t crc32(const uint8_t *data, size_t len, uint32_t crc)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static uint32_t crc_part(void)
{
    uint32_t crc = 0;

    for (uint32_t i = 0; i < CRC_BYTES; i++) {
        crc_data[i] = (uint8_t)lcg_next();
    }
    for (int pass = 0; pass < CRC_PASSES; pass++) {
        crc = crc32(crc_data, CRC_BYTES, crc);
    }
    return crc;
}

static uint32_t matrix_part(void)
{
    uint32_t hash = 2166136261u;

    for (int i = 0; i < MATRIX_N; i++) {
        for (int j = 0; j < MATRIX_N; j++) {
            mat_a[i][j] = (int32_t)(lcg_next() % 201) - 100;
            mat_b[i][j] = (int32_t)(lcg_next() % 201) - 100;
        }
    }
    for (int r = 0; r < MATRIX_REPEATS; r++) {
        for (int i = 0; i < MATRIX_N; i++) {
            for (int j = 0; j < MATRIX_N; j++) {
                int32_t acc = 0;
                for (int k = 0; k < MATRIX_N; k++) {
                    acc += mat_a[i][k] * mat_b[k][j];
                }
                mat_c[i][j] = acc;
            }
        }
        /* Feed the product back so each repeat depends on the last. */
        for (int i = 0; i < MATRIX_N; i++) {
            for (int j = 0; j < MATRIX_N; j++) {
                mat_a[i][j] = mat_c[i][j] % 97;
            }
        }
    }
    for (int i = 0; i < MATRIX_N; i++) {
        for (int j = 0; j < MATRIX_N; j++) {
            hash = mix(hash, (uint32_t)mat_c[i][j]);
        }
    }
    return hash;
}

static void insertion_sort(uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* Quicksort with median-of-three; recurses on the smaller side only, so
 * the stack stays O(log n) deep. */
static void quicksort(uint32_t *a, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2, i = 0, j = n - 1;
        uint32_t x = a[0], y = a[mid], z = a[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x))
                               : (x < z ? x : (y < z ? z : y));
        for (;;) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        size_t left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static uint32_t sort_part(void)
{
    uint32_t hash = 2166136261u, disorder = 0;

    for (uint32_t i = 0; i < SORT_COUNT; i++) {
        sort_data[i] = lcg_next();
    }
    quicksort(sort_data, SORT_COUNT);
    for (uint32_t i = 0; i < SORT_COUNT; i++) {
        if (i > 0 && sort_data[i - 1] > sort_data[i]) {
            disorder++;
        }
        if ((i & 255) == 0) {
            hash = mix(hash, sort_data[i]);
        }
    }
    return mix(hash, disorder);
}

uint32_t bench_run(unsigned rounds)
{
    uint32_t checksum = 2166136261u;

    for (unsigned round = 0; round < rounds; round++) {
        lcg_state = 0x9e3779b97f4a7c15ull ^ round;
        checksum = mix(checksum, sieve(SIEVE_LIMIT - round));
        checksum = mix(checksum, crc_part());
        checksum = mix(checksum, matrix_part());
        checksum = mix(checksum, sort_part());
    }
    return checksum;
}

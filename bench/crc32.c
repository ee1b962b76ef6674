/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over a 64 KiB
 * pseudo-random buffer, ITERS times, with a byte of the buffer changed
 * each round.  Table-driven for the main loop; self-checks: the standard
 * check value of "123456789" (0xCBF43926) and, once, a bit-at-a-time CRC
 * of the whole buffer agreeing with the table-driven one. */
#if !defined(BUF_SIZE) && !defined(ITERS)
#define EXPECT_CHECKSUM 0x1d70bd7bu   /* host value for the default sizes */
#endif
#ifndef BUF_SIZE
#define BUF_SIZE 65536
#endif
#ifndef ITERS
#define ITERS 5000
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

static uint32_t table[256];
static uint8_t buf[BUF_SIZE];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        table[i] = c;
    }
}

static uint32_t crc32_table(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--)
        c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

int main(void)
{
    make_table();
    int ok = crc32_table((const uint8_t *)"123456789", 9) == 0xCBF43926u;

    uint32_t seed = 0xC0FFEEu;
    for (size_t i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)bench_rand(&seed);
    ok &= crc32_bitwise(buf, BUF_SIZE) == crc32_table(buf, BUF_SIZE);

    uint32_t sum = 2166136261u;
    for (int it = 0; it < ITERS; it++) {
        buf[bench_rand(&seed) % BUF_SIZE] ^= (uint8_t)it;
        sum = bench_mix(sum, crc32_table(buf, BUF_SIZE));
    }
    return bench_finish("crc32", sum, EXPECT_CHECKSUM, ok);
}

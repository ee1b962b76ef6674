/* Shared bits of the bench kernels: a deterministic PRNG, the result check,
 * and a way to build the same kernel on the host (to work out the expected
 * values) or on the guest.
 *
 * Every kernel runs ITERS rounds of its work, folds everything it computed
 * into one 32-bit checksum and compares it with the value the same code
 * gives on the host (EXPECT_*, recorded in the kernel's source).  A kernel
 * also checks itself on the way (a sort is sorted, a CRC matches a known
 * vector, ...).  On the guest it prints one line and exits 0, or 1 on a
 * wrong result.
 *
 * Host build, to recompute the expected values after changing a kernel:
 *     cc -O2 -DBENCH_HOST -o /tmp/k bench/<kernel>.c && /tmp/k */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef BENCH_HOST
#include <stdio.h>
#include <stdlib.h>
#define bench_print(s) fputs((s), stdout)
static void bench_print_u32(uint32_t v) { printf("0x%08x", (unsigned)v); }
#else
#include "rt.h"
#define bench_print(s) rt_puts(s)
static void bench_print_u32(uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    rt_puts("0x");
    for (int i = 28; i >= 0; i -= 4)
        rt_putc(hex[(v >> i) & 0xf]);
}
#endif

/* xorshift32: cheap, deterministic, the same on every host. */
static inline uint32_t bench_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Mix a value into a running checksum (FNV-1a over the 4 bytes). */
static inline uint32_t bench_mix(uint32_t sum, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        sum ^= (v >> (8 * i)) & 0xff;
        sum *= 16777619u;
    }
    return sum;
}

/* No reference checksum: the kernel was built with non-default sizes. */
#ifndef EXPECT_CHECKSUM
#define EXPECT_CHECKSUM BENCH_NO_REFERENCE
#endif
#define BENCH_NO_REFERENCE 0x100000000ull

/* Report and end: "bench <name>: checksum 0x... ok" (or "WRONG, expected").
 * Built with -DBENCH_REPORT_INSTRET the line also gives minstret, which is
 * the instruction count on silica and on QEMU run with -icount shift=0
 * (plain QEMU derives minstret from host time).  Used to size the kernels. */
static int bench_finish(const char *name, uint32_t got, uint64_t expect, int self_ok)
{
#if defined(BENCH_REPORT_INSTRET) && !defined(BENCH_HOST)
    rt_puts("minstret ");
    rt_put_dec((long)rt_csr_read(minstret));
    rt_putc('\n');
#endif
    int match = expect == BENCH_NO_REFERENCE || got == expect;
    bench_print("bench ");
    bench_print(name);
    bench_print(": checksum ");
    bench_print_u32(got);
    if (expect == BENCH_NO_REFERENCE)
        bench_print(" (no reference value for these sizes)");
    if (match && self_ok) {
        bench_print(" ok\n");
        return 0;
    }
    if (!self_ok)
        bench_print(" self-check FAILED");
    if (!match) {
        bench_print(" WRONG, expected ");
        bench_print_u32((uint32_t)expect);
    }
    bench_print("\n");
    return 1;
}

#endif

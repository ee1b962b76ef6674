/* Sorting and searching: fill an array of 32-bit keys, sort it (an
 * iterative quicksort with insertion sort for short runs), check it is
 * sorted and still holds the same multiset (order-independent sum and xor),
 * then look up keys with binary search -- half of them present.  ITERS
 * rounds, each with fresh keys. */
#if !defined(COUNT) && !defined(LOOKUPS) && !defined(ITERS)
#define EXPECT_CHECKSUM 0x4137073bu   /* host value for the default sizes */
#endif
#ifndef COUNT
#define COUNT 16384
#endif
#ifndef LOOKUPS
#define LOOKUPS 32768
#endif
#ifndef ITERS
#define ITERS 400
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

static uint32_t keys[COUNT];

static void insertion_sort(uint32_t *a, int lo, int hi)
{
    for (int i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Quicksort with an explicit stack (no recursion: the runtime's stack is
 * small), median-of-three pivot, smaller side first. */
static void quicksort(uint32_t *a, int n)
{
    int stack[64][2], sp = 0;
    stack[sp][0] = 0;
    stack[sp++][1] = n - 1;
    while (sp) {
        int lo = stack[--sp][0], hi = stack[sp][1];
        while (hi - lo > 16) {
            int mid = lo + (hi - lo) / 2;
            uint32_t x = a[lo], y = a[mid], z = a[hi];
            uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot)
                    i++;
                while (a[j] > pivot)
                    j--;
                if (i <= j) {
                    uint32_t t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            /* Push the larger part, keep going with the smaller one. */
            if (j - lo > hi - i) {
                stack[sp][0] = lo;
                stack[sp++][1] = j;
                lo = i;
            } else {
                stack[sp][0] = i;
                stack[sp++][1] = hi;
                hi = j;
            }
        }
        insertion_sort(a, lo, hi);
    }
}

static int binary_search(const uint32_t *a, int n, uint32_t key)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] == key)
            return mid;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int main(void)
{
    uint32_t seed = 0x5EED5EEDu;
    uint32_t sum = 2166136261u;
    int ok = 1;
    for (int it = 0; it < ITERS; it++) {
        uint32_t add = 0, xr = 0;
        for (int i = 0; i < COUNT; i++) {
            keys[i] = bench_rand(&seed) & 0x3fffffff;   /* room for misses */
            add += keys[i];
            xr ^= keys[i];
        }
        quicksort(keys, COUNT);

        uint32_t add2 = 0, xr2 = 0;
        for (int i = 0; i < COUNT; i++) {
            if (i && keys[i - 1] > keys[i])
                ok = 0;
            add2 += keys[i];
            xr2 ^= keys[i];
        }
        ok &= add == add2 && xr == xr2;

        uint32_t found = 0, pos = 0;
        for (int l = 0; l < LOOKUPS; l++) {
            uint32_t r = bench_rand(&seed);
            /* Even lookups use a key that is there, odd ones one that is not
             * (keys have bit 30 clear). */
            uint32_t key = (l & 1) ? (r | 0x40000000u) : keys[r % COUNT];
            int at = binary_search(keys, COUNT, key);
            if (at >= 0) {
                found++;
                pos += (uint32_t)at;
                if (keys[at] != key)
                    ok = 0;
            }
        }
        ok &= found == LOOKUPS / 2;
        sum = bench_mix(sum, pos);
        sum = bench_mix(sum, keys[it % COUNT]);
    }
    return bench_finish("sort", sum, EXPECT_CHECKSUM, ok);
}

/* Integer matrix multiply: C = A * B for N x N int32 matrices, repeated
 * ITERS times with B perturbed each round so no round can be skipped.
 * Self-check: Freivalds' test, A * (B * x) == C * x for a random vector x,
 * every round; then a checksum of the last C against the host's value. */
#if !defined(N) && !defined(ITERS)
#define EXPECT_CHECKSUM 0xcd3b7e6au   /* host value for the default sizes */
#endif
#ifndef N
#define N 64
#endif
#ifndef ITERS
#define ITERS 2000
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

/* Entries stay within +-1000 (B: plus the small per-round nudges), so the
 * int32 sums in multiply() cannot overflow at these sizes. */
static int32_t A[N][N], B[N][N], C[N][N];

static void multiply(void)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            C[i][j] = 0;
        for (int k = 0; k < N; k++) {
            int32_t a = A[i][k];
            for (int j = 0; j < N; j++)
                C[i][j] += a * B[k][j];
        }
    }
}

/* Freivalds: compare A(Bx) with Cx.  Done in uint32_t: the sums overflow,
 * and unsigned wrap-around is defined and the same on both sides. */
static int freivalds(uint32_t *seed)
{
    uint32_t x[N], bx[N];
    for (int i = 0; i < N; i++)
        x[i] = bench_rand(seed) & 0xff;
    for (int i = 0; i < N; i++) {
        uint32_t s = 0;
        for (int j = 0; j < N; j++)
            s += (uint32_t)B[i][j] * x[j];
        bx[i] = s;
    }
    for (int i = 0; i < N; i++) {
        uint32_t abx = 0, cx = 0;
        for (int j = 0; j < N; j++) {
            abx += (uint32_t)A[i][j] * bx[j];
            cx += (uint32_t)C[i][j] * x[j];
        }
        if (abx != cx)
            return 0;
    }
    return 1;
}

int main(void)
{
    uint32_t seed = 0x1234567u;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
            B[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
        }

    int ok = 1;
    uint32_t sum = 2166136261u;
    for (int it = 0; it < ITERS; it++) {
        B[it % N][(it * 7) % N] += it;       /* a new B every round */
        multiply();
        ok &= freivalds(&seed);
        sum = bench_mix(sum, (uint32_t)C[it % N][(it * 3) % N]);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            sum = bench_mix(sum, (uint32_t)C[i][j]);
    return bench_finish("matmul", sum, EXPECT_CHECKSUM, ok);
}

/* Self-modifying code: instructions written at run time, then fence.i, then
 * run. The code caches must drop exactly what was overwritten:
 *   - a function rewritten 200 times returns each new value;
 *   - a stub on another page jumps straight into it (a direct jump, which
 *     the DBT chains): it must follow every rewrite too;
 *   - a function on a third page that nobody rewrites keeps working, and
 *     data stores beside code in its page change nothing;
 *   - of two functions sharing a page, the one rewritten changes and the
 *     other keeps its value.
 * Prints a line per part and exits 0 when everything matched. */
#include <stdint.h>

#include "rt.h"

#define PAGE_WORDS 1024
static uint32_t page_a[PAGE_WORDS] __attribute__((aligned(4096)));
static uint32_t page_b[PAGE_WORDS] __attribute__((aligned(4096)));
static uint32_t page_c[PAGE_WORDS] __attribute__((aligned(4096)));

typedef long (*fn_t)(void);

static uint32_t li_a0(long value) /* addi a0, zero, value */
{
    return 0x00000513u | ((uint32_t)(value & 0xfff) << 20);
}
static const uint32_t kRet = 0x00008067u; /* jalr zero, 0(ra) */

/* jal zero, target - from: a direct jump. */
static uint32_t jump(const void *from, const void *target)
{
    int32_t off = (int32_t)((uintptr_t)target - (uintptr_t)from);
    uint32_t imm = ((uint32_t)(off >> 20) & 1) << 31 | ((uint32_t)(off >> 1) & 0x3ff) << 21 |
                   ((uint32_t)(off >> 11) & 1) << 20 | ((uint32_t)(off >> 12) & 0xff) << 12;
    return imm | 0x6fu;
}

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

static int failures;
static void expect(const char *what, long got, long want)
{
    if (got == want)
        return;
    failures++;
    rt_puts("FAIL ");
    rt_puts(what);
    rt_puts(": got ");
    rt_put_dec(got);
    rt_puts(", want ");
    rt_put_dec(want);
    rt_putc('\n');
}

/* Writes a function at words[at] returning value; returns it callable. */
static fn_t emit(uint32_t *words, int at, long value)
{
    words[at] = li_a0(value);
    words[at + 1] = kRet;
    return (fn_t)(void *)&words[at];
}

int main(void)
{
    fn_t c = emit(page_c, 0, 77);
    fence_i();
    long sum = 0;
    for (long i = 0; i < 200; i++) {
        fn_t a = emit(page_a, 0, i);
        page_b[0] = jump(&page_b[0], &page_a[0]);
        fence_i();
        expect("rewritten function", a(), i);
        expect("jump into it", ((fn_t)(void *)page_b)(), i);
        /* Data next to code: page_c's code must survive. */
        page_c[512 + (i % 64)] = (uint32_t)i;
        expect("untouched function", c(), 77);
        sum += a();
    }
    rt_puts("rewrites: sum ");
    rt_put_dec(sum);
    rt_putc('\n');

    /* The same slot rewritten while a second function shares the page. */
    fn_t second = emit(page_a, 100, 5);
    fence_i();
    for (long i = 0; i < 50; i++) {
        fn_t first = emit(page_a, 0, 1000 + i);
        fence_i();
        expect("first of two", first(), 1000 + i);
        expect("second of two", second(), 5);
    }
    rt_puts("shared page: done\n");
    rt_puts(failures == 0 ? "smc: all matched\n" : "smc: mismatches\n");
    return failures == 0 ? 0 : 1;
}

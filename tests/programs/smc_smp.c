/* Code rewritten by another hart (run with --smp 2 / QEMU -smp 2): hart 1
 * writes a new `li a0, N` into a function hart 0 has run (and the DBT has
 * translated); after the handshake and its own fence.i, hart 0 must run the
 * new instruction. Both harts start at smp_entry: hart 0 goes on to the
 * runtime's _start and main(), hart 1 serves rewrite requests forever. */
#include <stdint.h>

#include "rt.h"

static uint32_t slot_page[1024] __attribute__((aligned(4096)));
volatile uint32_t smc_request, smc_done, smc_value;
uint32_t *volatile smc_slot = slot_page;

__asm__(".section .text.init.smp, \"ax\", @progbits\n"
        ".globl smp_entry\n"
        "smp_entry:\n"
        "    bnez a0, smc_helper\n"
        "    j _start\n"
        "smc_helper:\n"
        "1:  la t2, smc_request\n"
        "    lw t0, 0(t2)\n"
        "    beqz t0, 1b\n"
        "    la t3, smc_value\n"
        "    lw t1, 0(t3)\n"
        "    la t4, smc_slot\n"
        "    ld t4, 0(t4)\n"
        "    sw t1, 0(t4)\n"
        "    sw zero, 0(t2)\n"
        "    la t5, smc_done\n"
        "    li t0, 1\n"
        "    sw t0, 0(t5)\n"
        "    j 1b\n"
        ".text\n");

static uint32_t li_a0(long value) /* addi a0, zero, value */
{
    return 0x00000513u | ((uint32_t)(value & 0xfff) << 20);
}

int main(void)
{
    typedef long (*fn_t)(void);
    const fn_t fn = (fn_t)(void *)slot_page;
    slot_page[0] = li_a0(1);
    slot_page[1] = 0x00008067u; /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    long sum = 0;
    for (int i = 0; i < 100; i++)
        sum += fn(); /* hot: translated */
    int failures = sum == 100 ? 0 : 1;
    for (long n = 2; n < 52; n++) {
        smc_value = li_a0(n);
        smc_done = 0;
        smc_request = 1; /* hart 1 rewrites the first instruction */
        while (!smc_done)
            ;
        __asm__ volatile("fence.i" ::: "memory");
        if (fn() != n)
            failures++;
    }
    rt_puts(failures == 0 ? "smc_smp: hart 1's rewrites all seen\n" : "smc_smp: stale code ran\n");
    return failures == 0 ? 0 : 1;
}

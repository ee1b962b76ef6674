/* The program the gdb integration tests debug (test_gdb.py).  Built -O0 so
 * that every source line, local and argument is where gdb expects it.
 * Each global has one job in the tests:
 *   pattern      known bytes for x/4xw and memory reads
 *   greeting     a string for x/s
 *   watched      written once by bump(), read once by main(): watch, rwatch
 *   spin_forever set by the Ctrl-C test so main() loops in spin()
 *   keep_spinning cleared by the Ctrl-C test to let spin() return
 * main() returns 7 when watched ends up as 10 (1+2+3+4), else 1, so the
 * exit code also tells whether a test disturbed the computation. */
#include "rt.h"

const unsigned int pattern[4] = {0x11223344u, 0x55667788u, 0x99aabbccu, 0xddeeff00u};
const char greeting[] = "debuggee says hello";
volatile long watched;
volatile int spin_forever;
volatile int keep_spinning = 1;

__attribute__((noinline)) long add(long a, long b)
{
    long sum = a + b;
    return sum;
}

__attribute__((noinline)) void bump(long n)
{
    watched = n;
}

__attribute__((noinline)) void spin(void)
{
    while (keep_spinning)
        ;
}

int main(void)
{
    long sum = 0;
    for (long i = 1; i <= 4; i++)
        sum = add(sum, i);
    bump(sum);
    if (spin_forever)
        spin();
    rt_puts("debuggee: done\n");
    return watched == 10 ? 7 : 1;
}

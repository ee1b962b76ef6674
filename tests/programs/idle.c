/* Sleeps in WFI until the CLINT timer, 0.3 s of simulated time ahead, is
 * pending (MTIE on, interrupts globally off: WFI still wakes), then checks
 * that mtime got there. tests/cli/check_idle_pacing.py also runs it with
 * --idle realtime, which must take at least those 0.3 s of host time too. */
#include <stdint.h>

#include "platform.h"
#include "rt.h"

#define MIP_MTIP (1ul << 7)
#define TICKS_PER_SECOND 10000000ull /* CLINT mtime, 10 MHz */

int main(void)
{
    volatile uint64_t *mtime = (volatile uint64_t *)CLINT_MTIME;
    volatile uint64_t *mtimecmp = (volatile uint64_t *)CLINT_MTIMECMP;
    const uint64_t start = *mtime;
    const uint64_t wake = start + 3 * TICKS_PER_SECOND / 10;
    *mtimecmp = wake;
    rt_csr_write(mie, MIP_MTIP);
    unsigned sleeps = 0;
    while ((rt_csr_read(mip) & MIP_MTIP) == 0) {
        __asm__ volatile("wfi");
        sleeps++;
    }
    const uint64_t now = *mtime;
    rt_puts(now >= wake ? "idle: woke at the timer\n" : "idle: woke early\n");
    rt_puts(sleeps > 0 ? "idle: slept\n" : "idle: never slept\n");
    return now >= wake ? 0 : 1;
}

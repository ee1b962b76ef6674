/* Machine reset through the SiFive test finisher (0x7777). Reset reloads the
 * program and restarts the harts but leaves the rest of RAM alone, on silica
 * as on QEMU's virt: the first boot leaves a mark above the image and asks
 * for a reset; the second boot finds the mark and passes. A simulator that
 * ignores the reset never finishes (the test's timeout catches it); one that
 * clears RAM or does not restart the hart resets forever. */
#include <stdint.h>

#include "platform.h"
#include "rt.h"

#define MARK_ADDR 0x80100000UL /* in RAM, well above this small program */
#define MARK 0x5e5e7777u

int main(void)
{
    volatile uint32_t* mark = (volatile uint32_t*)MARK_ADDR;
    if (*mark == MARK) {
        rt_puts("reset: second boot\n");
        exit(0);
    }
    rt_puts("reset: first boot, resetting\n");
    *mark = MARK;
    *(volatile uint32_t*)FINISHER_BASE = 0x7777;
    for (;;) {
    }
}

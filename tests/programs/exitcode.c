/* Exits with code 7 through the SiFive test finisher ((7 << 16) | 0x3333):
 * the simulator must report 7 as its own exit status. */
#include "rt.h"

int main(void)
{
    rt_puts("exiting with code 7\n");
    exit(7);
}

/* The smallest useful guest: prints a greeting on the UART and returns 0
 * from main, which start.S turns into exit(0) through the finisher. */
#include "rt.h"

int main(void)
{
    rt_puts("Hello from silica!\n");
    rt_puts("hart ");
    rt_put_dec((long)rt_csr_read(mhartid));
    rt_puts(", xlen ");
    rt_put_dec(__riscv_xlen);
    rt_putc('\n');
    return 0;
}

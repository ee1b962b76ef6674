/* UART output, exit through the finisher, and the default trap hook. */
#include "rt.h"

#define MMIO8(addr)  (*(volatile uint8_t *)(uintptr_t)(addr))
#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

void rt_putc(char c)
{
    while (!(MMIO8(UART_BASE + UART_LSR) & UART_LSR_THRE))
        ;
    MMIO8(UART_BASE + UART_THR) = (uint8_t)c;
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

void rt_put_hex(uintptr_t v)
{
    rt_puts("0x");
    for (int shift = (int)sizeof(v) * 8 - 4; shift >= 0; shift -= 4)
        rt_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void rt_put_dec(long v)
{
    char buf[24];
    int i = 0;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    do {
        buf[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        rt_putc('-');
    while (i)
        rt_putc(buf[--i]);
}

void exit(int code)
{
    uint32_t c = (uint32_t)code & 0xffff;
    MMIO32(FINISHER_BASE) = c ? (c << 16) | FINISHER_FAIL : FINISHER_PASS;
    for (;;)    /* a simulator without the finisher would go on: stop here */
        __asm__ volatile("wfi");
}

void rt_test_fail(long testnum)
{
    rt_puts("FAIL: test ");
    rt_put_dec(testnum);
    rt_putc('\n');
    exit(testnum <= 0 ? 255 : testnum > 255 ? 255 : (int)testnum);
}

__attribute__((weak)) void rt_trap_hook(struct rt_trap_frame *f)
{
    rt_puts("unexpected trap: mcause=");
    rt_put_hex(f->mcause);
    rt_puts(" mepc=");
    rt_put_hex(f->mepc);
    rt_puts(" mtval=");
    rt_put_hex(f->mtval);
    rt_putc('\n');
    exit(RT_EXIT_UNEXPECTED_TRAP);
}

void rt_test_pass(void)
{
    rt_puts("PASS\n");
    exit(0);
}

/* Console and exit through HTIF (the Spike host-target interface) instead
 * of the UART and the finisher.
 *
 * silica only: QEMU's virt machine has no HTIF, so under QEMU this program
 * would spin forever; tests/differential skips it.
 *
 * The host finds `tohost`/`fromhost` by their ELF symbols in the .tohost
 * section.  A 64-bit value written to tohost is a command: device in bits
 * 63:56, command in 55:48, payload below.  Device 0 with an even payload is
 * a "syscall" pointing at a magic_mem block of 8 words (number, args...);
 * (code << 1) | 1 means exit(code).  Device 1 command 1 prints the payload's
 * low byte.  The host clears tohost once it has taken a command and, where
 * there is a reply, writes it to fromhost, which the target then clears. */
#include "rt.h"

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

#define HTIF_CMD(dev, cmd, payload) \
    (((uint64_t)(dev) << 56) | ((uint64_t)(cmd) << 48) | (uint64_t)(payload))
#define SYS_write 64

static void htif_send(uint64_t cmd)
{
    while (tohost)              /* the previous command not taken yet */
        ;
    tohost = cmd;
}

/* write(fd, buf, len) as an HTIF syscall; waits for and returns the reply. */
static long htif_write(int fd, const char *buf, size_t len)
{
    static volatile uint64_t magic_mem[8] __attribute__((aligned(64)));
    magic_mem[0] = SYS_write;
    magic_mem[1] = (uint64_t)fd;
    magic_mem[2] = (uint64_t)(uintptr_t)buf;
    magic_mem[3] = len;
    __asm__ volatile("fence" ::: "memory");
    htif_send(HTIF_CMD(0, 0, (uintptr_t)magic_mem));
    while (!fromhost)
        ;
    fromhost = 0;
    __asm__ volatile("fence" ::: "memory");
    return (long)magic_mem[0];
}

/* Device 1 (console), command 1 (putchar). */
static void htif_putchar(char c)
{
    htif_send(HTIF_CMD(1, 1, (uint8_t)c));
    while (tohost)
        ;
    fromhost = 0;               /* drop the acknowledgement, if any */
}

__attribute__((noreturn)) static void htif_exit(int code)
{
    htif_send(((uint64_t)code << 1) | 1);
    for (;;)
        ;
}

int main(void)
{
    static const char line[] = "htif: syscall write ok\n";
    long n = htif_write(1, line, sizeof line - 1);
    if (n != (long)(sizeof line - 1))
        htif_exit(2);           /* the host reports bytes written */
    for (const char *p = "htif: putchar ok\n"; *p; p++)
        htif_putchar(*p);
    htif_exit(0);
}

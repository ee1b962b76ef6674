/* The tiny bare-metal runtime shared by tests/programs and bench/.
 * No libc: output goes straight to the virt UART, exit goes through the
 * SiFive test finisher. */
#ifndef RT_RT_H
#define RT_RT_H

#include <stddef.h>
#include <stdint.h>
#include "platform.h"

/* UART output (polled; blocks until the transmitter is empty). */
void rt_putc(char c);
void rt_puts(const char *s);            /* no newline appended */
void rt_put_hex(uintptr_t v);           /* "0x" + XLEN/4 digits */
void rt_put_dec(long v);

/* End the simulation through the finisher: 0 = pass, else the exit code
 * (the finisher carries 16 bits; a process exit status keeps the low 8). */
__attribute__((noreturn)) void exit(int code);

/* Called by test_macros.h on a failed check: prints the test number and
 * exits with it (clamped to 1..255 so it never reads as success). */
__attribute__((noreturn)) void rt_test_fail(long testnum);
__attribute__((noreturn)) void rt_test_pass(void);   /* prints "PASS", exits 0 */

/* What rt_trap_entry (trap.S) saves; layout is shared with trap.S. */
struct rt_trap_frame {
    uintptr_t x[32];    /* x[0] unused, x[2] = sp before the trap */
    uintptr_t mcause;
    uintptr_t mepc;     /* written back to mepc before mret */
    uintptr_t mtval;
};

/* Weak hook called for every trap taken through rt_trap_entry.  The default
 * prints the cause and exits with RT_EXIT_UNEXPECTED_TRAP; a program may
 * define its own and return (after adjusting frame->mepc) to resume. */
void rt_trap_hook(struct rt_trap_frame *frame);

/* CSR access for C programs. */
#define rt_csr_read(csr) ({ uintptr_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define rt_csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uintptr_t)(v)))

/* mem* are provided because gcc emits calls to them even without libc. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif

/* Addresses of the QEMU "virt" devices the test programs touch.
 * Plain #defines so both C and assembly (.S) sources can include this file. */
#ifndef RT_PLATFORM_H
#define RT_PLATFORM_H

#define RAM_BASE        0x80000000

/* ns16550a UART: byte registers, THR at 0, LSR at 5 (bit 5 = THR empty). */
#define UART_BASE       0x10000000
#define UART_THR        0
#define UART_LSR        5
#define UART_LSR_THRE   0x20

/* SiFive test finisher: a 32-bit store ends the simulation.
 * 0x5555 = pass (exit 0); (code << 16) | 0x3333 = fail with exit code `code`. */
#define FINISHER_BASE   0x100000
#define FINISHER_PASS   0x5555
#define FINISHER_FAIL   0x3333

/* CLINT (hart 0): msip, mtimecmp and mtime (10 MHz). */
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)

/* Exit code used by the runtime's default trap handler (an unexpected trap). */
#define RT_EXIT_UNEXPECTED_TRAP 250

#endif

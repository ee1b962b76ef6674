/* Reset entry for every test and bench program.
 * The ELF entry is _start at 0x80000000 (see link.ld).  On entry a0 holds the
 * hart id; a1 is not relied on (QEMU passes a DTB pointer, silica passes 0).
 * Sets up gp/sp, installs the runtime's trap entry, zeroes .bss, calls
 * main(0, 0) and hands its return value to exit(). */
#include "asm.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    /* gp must be set without relaxation, or the assembler would
     * turn this into "mv gp, gp". */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop

    /* Only hart 0 runs the program; any other hart parks. */
    bnez    a0, park

    la      sp, __stack_top
    la      t0, rt_trap_entry
    csrw    mtvec, t0

    /* Zero .bss; link.ld aligns both ends to REGBYTES. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    REG_S   zero, 0(t0)
    addi    t0, t0, REGBYTES
    j       1b
2:
    li      a0, 0
    li      a1, 0
    call    main
    tail    exit

park:
    wfi
    j       park

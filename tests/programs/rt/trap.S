/* Default machine trap entry installed by start.S.
 * Saves every integer register into a struct rt_trap_frame on the current
 * stack, calls rt_trap_hook(frame) (a weak C function a program may replace),
 * then restores the registers -- including any the hook changed, and mepc --
 * and returns with mret.  Programs that need exact control (the trap tests)
 * install their own mtvec instead. */
#include "asm.h"

/* Frame layout, must match struct rt_trap_frame in rt.h:
 * x[0..31], mcause, mepc, mtval  (x[0] slot is unused). */
#define FRAME_WORDS 36      /* 35 used, rounded up to keep sp 16-byte aligned */
#define FRAME_SIZE  (FRAME_WORDS * REGBYTES)
#define OFF_MCAUSE  (32 * REGBYTES)
#define OFF_MEPC    (33 * REGBYTES)
#define OFF_MTVAL   (34 * REGBYTES)

    .text
    .globl rt_trap_entry
    .balign 4           /* mtvec needs a 4-byte aligned base */
rt_trap_entry:
    addi    sp, sp, -FRAME_SIZE
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_S   x\r, (\r * REGBYTES)(sp)
    .endr
    /* The frame holds the sp the program had before the trap. */
    addi    t0, sp, FRAME_SIZE
    REG_S   t0, (2 * REGBYTES)(sp)
    csrr    t0, mcause
    REG_S   t0, OFF_MCAUSE(sp)
    csrr    t0, mepc
    REG_S   t0, OFF_MEPC(sp)
    csrr    t0, mtval
    REG_S   t0, OFF_MTVAL(sp)

    mv      a0, sp
    call    rt_trap_hook

    REG_L   t0, OFF_MEPC(sp)
    csrw    mepc, t0
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_L   x\r, (\r * REGBYTES)(sp)
    .endr
    /* x2 (sp) is restored last; the hook may not move the stack. */
    addi    sp, sp, FRAME_SIZE
    mret

/* Mode switching for the privilege tests (priv.c): run a function in S- or
 * U-mode and come back, with M- and S-mode trap entries that hand every
 * trap to C (priv_m_trap / priv_s_trap in priv.c).
 *
 *   uintptr_t priv_call(uintptr_t mode, uintptr_t fn, uintptr_t arg,
 *                       uintptr_t va_offset);
 *
 * runs fn(arg) in `mode` (0 U, 1 S, 3 M) and returns its result. The
 * function, its stack and its return address are moved down by va_offset:
 * U-mode code runs through a user alias of RAM when translation is on. It
 * returns to priv_exit, which makes an ecall with a7 = PRIV_EXIT; whichever
 * handler sees that ecall passes it on to M-mode (an S handler by its own
 * ecall), which restores the caller's context. */
#include "asm.h"

#define PRIV_EXIT 0x5e1ca
#define FRAME_WORDS 34          /* x0-x31, epc, cause; 16-byte aligned */
#define FRAME_SIZE (FRAME_WORDS * REGBYTES)

    .text
    .globl priv_call
    .balign 4
priv_call:
    la      t0, priv_saved
    REG_S   ra, 0 * REGBYTES(t0)
    REG_S   sp, 1 * REGBYTES(t0)
    REG_S   gp, 2 * REGBYTES(t0)
    REG_S   tp, 3 * REGBYTES(t0)
    .irp r, 8,9,18,19,20,21,22,23,24,25,26,27
    REG_S   x\r, ((\r - 4) * REGBYTES)(t0)
    .endr
    li      t1, 0x1800              /* mstatus.MPP <- mode */
    csrc    mstatus, t1
    slli    t2, a0, 11
    csrs    mstatus, t2
    sub     t3, a1, a3
    csrw    mepc, t3
    la      ra, priv_exit
    sub     ra, ra, a3
    addi    sp, sp, -64             /* below the caller's frame */
    sub     sp, sp, a3
    mv      a0, a2
    mret

    .balign 4
    .globl priv_exit
priv_exit:
    li      a7, PRIV_EXIT
    ecall
1:  j       1b

/* M-mode trap entry: the stack in mscratch. */
    .balign 4
    .globl priv_m_entry
priv_m_entry:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -FRAME_SIZE
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_S   x\r, (\r * REGBYTES)(sp)
    .endr
    csrr    t0, mscratch            /* the interrupted sp */
    REG_S   t0, (2 * REGBYTES)(sp)
    csrr    t0, mepc
    REG_S   t0, (32 * REGBYTES)(sp)
    csrr    t0, mcause
    REG_S   t0, (33 * REGBYTES)(sp)
    /* An ecall with a7 = PRIV_EXIT ends priv_call. */
    li      t1, 8
    bltu    t0, t1, 2f
    li      t1, 11
    bgtu    t0, t1, 2f
    li      t1, PRIV_EXIT
    bne     a7, t1, 2f
    addi    sp, sp, FRAME_SIZE
    csrrw   sp, mscratch, sp        /* mscratch: the trap stack again */
    li      t1, 0x1800              /* MPP <- M: the caller is in M-mode */
    csrs    mstatus, t1
    la      t0, priv_saved
    REG_L   ra, 0 * REGBYTES(t0)
    REG_L   sp, 1 * REGBYTES(t0)
    REG_L   gp, 2 * REGBYTES(t0)
    REG_L   tp, 3 * REGBYTES(t0)
    .irp r, 8,9,18,19,20,21,22,23,24,25,26,27
    REG_L   x\r, ((\r - 4) * REGBYTES)(t0)
    .endr
    ret
2:  mv      a0, sp
    call    priv_m_trap
    REG_L   t0, (32 * REGBYTES)(sp)
    csrw    mepc, t0
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_L   x\r, (\r * REGBYTES)(sp)
    .endr
    addi    sp, sp, FRAME_SIZE
    csrrw   sp, mscratch, sp
    mret

/* S-mode trap entry: the stack in sscratch. */
    .balign 4
    .globl priv_s_entry
priv_s_entry:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -FRAME_SIZE
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_S   x\r, (\r * REGBYTES)(sp)
    .endr
    csrr    t0, sscratch
    REG_S   t0, (2 * REGBYTES)(sp)
    csrr    t0, sepc
    REG_S   t0, (32 * REGBYTES)(sp)
    csrr    t0, scause
    REG_S   t0, (33 * REGBYTES)(sp)
    li      t1, 8
    bne     t0, t1, 3f
    li      t1, PRIV_EXIT
    bne     a7, t1, 3f
    /* The exit ecall from U: pass it on to M-mode with the result in a0,
     * leaving sscratch as it was. */
    REG_L   a0, (10 * REGBYTES)(sp)
    addi    sp, sp, FRAME_SIZE
    csrrw   sp, sscratch, sp
    ecall
3:  mv      a0, sp
    call    priv_s_trap
    REG_L   t0, (32 * REGBYTES)(sp)
    csrw    sepc, t0
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    REG_L   x\r, (\r * REGBYTES)(sp)
    .endr
    addi    sp, sp, FRAME_SIZE
    csrrw   sp, sscratch, sp
    sret

    .data
    .balign 16
priv_saved:
    .fill 16, REGBYTES, 0

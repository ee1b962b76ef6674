/* XLEN-neutral helpers for assembly sources, so one .S file builds for
 * both rv32 and rv64.  Selected by the compiler's __riscv_xlen. */
#ifndef RT_ASM_H
#define RT_ASM_H

#if __riscv_xlen == 64
#define XLEN     64
#define REGBYTES 8
#define REG_S    sd
#define REG_L    ld
#define REG_WORD .dword
/* V(v64, v32): pick the value that matches this XLEN (for expected results
 * that differ between rv32 and rv64). */
#define V(v64, v32) v64
#elif __riscv_xlen == 32
#define XLEN     32
#define REGBYTES 4
#define REG_S    sw
#define REG_L    lw
#define REG_WORD .word
#define V(v64, v32) v32
#else
#error "unsupported XLEN"
#endif

/* The interrupt bit of mcause. */
#define MCAUSE_INT (1 << (XLEN - 1))

#endif

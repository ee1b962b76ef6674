// A tiny bare-metal RISC-V program for the ELF reader tests: code, data, bss
// and the HTIF symbols a riscv-tests binary would define.
volatile unsigned long tohost __attribute__((section(".tohost"), aligned(64)));
volatile unsigned long fromhost __attribute__((section(".tohost"), aligned(64)));

unsigned long counter = 42;   // .data
unsigned char scratch[4096];  // .bss: zero-filled by the loader

unsigned long add_one(unsigned long x) {
  return x + 1;
}

void _start(void) {
  scratch[0] = (unsigned char)add_one(counter);
  tohost = 1;
  for (;;) {
  }
}

// An assembly label: no type, no size, like hand-written trap vectors.
__asm__(
    ".section .text.trap, \"ax\"\n"
    ".globl trap_entry\n"
    "trap_entry:\n"
    "  j trap_entry\n");

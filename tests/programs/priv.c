/* The privileged architecture: S and U modes, trap delegation, ecall causes,
 * the trap-virtualization bits, counter gating, Sstc, the time CSR against
 * the CLINT, Sv39/Sv48/Sv57 page tables (4 KiB pages, 2 MiB and 1 GiB
 * superpages, permissions, SUM, MXR, MPRV, A/D updates, satp's mode probe),
 * PMP (NAPOT, NA4, TOR, lock) and the CSRs firmware probes by trapping.
 *
 * Every result is printed, so tests/differential compares it with QEMU; the
 * values the specification fixes are also checked here (exit code = the
 * number of the first failed check). priv_rt.S switches modes. */
#include "rt.h"

#define S_MODE 1
#define U_MODE 0
#define M_MODE 3

/* U-mode code runs through a second mapping of RAM (user pages), this far
 * below the identity mapping S-mode uses. */
#define USER_ALIAS 0x40000000ul

#define MSTATUS_SIE (1ul << 1)
#define MSTATUS_SPP (1ul << 8)
#define MSTATUS_MPRV (1ul << 17)
#define MSTATUS_SUM (1ul << 18)
#define MSTATUS_MXR (1ul << 19)
#define MSTATUS_TVM (1ul << 20)
#define MSTATUS_TW (1ul << 21)
#define MSTATUS_TSR (1ul << 22)

#define PTE_V 1ul
#define PTE_R 2ul
#define PTE_W 4ul
#define PTE_X 8ul
#define PTE_U 16ul
#define PTE_A 64ul
#define PTE_D 128ul

uintptr_t priv_call(uintptr_t mode, uintptr_t fn, uintptr_t arg, uintptr_t va_offset);
extern char priv_m_entry[], priv_s_entry[];

struct frame {
    uintptr_t x[32];
    uintptr_t epc;
    uintptr_t cause;
};

/* The last trap a handler saw. */
static volatile struct {
    int count;
    char mode;
    uintptr_t cause, tval, epc, status;
} trap;
static volatile int timer_fired;

static int failures_at;  /* the first failed check's number */
static void check(int n, uintptr_t got, uintptr_t want)
{
    if (got != want && failures_at == 0) {
        failures_at = n;
        rt_puts("  CHECK FAILED: ");
        rt_put_dec(n);
        rt_putc('\n');
    }
}

static void show(const char *name, uintptr_t v)
{
    rt_puts(name);
    rt_puts(" = ");
    rt_put_hex(v);
    rt_putc('\n');
}

static void reset_trap(void)
{
    trap.count = 0;
    trap.cause = trap.tval = trap.epc = ~0ul;
    trap.mode = '-';
}

/* Prints the trap a step took (or "none") and checks its cause. */
static void expect_trap(int n, const char *what, uintptr_t cause)
{
    rt_puts(what);
    if (trap.count == 0) {
        rt_puts(": no trap\n");
        check(n, ~0ul, cause);
        return;
    }
    rt_puts(": trap in ");
    rt_putc(trap.mode);
    rt_puts(" cause ");
    rt_put_hex(trap.cause);
    rt_puts(" tval ");
    rt_put_hex(trap.tval);
    rt_putc('\n');
    check(n, trap.cause, cause);
}
static void expect_no_trap(int n, const char *what)
{
    rt_puts(what);
    rt_puts(trap.count == 0 ? ": no trap\n" : ": TRAPPED\n");
    check(n, trap.count, 0);
}

/* Length of the instruction at a (virtual) address the handler can read:
 * user aliases are read through the identity mapping. */
static uintptr_t insn_length(uintptr_t epc)
{
    if (epc >= USER_ALIAS && epc < 2 * USER_ALIAS) epc += USER_ALIAS;
    return (*(volatile uint16_t *)epc & 3) == 3 ? 4 : 2;
}

static void record(char mode, struct frame *f, uintptr_t tval, uintptr_t status)
{
    trap.count++;
    trap.mode = mode;
    trap.cause = f->cause;
    trap.tval = tval;
    trap.epc = f->epc;
    trap.status = status;
    /* An instruction fetch fault: return to the caller of the function that
     * jumped there; anything else: skip the trapping instruction. */
    if (f->cause == 1 || f->cause == 12)
        f->epc = f->x[1];
    else
        f->epc += insn_length(f->epc);
}

void priv_m_trap(struct frame *f)
{
    record('M', f, rt_csr_read(mtval), rt_csr_read(mstatus));
}

void priv_s_trap(struct frame *f)
{
    uintptr_t interrupt = (uintptr_t)1 << (__riscv_xlen - 1);
    if (f->cause == (interrupt | 5)) {
        /* Sstc: the supervisor timer. Disarm it; the interrupted wfi loop
         * sees the flag. */
        __asm__ volatile("csrw stimecmp, %0" : : "r"(~0ul));
        timer_fired = 1;
        trap.count++;
        trap.mode = 'S';
        trap.cause = f->cause;
        return;
    }
    record('S', f, rt_csr_read(stval), rt_csr_read(sstatus));
}

/* -- functions run in S- and U-mode ------------------------------------------ */

static uintptr_t do_ecall(uintptr_t unused)
{
    __asm__ volatile("li a7, 0; ecall" : : : "a7", "a0", "memory");
    return 0;
}
static uintptr_t read_mstatus(uintptr_t unused)
{
    return rt_csr_read(mstatus);
}
static uintptr_t do_sret(uintptr_t unused)
{
    __asm__ volatile("sret");
    return 0;
}
static uintptr_t do_wfi(uintptr_t unused)
{
    __asm__ volatile("wfi");
    return 0;
}
static uintptr_t read_satp(uintptr_t unused)
{
    return rt_csr_read(satp);
}
static uintptr_t do_sfence(uintptr_t unused)
{
    __asm__ volatile("sfence.vma" : : : "memory");
    return 0;
}
static uintptr_t read_cycle(uintptr_t unused)
{
    return rt_csr_read(cycle) != 0;
}
static uintptr_t read_time(uintptr_t unused)
{
    return rt_csr_read(time) != 0;
}
static uintptr_t read_instret(uintptr_t unused)
{
    return rt_csr_read(instret) != 0;
}
static uintptr_t load_word(uintptr_t addr)
{
    return *(volatile uintptr_t *)addr;
}
static uintptr_t store_word(uintptr_t addr)
{
    *(volatile uintptr_t *)addr = 0x5a5a;
    return 0;
}
static uintptr_t store_byte(uintptr_t addr)
{
    *(volatile uint8_t *)addr = 0x77;
    return 0;
}
/* LR then SC of the word at addr; returns SC's result (0 = stored). */
static uintptr_t lr_sc_word(uintptr_t addr)
{
    uintptr_t value, failed;
    __asm__ volatile("lr.d %0, (%2); sc.d %1, %0, (%2)"
                     : "=&r"(value), "=&r"(failed)
                     : "r"(addr)
                     : "memory");
    return failed;
}
static uintptr_t call_address(uintptr_t addr)
{
    return ((uintptr_t(*)(void))addr)();
}
static uintptr_t sstatus_all_ones(uintptr_t unused)
{
    rt_csr_write(sstatus, ~0ul);
    uintptr_t v = rt_csr_read(sstatus);
    rt_csr_write(sstatus, 0);
    return v;
}
/* Arms the supervisor timer 1 ms (10,000 ticks) ahead and sleeps until it
 * fires.  Far enough ahead that on QEMU, whose time is the host's clock, a
 * busy host does not let the deadline pass before the CSR write (QEMU 7.2
 * then sometimes never raises the interrupt and the wfi loop hangs). */
#define STIMECMP_AHEAD 10000
static uintptr_t wait_for_stimecmp(uintptr_t unused)
{
    uintptr_t now = rt_csr_read(time);
    __asm__ volatile("csrw stimecmp, %0" : : "r"(now + STIMECMP_AHEAD));
    __asm__ volatile("csrs sie, %0" : : "r"(1ul << 5));
    __asm__ volatile("csrs sstatus, %0" : : "r"(MSTATUS_SIE));
    while (!timer_fired)
        __asm__ volatile("wfi");
    __asm__ volatile("csrc sstatus, %0" : : "r"(MSTATUS_SIE));
    return rt_csr_read(time) >= now + STIMECMP_AHEAD;
}

static uintptr_t in_s(uintptr_t (*fn)(uintptr_t), uintptr_t arg)
{
    reset_trap();
    return priv_call(S_MODE, (uintptr_t)fn, arg, 0);
}
/* U-mode runs through the user alias when translation is on. */
static uintptr_t u_offset;
static uintptr_t in_u(uintptr_t (*fn)(uintptr_t), uintptr_t arg)
{
    reset_trap();
    return priv_call(U_MODE, (uintptr_t)fn, arg, u_offset);
}

/* -- page tables ----------------------------------------------------------------- */

#if __riscv_xlen == 64
typedef uint64_t pte_t;
#define PAGE __attribute__((aligned(4096)))
static pte_t root39[512] PAGE, root48[512] PAGE, root57[512] PAGE;
static pte_t level1[512] PAGE, level0[512] PAGE;
static uint8_t pages[6][4096] PAGE;
/* A 2 MiB-aligned region of RAM for the megapage, well past the program. */
#define MEGA_PA 0x80400000ul
#define TEST_VA 0x200000000ul /* level-2 index 8 in Sv39 */

static pte_t leaf(uintptr_t pa, uintptr_t perms)
{
    return ((pa >> 12) << 10) | perms | PTE_V;
}
static pte_t pointer(void *table)
{
    return (((uintptr_t)table >> 12) << 10) | PTE_V;
}
static uintptr_t va(int index)
{
    return TEST_VA + 4096ul * index;
}

static void build_tables(void)
{
    for (int i = 0; i < 512; i++)
        root39[i] = root48[i] = root57[i] = level1[i] = level0[i] = 0;
    /* 1 GiB: RAM for S-mode at its own address, for U-mode 1 GiB lower. */
    root39[2] = leaf(0x80000000ul, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    root39[1] = leaf(0x80000000ul, PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    root39[8] = pointer(level1);
    level1[0] = pointer(level0);
    level1[1] = leaf(MEGA_PA, PTE_R | PTE_W | PTE_A | PTE_D);           /* 2 MiB */
    level1[2] = leaf(MEGA_PA + 4096, PTE_R | PTE_W | PTE_A | PTE_D);    /* misaligned */
    level0[0] = leaf((uintptr_t)pages[0], PTE_R | PTE_W);               /* A, D clear */
    level0[1] = leaf((uintptr_t)pages[1], PTE_R | PTE_A);               /* read-only */
    /* level0[2] stays invalid */
    level0[3] = leaf((uintptr_t)pages[3], PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    level0[4] = leaf((uintptr_t)pages[4], PTE_X | PTE_A);               /* execute-only */
    level0[5] = leaf((uintptr_t)pages[5], PTE_R | PTE_W | PTE_A | PTE_D); /* no X */
    level0[6] = PTE_W | PTE_V;                                          /* W without R */
    level0[7] = leaf((uintptr_t)pages[0], PTE_R | PTE_A) | (1ul << 60); /* reserved bit */
    /* Sv48 and Sv57 put the Sv39 tree under their entry 0. */
    root48[0] = pointer(root39);
    root57[0] = pointer(root48);
}

static void set_satp(uintptr_t mode, pte_t *root)
{
    uintptr_t value = (mode << 60) | ((uintptr_t)root >> 12);
    __asm__ volatile("csrw satp, %0; sfence.vma" : : "r"(value) : "memory");
}

static void paging_tests(const char *name, uintptr_t mode, pte_t *root, int base)
{
    rt_puts(name);
    rt_putc('\n');
    build_tables();
    *(volatile uintptr_t *)pages[1] = 0x1111;
    *(volatile uintptr_t *)pages[4] = 0x4444;
    *(volatile uintptr_t *)MEGA_PA = 0x2222;
    *(volatile uintptr_t *)(MEGA_PA + 0x12340) = 0x2323;
    set_satp(mode, root);
    u_offset = USER_ALIAS;

    in_s(store_word, va(0));
    expect_no_trap(base + 1, "  store to a fresh page");
    show("  A and D after the store", level0[0] & (PTE_A | PTE_D));
    check(base + 2, level0[0] & (PTE_A | PTE_D), PTE_A | PTE_D);
    check(base + 3, *(volatile uintptr_t *)pages[0], 0x5a5a);
    check(base + 4, in_s(load_word, va(1)), 0x1111);
    in_s(store_word, va(1));
    expect_trap(base + 5, "  store to a read-only page", 15);
    check(base + 6, trap.tval, va(1));
    /* SC to a read-only page faults as a store (copy-on-write relies on
     * it); to a writable one it succeeds. */
    in_s(lr_sc_word, va(1));
    expect_trap(base + 27, "  SC to a read-only page", 15);
    check(base + 28, trap.tval, va(1));
    check(base + 29, in_s(lr_sc_word, va(0)), 0);
    in_s(load_word, va(2) + 8);
    expect_trap(base + 7, "  load from an invalid entry", 13);
    check(base + 8, trap.tval, va(2) + 8);
    /* A user page from S-mode: only with SUM. */
    in_s(load_word, va(3));
    expect_trap(base + 9, "  S loads a U page without SUM", 13);
    __asm__ volatile("csrs mstatus, %0" : : "r"(MSTATUS_SUM));
    in_s(load_word, va(3));
    expect_no_trap(base + 10, "  S loads a U page with SUM");
    in_s(call_address, va(3));
    expect_trap(base + 11, "  S executes a U page, even with SUM", 12);
    __asm__ volatile("csrc mstatus, %0" : : "r"(MSTATUS_SUM));
    /* An execute-only page: readable only with MXR. */
    in_s(load_word, va(4));
    expect_trap(base + 12, "  load from an execute-only page", 13);
    __asm__ volatile("csrs mstatus, %0" : : "r"(MSTATUS_MXR));
    check(base + 13, in_s(load_word, va(4)), 0x4444);
    __asm__ volatile("csrc mstatus, %0" : : "r"(MSTATUS_MXR));
    in_s(call_address, va(5));
    expect_trap(base + 14, "  fetch from a page without X", 12);
    check(base + 15, trap.tval, va(5));
    in_s(load_word, va(6));
    expect_trap(base + 16, "  W without R", 13);
    in_s(load_word, va(7));
    expect_trap(base + 17, "  reserved PTE bits", 13);
    /* Superpages. */
    check(base + 18, in_s(load_word, TEST_VA + 0x200000), 0x2222);
    check(base + 19, in_s(load_word, TEST_VA + 0x200000 + 0x12340), 0x2323);
    in_s(load_word, TEST_VA + 0x400000);
    expect_trap(base + 20, "  misaligned megapage", 13);
    /* Not canonical: bits above the virtual address width differ. */
    uintptr_t noncanonical = (uintptr_t)1 << (mode == 8 ? 40 : mode == 9 ? 50 : 58);
    in_s(load_word, noncanonical);
    expect_trap(base + 21, "  non-canonical address", 13);
    check(base + 22, trap.tval, noncanonical);
    /* U-mode: its alias works, the S-only identity mapping does not. */
    *(volatile uintptr_t *)pages[3] = 0x3333;
    check(base + 23, in_u(load_word, va(3)), 0x3333);
    in_u(load_word, va(1));
    expect_trap(base + 24, "  U loads an S page", 13);
    /* A store that straddles two pages, the second read-only: nothing is
     * written. */
    *(volatile uint8_t *)&pages[0][4095] = 0;
    in_s(store_word, va(1) - 4);
    expect_trap(base + 25, "  store across into a read-only page", 15);
    show("  byte before the boundary", pages[0][4095]);
    /* MPRV: M-mode loads and stores translate as MPP's mode. */
    uintptr_t mprv_value;
    __asm__ volatile("li t0, 0x1800; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0;"
                     "csrs mstatus, %2; ld %0, 0(%1); csrc mstatus, %2"
                     : "=&r"(mprv_value)
                     : "r"(va(1)), "r"(MSTATUS_MPRV)
                     : "t0", "memory");
    check(base + 26, mprv_value, 0x1111);
    show("  MPRV load", mprv_value);
    /* One virtual page, two physical pages of code in turn: each remap
     * (with sfence.vma) must run the code now mapped there, though both
     * were run, and perhaps cached, before. */
    uint32_t *code4 = (uint32_t *)pages[4], *code5 = (uint32_t *)pages[5];
    code4[0] = 0x02c00513u; /* li a0, 44 */
    code4[1] = 0x00008067u; /* ret */
    code5[0] = 0x03700513u; /* li a0, 55 */
    code5[1] = 0x00008067u;
    __asm__ volatile("fence.i" ::: "memory");
    uintptr_t remapped = 0;
    for (int i = 0; i < 6; i++) {
        level0[4] = leaf((uintptr_t)(i & 1 ? pages[5] : pages[4]), PTE_X | PTE_A);
        __asm__ volatile("sfence.vma" ::: "memory");
        remapped = remapped * 100 + in_s(call_address, va(4));
    }
    check(base + 30, remapped, 445544554455ul);
    show("  code of a remapped page", remapped);
    level0[4] = leaf((uintptr_t)pages[4], PTE_X | PTE_A);
    __asm__ volatile("sfence.vma" ::: "memory");
    set_satp(0, 0);
    u_offset = 0;
}

static uintptr_t satp_after(uintptr_t value)
{
    __asm__ volatile("csrw satp, zero; csrw satp, %0" : : "r"(value));
    uintptr_t v = rt_csr_read(satp);
    __asm__ volatile("csrw satp, zero");
    return v;
}
#endif

/* -- PMP ---------------------------------------------------------------------- */

static uint8_t pmp_pages[2][4096] __attribute__((aligned(4096)));

static void pmp_tests(void)
{
    rt_puts("pmp\n");
    uintptr_t page = (uintptr_t)pmp_pages[0];
    uintptr_t word = (uintptr_t)pmp_pages[1] + 16;
    /* 0: NAPOT, the first page, read-only. 1: NA4, a word of the second,
     * read-write. 2: off, the base of 3: TOR over the rest, RWX. */
    rt_csr_write(pmpaddr0, (page >> 2) | 0x1ff);
    rt_csr_write(pmpaddr1, word >> 2);
    rt_csr_write(pmpaddr2, 0);
    rt_csr_write(pmpaddr3, ~0ul);
    uintptr_t cfg = 0x19 | (0x13ul << 8) | (0x0ful << 24);
    rt_csr_write(pmpcfg0, cfg);
    show("  pmpcfg0", rt_csr_read(pmpcfg0));
    /* Address bits 55:2 (QEMU 7.2 also keeps the top ten bits). */
    show("  pmpaddr3 bits 53:0", rt_csr_read(pmpaddr3) & ((1ul << 54) - 1));
    in_s(load_word, page);
    expect_no_trap(40, "  S loads the NAPOT page");
    in_s(store_byte, page + 8);
    expect_trap(41, "  S stores to the read-only NAPOT page", 7);
    check(42, trap.tval, page + 8);
    in_s(store_byte, word);
    expect_no_trap(43, "  S stores into the NA4 word");
    in_s(load_word, word - 4);
    expect_trap(44, "  S load partly inside the NA4 word", 5);
    in_s(store_byte, (uintptr_t)pmp_pages[1]);
    expect_no_trap(45, "  S stores under the TOR entry");
    in_s(call_address, page);
    expect_trap(46, "  S executes the NAPOT page", 1);
    /* M-mode is not checked by unlocked entries... */
    reset_trap();
    *(volatile uint8_t *)(page + 8) = 1;
    expect_no_trap(47, "  M stores to the unlocked NAPOT page");
    /* ...but S-mode accesses no entry matches fail: TOR now ends below the
     * PMP pages (the code stays covered). */
    rt_csr_write(pmpaddr3, page >> 2);
    in_s(store_byte, (uintptr_t)pmp_pages[1]);
    expect_trap(48, "  S store no entry matches", 7);
    rt_csr_write(pmpaddr3, ~0ul);
#if __riscv_xlen == 64
    reset_trap();
    __asm__ volatile("csrr t0, 0x3a1" : : : "t0"); /* pmpcfg1 */
    expect_trap(49, "  pmpcfg1 on RV64", 2);
#endif
    /* Locked: applies to M-mode, and the entry ignores writes. */
    rt_csr_write(pmpcfg0, 0x99 | (0x0ful << 24));
    rt_csr_write(pmpcfg0, 0x0ful << 24);
    show("  pmpcfg0 after writing a locked entry", rt_csr_read(pmpcfg0) & 0xff);
    check(50, rt_csr_read(pmpcfg0) & 0xff, 0x99);
    reset_trap();
    *(volatile uint8_t *)(page + 8) = 2;
    expect_trap(51, "  M stores to the locked read-only page", 7);
    reset_trap();
    (void)*(volatile uint8_t *)(page + 8);
    expect_no_trap(52, "  M loads the locked page");
}

/* -- CSRs firmware probes ------------------------------------------------------ */

static void probe(const char *name, int n, uintptr_t (*read)(void))
{
    reset_trap();
    read();
    rt_puts("  ");
    expect_trap(n, name, 2);
}
#define PROBE(csr) static uintptr_t probe_##csr(void) { return rt_csr_read(csr); }
PROBE(0x3c0) /* pmpaddr16 */
PROBE(0xda0) /* scountovf */
PROBE(0xfb0) /* mtopi */
PROBE(0x30c) /* mstateen0 */
PROBE(0x7c0) /* a custom CSR nothing implements */

int main(void)
{
    static uint8_t m_stack[4096] __attribute__((aligned(16)));
    static uint8_t s_stack[4096] __attribute__((aligned(16)));
    rt_csr_write(mtvec, (uintptr_t)priv_m_entry);
    rt_csr_write(stvec, (uintptr_t)priv_s_entry);
    rt_csr_write(mscratch, (uintptr_t)(m_stack + sizeof m_stack));
    rt_csr_write(sscratch, (uintptr_t)(s_stack + sizeof s_stack));
    /* PMP: everything for S and U until the PMP tests. */
    rt_csr_write(pmpaddr0, ~0ul);
    rt_csr_write(pmpcfg0, 0x1f);

    rt_puts("modes\n");
    uintptr_t misa = rt_csr_read(misa);
    show("  misa S and U", misa & ((1ul << ('S' - 'A')) | (1ul << ('U' - 'A'))));
    check(1, misa & ((1ul << ('S' - 'A')) | (1ul << ('U' - 'A'))),
          (1ul << ('S' - 'A')) | (1ul << ('U' - 'A')));
    in_u(do_ecall, 0);
    expect_trap(2, "  ecall from U", 8);
    in_s(do_ecall, 0);
    expect_trap(3, "  ecall from S", 9);
    show("  MPP after ecall from S", (trap.status >> 11) & 3);
    check(4, (trap.status >> 11) & 3, 1);
    reset_trap();
    __asm__ volatile("li a7, 0; ecall" : : : "a7", "a0", "memory");
    expect_trap(5, "  ecall from M", 11);
    /* Delegated: ecall from U goes to S-mode, from S still to M. */
    rt_csr_write(medeleg, 1ul << 8);
    in_u(do_ecall, 0);
    expect_trap(6, "  delegated ecall from U", 8);
    check(7, trap.mode, 'S');
    show("  SPP after the delegated ecall", (trap.status & MSTATUS_SPP) != 0);
    in_s(do_ecall, 0);
    expect_trap(8, "  ecall from S with only U's delegated", 9);
    check(9, trap.mode, 'M');
    rt_csr_write(medeleg, 0);
    rt_csr_write(medeleg, 0xb1ff);
    show("  medeleg readback of 0xb1ff", rt_csr_read(medeleg));
    rt_csr_write(medeleg, 0);
    rt_csr_write(mideleg, 0x222);
    /* QEMU's harts have H, whose VS interrupt bits read as one there. */
    show("  mideleg readback of 0x222 (S bits)", rt_csr_read(mideleg) & 0x222);
    check(31, rt_csr_read(mideleg) & 0x222, 0x222);
    rt_csr_write(mideleg, 0);
    /* Privileged instructions and CSRs from below. */
    in_s(read_mstatus, 0);
    expect_trap(10, "  S reads mstatus", 2);
    in_u(do_sret, 0);
    expect_trap(11, "  sret in U", 2);
    in_u(do_wfi, 0);
    expect_trap(12, "  wfi in U", 2);
    in_u(do_sfence, 0);
    expect_trap(13, "  sfence.vma in U", 2);
    __asm__ volatile("csrs mstatus, %0" : : "r"(MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM));
    in_s(do_wfi, 0);
    expect_trap(14, "  wfi in S with TW", 2);
    in_s(do_sret, 0);
    expect_trap(15, "  sret in S with TSR", 2);
    in_s(read_satp, 0);
    expect_trap(16, "  satp in S with TVM", 2);
    in_s(do_sfence, 0);
    expect_trap(17, "  sfence.vma in S with TVM", 2);
    __asm__ volatile("csrc mstatus, %0" : : "r"(MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM));
    in_s(read_satp, 0);
    expect_no_trap(18, "  satp in S without TVM");
    uintptr_t sstatus_ones = in_s(sstatus_all_ones, 0);
    expect_no_trap(19, "  sstatus write in S");
    show("  sstatus SIE SPIE SPP SUM MXR after writing ones",
         sstatus_ones & (MSTATUS_SIE | (1ul << 5) | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR));

    rt_puts("counters\n");
    rt_csr_write(mcounteren, 0);
    rt_csr_write(scounteren, 0);
    in_s(read_cycle, 0);
    expect_trap(20, "  S cycle, mcounteren 0", 2);
    in_s(read_time, 0);
    expect_trap(21, "  S time, mcounteren 0", 2);
    rt_csr_write(mcounteren, 7);
    in_s(read_cycle, 0);
    expect_no_trap(22, "  S cycle, mcounteren 7");
    in_s(read_instret, 0);
    expect_no_trap(23, "  S instret, mcounteren 7");
    in_u(read_time, 0);
    expect_trap(24, "  U time, scounteren 0", 2);
    rt_csr_write(scounteren, 2);
    in_u(read_time, 0);
    expect_no_trap(25, "  U time, scounteren 2");
    in_u(read_cycle, 0);
    expect_trap(26, "  U cycle, scounteren 2", 2);

    rt_puts("time\n");
    uintptr_t t1 = rt_csr_read(time);
    uintptr_t mtime = *(volatile uintptr_t *)CLINT_MTIME;
    uintptr_t t2 = rt_csr_read(time);
    rt_puts(t1 <= mtime && mtime <= t2 ? "  time <= mtime <= time\n" : "  time and mtime disagree\n");
    check(27, t1 <= mtime && mtime <= t2, 1);

    rt_puts("sstc\n");
    rt_csr_write(menvcfg, 1ul << 63);
    rt_csr_write(mideleg, 1ul << 5);
    timer_fired = 0;
    uintptr_t reached = in_s(wait_for_stimecmp, 0);
    show("  supervisor timer interrupt", trap.cause);
    check(28, trap.cause, ((uintptr_t)1 << (__riscv_xlen - 1)) | 5);
    check(29, reached, 1);
    rt_csr_write(mideleg, 0);
    rt_csr_write(menvcfg, 0);

#if __riscv_xlen == 64
    rt_puts("satp\n");
    show("  Sv39 accepted", satp_after(8ul << 60) >> 60);
    show("  Sv48 accepted", satp_after(9ul << 60) >> 60);
    show("  Sv57 accepted", satp_after(10ul << 60) >> 60);
    uintptr_t probe64 = satp_after(11ul << 60);
    show("  mode 11 leaves satp unchanged", probe64);
    check(30, probe64, 0);
    paging_tests("sv39", 8, root39, 100);
    paging_tests("sv48", 9, root48, 140);
    paging_tests("sv57", 10, root57, 180);
#endif

    rt_puts("probes\n");
    probe("pmpaddr16", 60, probe_0x3c0);
    probe("scountovf", 61, probe_0xda0);
    probe("mtopi", 62, probe_0xfb0);
    probe("mstateen0", 63, probe_0x30c);
    probe("custom 0x7c0", 64, probe_0x7c0);

    pmp_tests();
    if (failures_at != 0) {
        rt_puts("FAIL\n");
        return failures_at > 254 ? 254 : failures_at;
    }
    rt_puts("PASS\n");
    return 0;
}

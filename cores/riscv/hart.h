// A RISC-V hart's architectural state and the operations the generated
// semantics call: memory access through a software TLB, control transfer,
// traps and the named helpers declared in isa/riscv/*.isa.
//
// Fast paths (TLB hits on RAM) are inline here; everything else is in
// hart_memory.cpp, csr_file.cpp and traps.cpp. Every operation that can trap
// returns false after redirecting the hart to its trap handler.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "cores/common/semantic_ops.h"
#include "cores/engine/code_pages.h"
#include "cores/engine/cpu_debug.h"
#include "cores/engine/memory_port.h"
#include "cores/riscv/hart_config.h"
#include "riscv_isa.h"
#include "traces/trace_record.h"

namespace silica::riscv {

enum class Privilege : uint8_t { kUser = 0, kSupervisor = 1, kMachine = 3 };

// Exception causes (Privileged ISA, table 3.6).
namespace cause {
constexpr uint64_t kInsnMisaligned = 0, kInsnAccessFault = 1, kIllegalInsn = 2, kBreakpoint = 3,
                   kLoadMisaligned = 4, kLoadAccessFault = 5, kStoreMisaligned = 6,
                   kStoreAccessFault = 7, kEcallFromU = 8, kEcallFromS = 9, kEcallFromM = 11,
                   kInsnPageFault = 12, kLoadPageFault = 13, kStorePageFault = 15;
constexpr unsigned kSupervisorSoftIrq = 1, kMachineSoftIrq = 3, kSupervisorTimerIrq = 5,
                   kMachineTimerIrq = 7, kSupervisorExternalIrq = 9, kMachineExternalIrq = 11;
}  // namespace cause

// mip/mie bits of the supervisor interrupts (the ones mideleg can delegate).
constexpr uint64_t kSupervisorIrqs = (1u << cause::kSupervisorSoftIrq) |
                                     (1u << cause::kSupervisorTimerIrq) |
                                     (1u << cause::kSupervisorExternalIrq);

namespace mstatus_bits {
constexpr uint64_t kSie = 1u << 1, kMie = 1u << 3, kSpie = 1u << 5, kMpie = 1u << 7, kSpp = 1u << 8,
                   kMpp = 3u << 11;
// Memory privilege: MPRV (loads/stores as if in MPP), SUM (S may touch U
// pages), MXR (executable pages readable). Trap virtualization: TVM (satp and
// sfence.vma trap in S), TW (wfi traps below M), TSR (sret traps in S).
constexpr uint64_t kMprv = 1u << 17, kSum = 1u << 18, kMxr = 1u << 19, kTvm = 1u << 20,
                   kTw = 1u << 21, kTsr = 1u << 22;
// RV64: UXL and SXL, read-only 2 (64-bit U and S modes).
constexpr uint64_t kUxlSxl64 = (uint64_t(2) << 32) | (uint64_t(2) << 34);
// Floating-point state: Off (0), Initial, Clean, Dirty (3). SD, the top bit,
// summarises FS == Dirty (silica has no other extension state).
constexpr uint64_t kFs = 3u << 13, kFsDirty = 3u << 13;
}  // namespace mstatus_bits

// One direct-mapped software TLB entry: host = addend + guest address. The tag
// is the page address; an access whose low bits (size-1) are set never
// matches, so misaligned accesses take the slow path.
struct TlbEntry {
  uint64_t tag = ~uint64_t(0);
  uintptr_t addend = 0;
};

// The read TLB's one large entry: a range of guest addresses that loads read
// straight from host memory. It holds RAM while addresses are physical and
// unchecked (no translation, no PMP), which is what bare-metal code runs
// under. Its bounds do not depend on the address being loaded, so the check
// costs a subtract and a compare on the address's path where a TLB probe
// costs a dependent load.
struct ReadWindow {
  uint64_t base = 0;
  // Offsets from base below this take an access of up to 8 bytes: the
  // region's size less 7, or 0 for no window.
  uint64_t limit = 0;
  const uint8_t* host = nullptr;  // where base is
};

constexpr unsigned kPageBits = 12;
constexpr uint64_t kPageSize = uint64_t(1) << kPageBits;
constexpr unsigned kTlbEntries = 256;

// Physical Memory Protection: 16 entries (Privileged ISA 3.7), in pmp.cpp.
constexpr unsigned kPmpEntries = 16;
struct PmpState {
  uint8_t cfg[kPmpEntries] = {};    // L(7) A(4:3) X(2) W(1) R(0) per entry
  uint64_t addr[kPmpEntries] = {};  // pmpaddr: physical address bits 55:2
  // Derived from cfg, kept so the common cases cost one test: whether any
  // entry is active (A != OFF), and whether any active entry is locked (then
  // M-mode accesses are checked too).
  bool any_active = false;
  bool any_locked = false;
};

// What a memory access is for: it selects the permission a page or a PMP
// entry must grant and the fault cause.
enum class Access : uint8_t { kFetch, kLoad, kStore };

// What changed about address translation (Hart::translation_changed).
enum class TranslationChange : uint8_t {
  kDataContext,  // the privilege, or mstatus' MPRV/MPP/SUM/MXR: how loads and stores translate
  kMappings,     // satp or sfence.vma: any page may now map elsewhere, or not at all
  kProtection,   // PMP: which physical memory may be fetched, loaded or stored
};

// The instruction-fetch TLB: virtual page and privilege -> physical page, for
// pages the page tables and PMP let that privilege execute whole. The code
// caches look up decoded code by the physical page, so they check it here.
struct FetchTlbEntry {
  uint64_t tag = ~uint64_t(0);  // page address | privilege
  uint64_t physical_page = 0;
  unsigned page_shift = kPageBits;  // of the leaf that mapped it (see Translation)
};

template <unsigned XLEN>
struct Hart {
  using ux = sem::uxlen<XLEN>;

  // -- architectural state --------------------------------------------------
  ux x[32] = {};
  uint64_t pc = 0;
  Privilege priv = Privilege::kMachine;
  ux mstatus = 0, mie = 0, mtvec = 0, mepc = 0, mcause = 0, mtval = 0, mscratch = 0;
  // mip as the hart sees it: the device wires, the bits software wrote (SSIP,
  // STIP, SEIP) and Sstc's STIP, ORed by update_mip(). Interrupt checks read
  // this one field.
  ux mip = 0;
  ux mip_wires = 0;                 // MSIP, MTIP, MEIP, SEIP as the platform drives them
  ux mip_software = 0;              // SSIP, STIP, SEIP as M-mode (or S, for SSIP) wrote them
  bool sstc_timer_pending = false;  // time >= stimecmp while menvcfg.STCE
  ux medeleg = 0, mideleg = 0;
  ux stvec = 0, sepc = 0, scause = 0, stval = 0, sscratch = 0, satp = 0;
  uint32_t mcounteren = 0, scounteren = 0;
  uint64_t menvcfg = 0, senvcfg = 0;
  uint64_t stimecmp = ~uint64_t(0);
  PmpState pmp;
  uint64_t instret = 0;  // retired instructions (minstret)
  uint64_t cycles = 0;   // cycles charged by the timing model (mcycle)
  bool wfi = false;      // sleeping in WFI until an interrupt is pending
  // LR/SC reservation: the physical address LR read and the value it saw.
  // SC succeeds only while the reservation is valid and memory still holds
  // that value, which also catches stores by other harts (helpers.cpp).
  bool reservation_valid = false;
  uint64_t reservation_addr = 0;
  uint64_t reservation_value = 0;
  // F and D: 64-bit registers (singles NaN-boxed in the low half) and fcsr.
  uint64_t f[32] = {};
  uint8_t fflags = 0;  // accrued exceptions: NV DZ OF UF NX
  uint8_t frm = 0;     // dynamic rounding mode

  // -- environment ----------------------------------------------------------
  HartConfig config;
  MemoryPort* memory = nullptr;
  // The machine's record of code pages: stores into them reach every hart's
  // code caches through it (cores/engine/code_pages.h).
  CodePages* code_pages = nullptr;
  const bool* stop_request = nullptr;  // set by the simulation to end run() promptly
  // Counts withdrawn direct-memory grants: translations that compiled in a
  // RAM window must go when it changes.
  uint64_t memory_map_generation = 0;
  // Set by anything the engine must look at between blocks: bus accesses
  // (which may stop or reset the simulation), CSR writes, interrupt wires,
  // WFI, code changes. The engines notice it after the out-of-line code that
  // can set it and fold it into cycle_limit, so chained blocks test only that.
  bool attention = false;
  // Engine scratch for the threaded interpreter: where a block stopped early
  // (the trapping entry) and the block being run.
  const void* stopped_at = nullptr;
  const void* current_block = nullptr;
  // Blocks chain while cycles < cycle_limit. The run loops fold the
  // instruction limit in (every instruction costs at least a cycle) and set
  // it to 0 to stop at the next block boundary.
  uint64_t cycle_limit = 0;
  // Counts satp writes and sfence.vmas: the code caches' shortcuts by
  // virtual address (block successors, chained jumps across pages, the jump
  // cache) hold only within one. Here, next to what chaining reads.
  uint64_t mapping_epoch = 0;

  // Tracing: while a sink is attached the inline probes miss every TLB entry
  // (kSlowPathTag), so every memory access takes the slow path, which
  // records it in trace_record.
  trace::TraceSink* trace = nullptr;
  trace::Retired trace_record;

  // Debugging. A breakpoint address always starts a decoded block, so the run
  // loop can stop before it; stepping and watchpoints use one-instruction
  // blocks. Watchpoints, like tracing, keep every access on the slow path
  // (slow_memory).
  const std::set<uint64_t>* breakpoints = nullptr;  // non-null while any is set
  uint64_t breakpoint_skip_pc = ~uint64_t(0);       // resuming from this breakpoint
  const std::vector<Watchpoint>* watchpoints = nullptr;
  bool single_step = false;
  bool watch_hit = false;
  uint64_t watch_addr = 0;
  BreakpointKind watch_kind = BreakpointKind::kWriteWatch;
  unsigned max_block_insns = 64;
  bool slow_memory = false;  // TLB entries for the slow path only: tracing or watching

  // The software TLB caches guest virtual page -> host page for the current
  // translation context: privilege, MPRV/MPP, SUM, MXR, satp and PMP. Anything
  // that changes the context flushes it (translation_changed()). Only pages
  // the page tables and PMP grant whole get entries.
  TlbEntry tlb_read[kTlbEntries];
  TlbEntry tlb_write[kTlbEntries];
  ReadWindow read_window;  // filled and flushed with tlb_read
  // The size (log2) of the leaf each entry came from: an sfence.vma naming
  // one address drops every entry of its (super)page.
  uint8_t tlb_read_shift[kTlbEntries] = {};
  uint8_t tlb_write_shift[kTlbEntries] = {};
  FetchTlbEntry tlb_fetch[kTlbEntries];
  // Which (super)pages code was entered on in this mapping epoch, as a
  // Bloom-style bit set: a fence naming none of them leaves the code caches'
  // shortcuts alone.
  static constexpr unsigned kCodeMappingBits = 1 << 16;
  uint64_t code_mappings[kCodeMappingBits / 64] = {};
  // Counts PMP changes and resets: decoded code does not survive them.
  uint64_t fetch_context = 0;
  uint64_t tlb_context = ~uint64_t(0);  // the context the TLB's entries belong to

  void write_x(size_t index, ux value) {
    x[index] = value;
    x[0] = 0;
  }
  void write_f(unsigned index, uint64_t value) {
    f[index] = value;
    mark_fp_dirty();
  }
  // Any change to the floating-point state sets mstatus.FS to Dirty (and SD).
  void mark_fp_dirty() { mstatus |= ux(mstatus_bits::kFsDirty) | (ux(1) << (XLEN - 1)); }

  void reset(uint64_t start_pc);
  void flush_tlb();  // loads and stores
  void flush_fetch_tlb();
  // Drops the write-TLB entries that reach this host page (under any
  // virtual address): it now holds decoded code.
  void drop_write_mappings(uintptr_t host_page);
  // kDataContext drops the TLB if loads and stores now translate
  // differently. kMappings drops both TLBs and moves mapping_epoch on;
  // kProtection also moves fetch_context on.
  void translation_changed(TranslationChange change);
  // sfence.vma naming one address: drops the TLB entries of the (super)page
  // holding it, and moves mapping_epoch on only if code was entered there.
  void mapping_changed_at(uint64_t vaddr);
  // Moves mapping_epoch on: the engines' shortcuts by virtual pc lapse.
  void begin_mapping_epoch();
  // The engines tell the hart where they enter code (pc, through a leaf of
  // 2^page_shift bytes) before taking a shortcut there.
  void note_code_mapping(uint64_t pc, unsigned page_shift) {
    const unsigned bit = code_mapping_bit(pc, page_shift);
    code_mappings[bit / 64] |= uint64_t(1) << (bit % 64);
  }
  static unsigned code_mapping_bit(uint64_t vaddr, unsigned page_shift) {
    const uint64_t key = ((vaddr >> page_shift) << 6) | page_shift;
    return unsigned((key * 0x9e3779b97f4a7c15) >> (64 - 16));
  }
  // Recomputes mip from the wires, software's bits and Sstc's timer.
  void update_mip();
  // Privilege of loads and stores: MPP while MPRV is set in M-mode.
  Privilege data_privilege() const {
    if (priv == Privilege::kMachine && (mstatus & mstatus_bits::kMprv) != 0) {
      return Privilege((mstatus & mstatus_bits::kMpp) >> 11);
    }
    return priv;
  }
  // Machine mode without MPRV and without locked PMP entries: memory is
  // untranslated and unchecked, what the DBT's inline fast paths assume.
  bool unrestricted_machine_mode() const {
    return priv == Privilege::kMachine && (mstatus & mstatus_bits::kMprv) == 0 && !pmp.any_locked;
  }
  // Recomputes slow_memory after tracing or watchpoints changed.
  void update_memory_mode() {
    slow_memory = trace != nullptr || watchpoints != nullptr;
    flush_tlb();
  }
};

// -- slow paths (hart_memory.cpp) -----------------------------------------------
// Values travel by value, never through pointers to the caller's locals, so
// the inlined fast paths leave handlers free to tail-call the next one.
struct LoadResult {
  bool ok;
  uint64_t value;
};
template <unsigned XLEN>
[[gnu::cold]] LoadResult load_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr,
                                   unsigned size, bool for_amo);
template <unsigned XLEN>
[[gnu::cold]] bool store_slow(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr, unsigned size,
                              uint64_t value);
// Instruction fetch. fetch_page: host pointer to the page holding pc when it
// is RAM that translation and PMP let execute whole, else nullptr (then
// fetch_word reads each instruction through the checks); physical_page is
// where pc's page lives (~0 if fetching it faults). fetch_word raises
// nothing: on failure it reports the address and cause of the fault.
struct FetchFault {
  uint64_t addr = 0;
  uint64_t cause = 0;
};
template <unsigned XLEN>
const uint8_t* fetch_page(Hart<XLEN>& h, uint64_t pc, uint64_t& physical_page);
// The physical page pc's page maps to for fetching in the current privilege,
// through the fetch TLB; false if fetching there faults (nothing is raised).
// whole: the page tables and PMP let the whole page execute.
template <unsigned XLEN>
bool fetch_physical_page(Hart<XLEN>& h, uint64_t pc, uint64_t& physical_page, bool& whole,
                         unsigned* page_shift = nullptr);
template <unsigned XLEN>
bool fetch_word(Hart<XLEN>& h, uint64_t pc, uint32_t& word, FetchFault& fault);

// -- traps (traps.cpp) ------------------------------------------------------
template <unsigned XLEN>
void raise_exception(Hart<XLEN>& h, uint64_t cause, uint64_t tval, uint64_t epc);
// Takes the highest-priority enabled pending interrupt, if any; true if taken.
template <unsigned XLEN>
bool take_pending_interrupt(Hart<XLEN>& h);
template <unsigned XLEN>
bool illegal_instruction(Hart<XLEN>& h, const DecodedInsn& d);

// -- inline fast paths the generated semantics call -------------------------------
// Set in the tag of TLB entries filled while slow_memory holds. No inline
// probe's key has it (the bits between an access's size mask and the page
// number are zero), so they all miss, while the slow path, which records or
// watches each access, still finds the page without walking the tables.
inline constexpr uint64_t kSlowPathTag = uint64_t(1) << (kPageBits - 1);
static_assert(kSlowPathTag > 7, "must lie above every access's size mask");

// The TLB entry that maps an aligned sizeof(T)-byte access at addr, else
// nullptr. The tag holds the page, so one compare also sends misaligned
// addresses to the slow path; the entry's addend turns a guest address into
// a host one in a single add (host_of).
template <class T>
inline const TlbEntry* tlb_hit(const TlbEntry* tlb, uint64_t addr) {
  const TlbEntry& e = tlb[(addr >> kPageBits) % kTlbEntries];
  return e.tag == (addr & (~(kPageSize - 1) | (sizeof(T) - 1))) ? &e : nullptr;
}
inline uint8_t* host_of(const TlbEntry& e, uint64_t addr) {
  return reinterpret_cast<uint8_t*>(e.addend + addr);  // NOLINT(performance-no-int-to-ptr)
}

// The memory accesses and jump below take a template flag Fast: with it set
// they never leave their inline fast path but return false, having changed
// nothing, where they would have (see kHasFastVariant in the generated semantics).
template <class T, bool Fast = false, unsigned XLEN>
[[gnu::always_inline]] inline bool mem_load(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr,
                                            T& out) {
  addr = sem::uxlen<XLEN>(addr);
  if (const uint64_t offset = addr - h.read_window.base; offset < h.read_window.limit) [[likely]] {
    std::memcpy(&out, h.read_window.host + offset, sizeof(T));
    return true;
  }
  if (const TlbEntry* e = tlb_hit<T>(h.tlb_read, addr)) [[likely]] {
    std::memcpy(&out, host_of(*e, addr), sizeof(T));
    return true;
  }
  if constexpr (Fast) return false;
  LoadResult r = load_slow(h, d, addr, sizeof(T), false);
  out = T(r.value);
  return r.ok;
}

// An AMO's load: it needs write permission, so a write-TLB hit (a page the
// page tables and PMP let this context store to, and so load from) serves
// it; the store that follows hits the same entry.
template <class T, unsigned XLEN>
[[gnu::always_inline]] inline bool mem_amo_load(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr,
                                                T& out) {
  addr = sem::uxlen<XLEN>(addr);
  if (const TlbEntry* e = tlb_hit<T>(h.tlb_write, addr)) [[likely]] {
    std::memcpy(&out, host_of(*e, addr), sizeof(T));
    return true;
  }
  LoadResult r = load_slow(h, d, addr, sizeof(T), true);
  out = T(r.value);
  return r.ok;
}

template <class T, bool Fast = false, unsigned XLEN>
[[gnu::always_inline]] inline bool mem_store(Hart<XLEN>& h, const DecodedInsn& d, uint64_t addr,
                                             T value) {
  addr = sem::uxlen<XLEN>(addr);
  if (const TlbEntry* e = tlb_hit<T>(h.tlb_write, addr)) [[likely]] {
    std::memcpy(host_of(*e, addr), &value, sizeof(T));
    return true;
  }
  if constexpr (Fast) return false;
  return store_slow(h, d, addr, sizeof(T), uint64_t(value));
}

// Control transfer. Without the C extension, targets must be 4-byte aligned.
template <bool Fast = false, unsigned XLEN>
[[gnu::always_inline]] inline bool jump(Hart<XLEN>& h, const DecodedInsn& d,
                                        sem::uxlen<XLEN> target) {
  if ((target & 2) != 0 && !h.config.has(Extension::C)) {
    if constexpr (Fast) return false;
    raise_exception(h, cause::kInsnMisaligned, target, d.pc);
    return false;
  }
  h.pc = target;
  return true;
}

// -- helpers declared in the descriptions (helpers.cpp, csr_file.cpp) -----------
template <unsigned XLEN>
bool csr_write(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> value,
               bool do_read, sem::uxlen<XLEN>& old);
template <unsigned XLEN>
bool csr_set(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> mask,
             bool do_write, sem::uxlen<XLEN>& old);
template <unsigned XLEN>
bool csr_clear(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> mask,
               bool do_write, sem::uxlen<XLEN>& old);
// Sstc: recomputes STIP from time >= stimecmp while menvcfg.STCE is set.
template <unsigned XLEN>
void update_supervisor_timer(Hart<XLEN>& h);
// Debugger access: no privilege checks, no side effects beyond the write.
template <unsigned XLEN>
std::optional<uint64_t> debug_read_csr(Hart<XLEN>& h, uint32_t csr);
template <unsigned XLEN>
bool debug_write_csr(Hart<XLEN>& h, uint32_t csr, uint64_t value);
template <unsigned XLEN>
void fence_i(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool environment_call(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool breakpoint(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool trap_return_m(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool trap_return_s(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool wait_for_interrupt(Hart<XLEN>& h, const DecodedInsn& d);
template <unsigned XLEN>
bool fence_vma(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> vaddr, sem::uxlen<XLEN> asid,
               bool one_page);
template <unsigned XLEN>
bool load_reserved_u32(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr, uint32_t& out);
template <unsigned XLEN>
bool load_reserved_u64(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr, uint64_t& out);
template <unsigned XLEN>
bool store_conditional_u32(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr,
                           uint32_t value, sem::uxlen<XLEN>& result);
template <unsigned XLEN>
bool store_conditional_u64(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> addr,
                           uint64_t value, sem::uxlen<XLEN>& result);

}  // namespace silica::riscv

#include "cores/riscv/fp_helpers.h"  // the F and D helpers, inline: they need Hart

// CSR behaviour (Privileged ISA chapters 3 and 4; counters from the Zicntr
// and Zihpm chapters; Sstc). CSR numbers and names come from isa/riscv/*.isa;
// a CSR that is not described there or not implemented below raises
// illegal-instruction, which is how firmware probes for optional CSRs.
#include <optional>

#include "cores/riscv/mmu.h"
#include "cores/riscv/pmp.h"

namespace silica::riscv {
namespace {

template <unsigned XLEN>
using ux_t = sem::uxlen<XLEN>;

// Writable mstatus bits; FS too when the hart has F.
constexpr uint64_t kMstatusWritable =
    mstatus_bits::kSie | mstatus_bits::kMie | mstatus_bits::kSpie | mstatus_bits::kMpie |
    mstatus_bits::kSpp | mstatus_bits::kMpp | mstatus_bits::kMprv | mstatus_bits::kSum |
    mstatus_bits::kMxr | mstatus_bits::kTvm | mstatus_bits::kTw | mstatus_bits::kTsr;
// sstatus: the S-mode view of mstatus. Readable: SIE SPIE SPP FS SUM MXR,
// UXL (RV64) and SD; writable: the same without UXL and SD.
constexpr uint64_t kSstatusWritable = mstatus_bits::kSie | mstatus_bits::kSpie |
                                      mstatus_bits::kSpp | mstatus_bits::kFs | mstatus_bits::kSum |
                                      mstatus_bits::kMxr;
constexpr uint64_t kUxl64 = uint64_t(2) << 32;

// mie: the machine and supervisor software, timer and external enables.
constexpr uint64_t kMieWritable =
    (1u << 1) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 9) | (1u << 11);
// Exceptions medeleg can delegate: all standard ones but ecall from M (11).
constexpr uint64_t kDelegableExceptions = 0xb3ff;
// menvcfg: FIOM (bit 0) and STCE (bit 63, Sstc); senvcfg: FIOM.
constexpr uint64_t kMenvcfgWritable = 1 | (uint64_t(1) << 63);
constexpr uint64_t kSenvcfgWritable = 1;
constexpr uint32_t kCounterenTm = 1u << 1;  // the time bit of m/scounteren

// fflags, frm and fcsr exist with F; instructions reach them only while
// mstatus.FS is not Off (the debugger always).
bool is_fp_csr(uint32_t csr) {
  return csr == csr::fflags || csr == csr::frm || csr == csr::fcsr;
}

bool described(uint32_t csr, unsigned xlen) {
  for (const CsrInfo& c : kCsrInfo) {
    if (c.number == csr) return (c.xlen_mask & (xlen == 32 ? 1 : 2)) != 0;
  }
  return false;
}

// The unprivileged counters cycle/time/instret/hpmcounterN (and their high
// halves): below M-mode each needs its bit in mcounteren, and in U-mode in
// scounteren as well.
bool is_user_counter(uint32_t csr) {
  return (csr >= csr::cycle && csr <= csr::cycle + 31) ||
         (csr >= csr::cycleh && csr <= csr::cycleh + 31);
}
template <unsigned XLEN>
bool counter_enabled(const Hart<XLEN>& h, uint32_t csr) {
  const uint32_t bit = 1u << (csr & 31);
  if (h.priv == Privilege::kMachine) return true;
  if (!(h.mcounteren & bit)) return false;
  return h.priv == Privilege::kSupervisor || (h.scounteren & bit) != 0;
}

// The access rules beyond the CSR number's privilege and read-only bits.
template <unsigned XLEN>
bool accessible(const Hart<XLEN>& h, uint32_t csr) {
  if (is_fp_csr(csr)) return (h.mstatus & mstatus_bits::kFs) != 0;
  if (is_user_counter(csr)) return counter_enabled(h, csr);
  if (csr == csr::satp) {
    return h.priv != Privilege::kSupervisor || (h.mstatus & mstatus_bits::kTvm) == 0;
  }
  if (csr == csr::stimecmp || (XLEN == 32 && csr == csr::stimecmph)) {
    return h.priv == Privilege::kMachine ||
           ((h.mcounteren & kCounterenTm) != 0 && (h.menvcfg >> 63) != 0);
  }
  return true;
}

// Hardware performance-monitor counters 3-31 and their event selectors: they
// exist, count nothing and read as zero (a legal Zihpm implementation).
bool is_hpm(uint32_t csr) {
  auto in = [csr](uint32_t first) { return csr >= first + 3 && csr <= first + 31; };
  return in(csr::mcycle) || in(csr::mcycleh) || in(csr::cycle) || in(csr::cycleh) ||
         in(csr::mcountinhibit);
}

bool is_pmpcfg(uint32_t csr) {
  return csr >= csr::pmpcfg0 && csr < csr::pmpcfg0 + 4;
}
bool is_pmpaddr(uint32_t csr) {
  return csr >= csr::pmpaddr0 && csr < csr::pmpaddr0 + kPmpEntries;
}

// A satp write with a MODE the hart does not implement leaves satp entirely
// unchanged (Linux probes Sv57, Sv48, Sv39 that way). RV32 has both modes.
template <unsigned XLEN>
bool satp_mode_supported(uint64_t value) {
  if constexpr (XLEN == 32) {
    return true;
  } else {
    const unsigned mode = unsigned(value >> 60);
    return mode == satp_mode::kBare || mode == satp_mode::kSv39 || mode == satp_mode::kSv48 ||
           mode == satp_mode::kSv57;
  }
}

// Splits a 64-bit register into the halves RV32 reads: the low half at the
// CSR, the high half at its ...h partner.
template <unsigned XLEN>
uint64_t low_or_all(uint64_t value) {
  return XLEN == 32 ? value & 0xffffffff : value;
}

template <unsigned XLEN>
std::optional<uint64_t> read_csr(Hart<XLEN>& h, uint32_t csr) {
  using ux = ux_t<XLEN>;
  if (is_hpm(csr)) return 0;
  if (is_pmpcfg(csr)) {
    const unsigned reg = csr - csr::pmpcfg0;
    if (XLEN == 64 && (reg & 1)) return std::nullopt;  // RV64 has only the even ones
    return pmpcfg_read(h.pmp, XLEN, reg);
  }
  if (is_pmpaddr(csr)) return pmpaddr_read(h.pmp, csr - csr::pmpaddr0);
  switch (csr) {
    case csr::mvendorid:
    case csr::marchid:
    case csr::mimpid:
    case csr::mconfigptr:
      return 0;
    case csr::mhartid:
      return h.config.hart_id;
    case csr::mstatus:
      return h.mstatus;
    case csr::sstatus: {
      const uint64_t sd = uint64_t(1) << (XLEN - 1);
      return h.mstatus & ux(kSstatusWritable | sd | (XLEN == 64 ? kUxl64 : 0));
    }
    case csr::misa:
      return misa_value(h.config);
    case csr::medeleg:
      return h.medeleg;
    case csr::mideleg:
      return h.mideleg;
    case csr::mie:
      return h.mie;
    case csr::sie:
      return h.mie & h.mideleg;
    case csr::mip:
      update_supervisor_timer(h);
      return h.mip;
    case csr::sip:
      update_supervisor_timer(h);
      return h.mip & h.mideleg;
    case csr::mtvec:
      return h.mtvec;
    case csr::stvec:
      return h.stvec;
    case csr::mcounteren:
      return h.mcounteren;
    case csr::scounteren:
      return h.scounteren;
    case csr::mcountinhibit:
      return 0;  // CY and IR are hardwired to zero: the counters always count
    case csr::menvcfg:
      return low_or_all<XLEN>(h.menvcfg);
    case csr::menvcfgh:
      return h.menvcfg >> 32;
    case csr::senvcfg:
      return h.senvcfg;
    case csr::mscratch:
      return h.mscratch;
    case csr::sscratch:
      return h.sscratch;
    case csr::mepc:
      return h.mepc & ~ux(h.config.has(Extension::C) ? 1 : 3);
    case csr::sepc:
      return h.sepc & ~ux(h.config.has(Extension::C) ? 1 : 3);
    case csr::mcause:
      return h.mcause;
    case csr::scause:
      return h.scause;
    case csr::mtval:
      return h.mtval;
    case csr::stval:
      return h.stval;
    case csr::satp:
      return h.satp;
    case csr::stimecmp:
      return low_or_all<XLEN>(h.stimecmp);
    case csr::stimecmph:
      return h.stimecmp >> 32;
    case csr::mstatush:
      return 0;
    case csr::mcycle:
    case csr::cycle:
      return ux(h.memory->cycle_counter(h.cycles));
    case csr::minstret:
    case csr::instret:
      return ux(h.instret);
    case csr::mcycleh:
    case csr::cycleh:
      return h.memory->cycle_counter(h.cycles) >> 32;
    case csr::minstreth:
    case csr::instreth:
      return h.instret >> 32;
    case csr::fflags:
    case csr::frm:
    case csr::fcsr:
      if (!h.config.has(Extension::F)) return std::nullopt;
      return csr == csr::fflags ? h.fflags : csr == csr::frm ? h.frm : (h.frm << 5) | h.fflags;
    case csr::time:
      return ux(h.memory->timer_ticks());
    case csr::timeh:
      return h.memory->timer_ticks() >> 32;
    default:
      return std::nullopt;
  }
}

// Returns false for a CSR that cannot be written (the caller raises).
template <unsigned XLEN>
bool write_csr(Hart<XLEN>& h, uint32_t csr, ux_t<XLEN> value) {
  using ux = ux_t<XLEN>;
  if (is_hpm(csr)) return true;  // WARL zero
  if (is_pmpcfg(csr) || is_pmpaddr(csr)) {
    if (is_pmpcfg(csr)) {
      const unsigned reg = csr - csr::pmpcfg0;
      if (XLEN == 64 && (reg & 1)) return false;
      pmpcfg_write(h.pmp, XLEN, reg, value);
    } else {
      pmpaddr_write(h.pmp, XLEN, csr - csr::pmpaddr0, value);
    }
    h.translation_changed(TranslationChange::kProtection);
    return true;
  }
  // Writes to the two halves of a 64-bit register on RV32.
  auto write_low = [](uint64_t& reg, ux v, uint64_t writable) {
    const uint64_t mask = (XLEN == 32 ? 0xffffffff : ~uint64_t(0)) & writable;
    reg = (reg & ~mask) | (uint64_t(v) & mask);
  };
  auto write_high = [](uint64_t& reg, ux v, uint64_t writable) {
    const uint64_t mask = ~uint64_t(0xffffffff) & writable;
    reg = (reg & ~mask) | ((uint64_t(v) << 32) & mask);
  };
  switch (csr) {
    case csr::mstatus:
    case csr::sstatus: {
      ux writable = ux(csr == csr::mstatus ? kMstatusWritable : kSstatusWritable);
      if (h.config.has(Extension::F)) writable |= ux(mstatus_bits::kFs);
      ux next = (h.mstatus & ~writable) | (value & writable);
      // MPP is WARL: 2 (reserved) keeps the previous mode.
      if (((next & mstatus_bits::kMpp) >> 11) == 2) {
        next = (next & ~ux(mstatus_bits::kMpp)) | (h.mstatus & ux(mstatus_bits::kMpp));
      }
      const ux sd = ux(1) << (XLEN - 1);
      const bool dirty = (next & mstatus_bits::kFs) == mstatus_bits::kFsDirty;
      h.mstatus = dirty ? next | sd : next & ~sd;
      h.translation_changed(TranslationChange::kDataContext);  // MPRV, MPP, SUM or MXR
      return true;
    }
    case csr::fflags:
    case csr::frm:
    case csr::fcsr:
      if (!h.config.has(Extension::F)) return false;
      if (csr == csr::fcsr || csr == csr::fflags) h.fflags = uint8_t(value & 0x1f);
      if (csr == csr::frm) h.frm = uint8_t(value & 7);
      if (csr == csr::fcsr) h.frm = uint8_t((value >> 5) & 7);
      h.mark_fp_dirty();
      return true;
    case csr::misa:      // WARL: extensions cannot be switched off
    case csr::mstatush:  // MBE/SBE are zero: little-endian only
    case csr::mcountinhibit:
      return true;
    case csr::medeleg:
      h.medeleg = value & ux(kDelegableExceptions);
      return true;
    case csr::mideleg:
      h.mideleg = value & ux(kSupervisorIrqs);
      return true;
    case csr::mie:
      h.mie = value & ux(kMieWritable);
      return true;
    case csr::sie:
      h.mie = (h.mie & ~h.mideleg) | (value & h.mideleg);
      return true;
    case csr::mip: {
      // M-mode may set SSIP, SEIP and (without Sstc) STIP; MSIP, MTIP and
      // MEIP are wires from the platform.
      ux writable = ux((1u << cause::kSupervisorSoftIrq) | (1u << cause::kSupervisorExternalIrq));
      if (!(h.menvcfg >> 63)) writable |= ux(1u << cause::kSupervisorTimerIrq);
      h.mip_software = (h.mip_software & ~writable) | (value & writable);
      update_supervisor_timer(h);
      return true;
    }
    case csr::sip: {
      // S-mode may set SSIP, when it is delegated.
      const ux writable = ux(1u << cause::kSupervisorSoftIrq) & h.mideleg;
      h.mip_software = (h.mip_software & ~writable) | (value & writable);
      h.update_mip();
      return true;
    }
    case csr::mtvec:
    case csr::stvec: {
      // MODE 2 and 3 are reserved: keep direct mode then.
      const ux tvec = (value & 3) >= 2 ? value & ~ux(3) : value;
      (csr == csr::mtvec ? h.mtvec : h.stvec) = tvec;
      return true;
    }
    case csr::mcounteren:
      h.mcounteren = uint32_t(value);
      return true;
    case csr::scounteren:
      h.scounteren = uint32_t(value);
      return true;
    case csr::menvcfg:
      write_low(h.menvcfg, value, kMenvcfgWritable);
      update_supervisor_timer(h);
      return true;
    case csr::menvcfgh:
      write_high(h.menvcfg, value, kMenvcfgWritable);
      update_supervisor_timer(h);
      return true;
    case csr::senvcfg:
      h.senvcfg = uint64_t(value) & kSenvcfgWritable;
      return true;
    case csr::mscratch:
      h.mscratch = value;
      return true;
    case csr::sscratch:
      h.sscratch = value;
      return true;
    case csr::mepc:
      h.mepc = value & ~ux(1);
      return true;
    case csr::sepc:
      h.sepc = value & ~ux(1);
      return true;
    case csr::mcause:
      h.mcause = value;
      return true;
    case csr::scause:
      h.scause = value;
      return true;
    case csr::mtval:
      h.mtval = value;
      return true;
    case csr::stval:
      h.stval = value;
      return true;
    case csr::satp:
      if (!satp_mode_supported<XLEN>(value)) return true;  // no effect at all
      h.satp = value;
      h.translation_changed(TranslationChange::kMappings);
      return true;
    case csr::stimecmp:
      write_low(h.stimecmp, value, ~uint64_t(0));
      update_supervisor_timer(h);
      return true;
    case csr::stimecmph:
      write_high(h.stimecmp, value, ~uint64_t(0));
      update_supervisor_timer(h);
      return true;
    // Counter writes: this instruction still retires afterwards and the
    // engine counts it, so store one less to make the next read see `value`.
    case csr::mcycle:
      h.cycles = XLEN == 32 ? (h.cycles & ~uint64_t(0xffffffff)) | value : uint64_t(value);
      return true;
    case csr::mcycleh:
      h.cycles = (h.cycles & 0xffffffff) | (uint64_t(value) << 32);
      return true;
    case csr::minstret:
      h.instret = (XLEN == 32 ? (h.instret & ~uint64_t(0xffffffff)) | value : uint64_t(value)) - 1;
      return true;
    case csr::minstreth:
      h.instret = ((h.instret + 1) & 0xffffffff) + (uint64_t(value) << 32) - 1;
      return true;
    default:
      return false;
  }
}

template <unsigned XLEN>
bool access(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, bool do_read, bool do_write,
            ux_t<XLEN>& old, ux_t<XLEN> (*update)(ux_t<XLEN>, ux_t<XLEN>), ux_t<XLEN> operand) {
  bool read_only = ((csr >> 10) & 3) == 3;
  unsigned required = (csr >> 8) & 3;
  if (!described(csr, XLEN) || unsigned(h.priv) < required || (do_write && read_only) ||
      !accessible(h, csr)) {
    return illegal_instruction(h, d);
  }
  std::optional<uint64_t> current = read_csr(h, csr);
  if (!current) return illegal_instruction(h, d);  // described but not implemented
  old = do_read ? ux_t<XLEN>(*current) : 0;
  if (do_write) {
    if (!write_csr(h, csr, update(ux_t<XLEN>(*current), operand))) return illegal_instruction(h, d);
    h.attention = true;  // enables, vectors, counters or translation may have changed
  }
  return true;
}

}  // namespace

template <unsigned XLEN>
void update_supervisor_timer(Hart<XLEN>& h) {
  h.sstc_timer_pending = (h.menvcfg >> 63) != 0 && h.memory->timer_ticks() >= h.stimecmp;
  h.update_mip();
}
template void update_supervisor_timer(Hart<32>&);
template void update_supervisor_timer(Hart<64>&);

template <unsigned XLEN>
bool csr_write(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> value,
               bool do_read, sem::uxlen<XLEN>& old) {
  return access<XLEN>(
      h, d, csr, do_read, true, old, [](ux_t<XLEN>, ux_t<XLEN> v) { return v; }, value);
}

template <unsigned XLEN>
bool csr_set(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> mask,
             bool do_write, sem::uxlen<XLEN>& old) {
  return access<XLEN>(
      h, d, csr, true, do_write, old, [](ux_t<XLEN> c, ux_t<XLEN> m) { return ux_t<XLEN>(c | m); },
      mask);
}

template <unsigned XLEN>
bool csr_clear(Hart<XLEN>& h, const DecodedInsn& d, uint32_t csr, sem::uxlen<XLEN> mask,
               bool do_write, sem::uxlen<XLEN>& old) {
  return access<XLEN>(
      h, d, csr, true, do_write, old, [](ux_t<XLEN> c, ux_t<XLEN> m) { return ux_t<XLEN>(c & ~m); },
      mask);
}

template <unsigned XLEN>
std::optional<uint64_t> debug_read_csr(Hart<XLEN>& h, uint32_t csr) {
  if (!described(csr, XLEN)) return std::nullopt;
  return read_csr(h, csr);
}

template <unsigned XLEN>
bool debug_write_csr(Hart<XLEN>& h, uint32_t csr, uint64_t value) {
  if (!described(csr, XLEN) || ((csr >> 10) & 3) == 3) return false;
  if (!write_csr(h, csr, ux_t<XLEN>(value))) return false;
  // write_csr expects the writing instruction to retire afterwards; a
  // debugger's write has no such instruction.
  if (csr == csr::minstret || csr == csr::minstreth) ++h.instret;
  return true;
}

template std::optional<uint64_t> debug_read_csr(Hart<32>&, uint32_t);
template std::optional<uint64_t> debug_read_csr(Hart<64>&, uint32_t);
template bool debug_write_csr(Hart<32>&, uint32_t, uint64_t);
template bool debug_write_csr(Hart<64>&, uint32_t, uint64_t);

#define SILICA_INSTANTIATE(XLEN)                                                             \
  template bool csr_write(Hart<XLEN>&, const DecodedInsn&, uint32_t, sem::uxlen<XLEN>, bool, \
                          sem::uxlen<XLEN>&);                                                \
  template bool csr_set(Hart<XLEN>&, const DecodedInsn&, uint32_t, sem::uxlen<XLEN>, bool,   \
                        sem::uxlen<XLEN>&);                                                  \
  template bool csr_clear(Hart<XLEN>&, const DecodedInsn&, uint32_t, sem::uxlen<XLEN>, bool, \
                          sem::uxlen<XLEN>&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv

// Machine-mode CSR behaviour (Privileged ISA, chapter 3; counters from the
// Zicntr chapter). CSR numbers and names come from isa/riscv/*.isa; a CSR that
// is not described there or not implemented below raises illegal-instruction,
// which is how firmware probes for optional CSRs.
#include <optional>

#include "cores/riscv/hart.h"

namespace silica::riscv {
namespace {

template <unsigned XLEN>
using ux_t = sem::uxlen<XLEN>;

// Writable bits of mstatus with M-mode only: MIE, MPIE (MPP is fixed to M),
// and FS when the hart has F.
constexpr uint64_t kMstatusWritable = mstatus_bits::kMie | mstatus_bits::kMpie;

template <unsigned XLEN>
ux_t<XLEN> mstatus_writable(const Hart<XLEN>& h) {
  return ux_t<XLEN>(kMstatusWritable | (h.config.has(Extension::F) ? mstatus_bits::kFs : 0));
}

// fflags, frm and fcsr exist with F; instructions reach them only while
// mstatus.FS is not Off (the debugger always).
bool is_fp_csr(uint32_t csr) {
  return csr == csr::fflags || csr == csr::frm || csr == csr::fcsr;
}
// mie: MSIE, MTIE, MEIE.
constexpr uint64_t kMieWritable = (1u << 3) | (1u << 7) | (1u << 11);

bool described(uint32_t csr, unsigned xlen) {
  for (const CsrInfo& c : kCsrInfo) {
    if (c.number == csr) return (c.xlen_mask & (xlen == 32 ? 1 : 2)) != 0;
  }
  return false;
}

template <unsigned XLEN>
std::optional<uint64_t> read_csr(Hart<XLEN>& h, uint32_t csr) {
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
    case csr::misa:
      return misa_value(h.config);
    case csr::mie:
      return h.mie;
    case csr::mip:
      return h.mip;
    case csr::mtvec:
      return h.mtvec;
    case csr::mscratch:
      return h.mscratch;
    case csr::mepc:
      return h.mepc & ~ux_t<XLEN>(h.config.has(Extension::C) ? 1 : 3);
    case csr::mcause:
      return h.mcause;
    case csr::mtval:
      return h.mtval;
    case csr::mstatush:
      return 0;
    case csr::mcycle:
    case csr::cycle:
      return ux_t<XLEN>(h.cycles);
    case csr::minstret:
    case csr::instret:
      return ux_t<XLEN>(h.instret);
    case csr::mcycleh:
    case csr::cycleh:
      return h.cycles >> 32;
    case csr::minstreth:
    case csr::instreth:
      return h.instret >> 32;
    case csr::fflags:
    case csr::frm:
    case csr::fcsr:
      if (!h.config.has(Extension::F)) return std::nullopt;
      return csr == csr::fflags ? h.fflags : csr == csr::frm ? h.frm : (h.frm << 5) | h.fflags;
    case csr::time:
      return ux_t<XLEN>(h.memory->timer_ticks());
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
  switch (csr) {
    case csr::mstatus: {
      ux writable = mstatus_writable(h), sd = ux(1) << (XLEN - 1);
      h.mstatus = (h.mstatus & ~writable) | (value & writable);
      bool dirty = (h.mstatus & mstatus_bits::kFs) == mstatus_bits::kFsDirty;
      h.mstatus = dirty ? h.mstatus | sd : h.mstatus & ~sd;
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
      return true;
    case csr::mie:
      h.mie = value & ux(kMieWritable);
      return true;
    case csr::mip:
      return true;  // MSIP/MTIP/MEIP are wires from the platform
    case csr::mtvec:
      // MODE 2 and 3 are reserved: keep direct mode then.
      h.mtvec = (value & 3) >= 2 ? value & ~ux(3) : value;
      return true;
    case csr::mscratch:
      h.mscratch = value;
      return true;
    case csr::mepc:
      h.mepc = value & ~ux(1);
      return true;
    case csr::mcause:
      h.mcause = value;
      return true;
    case csr::mtval:
      h.mtval = value;
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
  if (!described(csr, XLEN) || unsigned(h.priv) < required || (do_write && read_only)) {
    return illegal_instruction(h, d);
  }
  if (is_fp_csr(csr) && (h.mstatus & mstatus_bits::kFs) == 0) return illegal_instruction(h, d);
  std::optional<uint64_t> current = read_csr(h, csr);
  if (!current) return illegal_instruction(h, d);  // described but not implemented
  old = do_read ? ux_t<XLEN>(*current) : 0;
  if (do_write) {
    if (!write_csr(h, csr, update(ux_t<XLEN>(*current), operand))) return illegal_instruction(h, d);
    h.attention = true;  // enables, vectors or counters may have changed
  }
  return true;
}

}  // namespace

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

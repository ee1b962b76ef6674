// Trap entry and return (Privileged ISA, sections 3.1.6-3.1.20, 3.3 and
// 4.1.1-4.1.9): exceptions and interrupts taken in M-mode or, when medeleg or
// mideleg delegates them from S/U-mode, in S-mode; the interrupt priority and
// enable rules; mret, sret, wfi, ecall and ebreak.
#include "cores/riscv/hart.h"

namespace silica::riscv {
namespace {

template <unsigned XLEN>
using ux_t = sem::uxlen<XLEN>;

// The pc a trap goes to: the vector base, plus 4 * cause for interrupts in
// vectored mode (MODE 1).
template <unsigned XLEN>
ux_t<XLEN> trap_vector(ux_t<XLEN> tvec, uint64_t cause, bool interrupt) {
  using ux = ux_t<XLEN>;
  const ux base = tvec & ~ux(3);
  return (interrupt && (tvec & 3) == 1) ? ux(base + 4 * ux(cause & 0xff)) : base;
}

// Whether a trap from the current privilege goes to S-mode: it must come from
// S or U and be delegated.
template <unsigned XLEN>
bool delegated_to_supervisor(const Hart<XLEN>& h, uint64_t cause, bool interrupt) {
  if (h.priv == Privilege::kMachine || !h.config.has(Extension::S)) return false;
  const uint64_t code = cause & 0x3f;
  return ((interrupt ? h.mideleg : h.medeleg) >> code) & 1;
}

}  // namespace

template <unsigned XLEN>
void raise_exception(Hart<XLEN>& h, uint64_t cause, uint64_t tval, uint64_t epc) {
  using ux = ux_t<XLEN>;
  const bool interrupt = (cause >> (XLEN - 1)) & 1;
  ux status = h.mstatus;
  if (delegated_to_supervisor(h, cause, interrupt)) {
    // SPIE <- SIE, SIE <- 0, SPP <- the privilege the trap came from (S or U).
    status = (status & ~ux(mstatus_bits::kSpie)) |
             ((status & mstatus_bits::kSie) ? ux(mstatus_bits::kSpie) : ux(0));
    status &= ~ux(mstatus_bits::kSie | mstatus_bits::kSpp);
    if (h.priv == Privilege::kSupervisor) status |= ux(mstatus_bits::kSpp);
    h.mstatus = status;
    h.priv = Privilege::kSupervisor;
    h.sepc = ux(epc);
    h.scause = ux(cause);
    h.stval = ux(tval);
    h.pc = trap_vector<XLEN>(h.stvec, cause, interrupt);
  } else {
    // MPIE <- MIE, MIE <- 0, MPP <- the privilege the trap came from.
    status = (status & ~ux(mstatus_bits::kMpie)) |
             ((status & mstatus_bits::kMie) ? ux(mstatus_bits::kMpie) : ux(0));
    status &= ~ux(mstatus_bits::kMie);
    status = (status & ~ux(mstatus_bits::kMpp)) | (ux(h.priv) << 11);
    h.mstatus = status;
    h.priv = Privilege::kMachine;
    h.mepc = ux(epc);
    h.mcause = ux(cause);
    h.mtval = ux(tval);
    h.pc = trap_vector<XLEN>(h.mtvec, cause, interrupt);
  }
  h.reservation_valid = false;
  h.translation_changed(TranslationChange::kDataContext);
}

template <unsigned XLEN>
bool take_pending_interrupt(Hart<XLEN>& h) {
  using ux = ux_t<XLEN>;
  const ux pending = h.mip & h.mie;
  if (pending == 0) return false;
  // Interrupts for M-mode (not delegated) are enabled below M, or in M with
  // mstatus.MIE. Delegated ones are enabled below S, or in S with
  // mstatus.SIE; never in M. M-mode's are taken first (Privileged ISA 3.1.9).
  const ux for_machine = pending & ~h.mideleg;
  const ux for_supervisor = pending & h.mideleg;
  const bool machine_enabled =
      h.priv != Privilege::kMachine || (h.mstatus & mstatus_bits::kMie) != 0;
  const bool supervisor_enabled =
      h.priv == Privilege::kUser ||
      (h.priv == Privilege::kSupervisor && (h.mstatus & mstatus_bits::kSie) != 0);
  const ux enabled =
      (machine_enabled ? for_machine : 0) | (supervisor_enabled ? for_supervisor : 0);
  if (enabled == 0) return false;
  const ux machine_enabled_pending = for_machine & enabled;
  const ux first = machine_enabled_pending != 0 ? machine_enabled_pending : enabled;
  // Within a destination: MEI, MSI, MTI, SEI, SSI, STI.
  for (unsigned irq :
       {cause::kMachineExternalIrq, cause::kMachineSoftIrq, cause::kMachineTimerIrq,
        cause::kSupervisorExternalIrq, cause::kSupervisorSoftIrq, cause::kSupervisorTimerIrq}) {
    if (first & (ux(1) << irq)) {
      h.wfi = false;
      raise_exception(h, (uint64_t(1) << (XLEN - 1)) | irq, 0, h.pc);
      return true;
    }
  }
  return false;
}

template <unsigned XLEN>
bool illegal_instruction(Hart<XLEN>& h, const DecodedInsn& d) {
  // mtval holds the faulting instruction's bits, as QEMU's virt machine reports.
  uint64_t bits = d.len == 2 ? (d.raw & 0xffff) : d.raw;
  raise_exception(h, cause::kIllegalInsn, bits, d.pc);
  return false;
}

template <unsigned XLEN>
bool environment_call(Hart<XLEN>& h, const DecodedInsn& d) {
  // 8, 9 or 11: from U, S or M.
  raise_exception(h, cause::kEcallFromU + uint64_t(h.priv), 0, d.pc);
  return false;
}

template <unsigned XLEN>
bool breakpoint(Hart<XLEN>& h, const DecodedInsn& d) {
  // mtval may be 0 or the pc; QEMU's virt machine writes 0, and so do we.
  raise_exception(h, cause::kBreakpoint, 0, d.pc);
  return false;
}

template <unsigned XLEN>
bool trap_return_m(Hart<XLEN>& h, const DecodedInsn& d) {
  using ux = ux_t<XLEN>;
  if (h.priv != Privilege::kMachine) return illegal_instruction(h, d);
  ux status = h.mstatus;
  auto previous = Privilege((status & mstatus_bits::kMpp) >> 11);
  // MIE <- MPIE, MPIE <- 1, MPP <- the least privileged mode (U); leaving M
  // clears MPRV.
  status = (status & ~ux(mstatus_bits::kMie)) |
           ((status & mstatus_bits::kMpie) ? ux(mstatus_bits::kMie) : ux(0));
  status |= ux(mstatus_bits::kMpie);
  status &= ~ux(mstatus_bits::kMpp);
  if (previous != Privilege::kMachine) status &= ~ux(mstatus_bits::kMprv);
  h.mstatus = status;
  h.priv = previous;
  h.reservation_valid = false;
  h.pc = h.mepc & ~ux(h.config.has(Extension::C) ? 1 : 3);
  h.translation_changed(TranslationChange::kDataContext);
  h.attention = true;  // MIE may have come back on with interrupts pending
  return true;
}

template <unsigned XLEN>
bool trap_return_s(Hart<XLEN>& h, const DecodedInsn& d) {
  using ux = ux_t<XLEN>;
  // Illegal in U-mode, and in S-mode while mstatus.TSR traps it to M.
  if (h.priv == Privilege::kUser ||
      (h.priv == Privilege::kSupervisor && (h.mstatus & mstatus_bits::kTsr) != 0)) {
    return illegal_instruction(h, d);
  }
  ux status = h.mstatus;
  auto previous = (status & mstatus_bits::kSpp) ? Privilege::kSupervisor : Privilege::kUser;
  // SIE <- SPIE, SPIE <- 1, SPP <- U; the new mode is below M: MPRV <- 0.
  status = (status & ~ux(mstatus_bits::kSie)) |
           ((status & mstatus_bits::kSpie) ? ux(mstatus_bits::kSie) : ux(0));
  status |= ux(mstatus_bits::kSpie);
  status &= ~ux(mstatus_bits::kSpp | mstatus_bits::kMprv);
  h.mstatus = status;
  h.priv = previous;
  h.reservation_valid = false;
  h.pc = h.sepc & ~ux(h.config.has(Extension::C) ? 1 : 3);
  h.translation_changed(TranslationChange::kDataContext);
  h.attention = true;
  return true;
}

template <unsigned XLEN>
bool wait_for_interrupt(Hart<XLEN>& h, const DecodedInsn& d) {
  // Below M-mode, mstatus.TW makes wfi illegal; in U-mode it always is (as
  // on QEMU: the spec allows a U-mode wfi only if it completes in bounded time).
  if (h.priv == Privilege::kUser ||
      (h.priv == Privilege::kSupervisor && (h.mstatus & mstatus_bits::kTw) != 0)) {
    return illegal_instruction(h, d);
  }
  // The hart resumes after the WFI once an interrupt is pending (even if
  // disabled); the engine hands the sleep to the core module.
  h.wfi = (h.mip & h.mie) == 0;
  h.attention = true;
  return true;
}

#define SILICA_INSTANTIATE(XLEN)                                            \
  template void raise_exception(Hart<XLEN>&, uint64_t, uint64_t, uint64_t); \
  template bool take_pending_interrupt(Hart<XLEN>&);                        \
  template bool illegal_instruction(Hart<XLEN>&, const DecodedInsn&);       \
  template bool environment_call(Hart<XLEN>&, const DecodedInsn&);          \
  template bool breakpoint(Hart<XLEN>&, const DecodedInsn&);                \
  template bool trap_return_m(Hart<XLEN>&, const DecodedInsn&);             \
  template bool trap_return_s(Hart<XLEN>&, const DecodedInsn&);             \
  template bool wait_for_interrupt(Hart<XLEN>&, const DecodedInsn&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv

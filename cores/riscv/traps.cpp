// Trap entry and return for machine mode (Privileged ISA, sections 3.1.6-3.1.20
// and 3.3): exceptions, interrupts with their priority order, mret, wfi,
// ecall and ebreak.
#include "cores/riscv/hart.h"

namespace silica::riscv {

template <unsigned XLEN>
void raise_exception(Hart<XLEN>& h, uint64_t cause, uint64_t tval, uint64_t epc) {
  using ux = sem::uxlen<XLEN>;
  ux status = h.mstatus;
  // MPIE <- MIE, MIE <- 0, MPP <- current privilege.
  status = (status & ~ux(mstatus_bits::kMpie)) |
           ((status & mstatus_bits::kMie) ? ux(mstatus_bits::kMpie) : ux(0));
  status &= ~ux(mstatus_bits::kMie);
  status = (status & ~ux(mstatus_bits::kMpp)) | (ux(h.priv) << 11);
  h.mstatus = status;
  h.priv = Privilege::kMachine;
  h.mepc = ux(epc);
  h.mcause = ux(cause);
  h.mtval = ux(tval);
  h.reservation_valid = false;
  ux base = h.mtvec & ~ux(3);
  bool interrupt = (cause >> (XLEN - 1)) & 1;
  bool vectored = (h.mtvec & 3) == 1;
  h.pc = (interrupt && vectored) ? base + 4 * ux(cause & 0xff) : base;
}

template <unsigned XLEN>
bool take_pending_interrupt(Hart<XLEN>& h) {
  using ux = sem::uxlen<XLEN>;
  ux pending = h.mip & h.mie;
  if (pending == 0) return false;
  // In M-mode interrupts need mstatus.MIE; from lower modes they are always on.
  if (h.priv == Privilege::kMachine && !(h.mstatus & mstatus_bits::kMie)) return false;
  // Priority: MEI, MSI, MTI (Privileged ISA 3.1.9).
  for (unsigned irq :
       {cause::kMachineExternalIrq, cause::kMachineSoftIrq, cause::kMachineTimerIrq}) {
    if (pending & (ux(1) << irq)) {
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
  using ux = sem::uxlen<XLEN>;
  if (h.priv != Privilege::kMachine) return illegal_instruction(h, d);
  ux status = h.mstatus;
  auto previous = Privilege((status & mstatus_bits::kMpp) >> 11);
  // MIE <- MPIE, MPIE <- 1, MPP <- least privileged supported mode (M here).
  status = (status & ~ux(mstatus_bits::kMie)) |
           ((status & mstatus_bits::kMpie) ? ux(mstatus_bits::kMie) : ux(0));
  status |= ux(mstatus_bits::kMpie);
  status |= ux(mstatus_bits::kMpp);
  h.mstatus = status;
  h.priv = previous;
  h.reservation_valid = false;
  h.pc = h.mepc & ~ux(h.config.has(Extension::C) ? 1 : 3);
  h.attention = true;  // MIE may have come back on with interrupts pending
  return true;
}

template <unsigned XLEN>
bool wait_for_interrupt(Hart<XLEN>& h, const DecodedInsn& d) {
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
  template bool wait_for_interrupt(Hart<XLEN>&, const DecodedInsn&);
SILICA_INSTANTIATE(32)
SILICA_INSTANTIATE(64)
#undef SILICA_INSTANTIATE

}  // namespace silica::riscv

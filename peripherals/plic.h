// RISC-V Platform-Level Interrupt Controller (the SiFive PLIC of QEMU's `virt`
// machine: base 0xc000000, size 0x600000, 96 sources, two contexts per hart,
// M-mode first, then S-mode). Register layout, all 32-bit:
//   priority[s]          0x000000 + 4*s            (0..7; source 0 reads 0)
//   pending words        0x001000 + 4*w            (read-only)
//   enable words         0x002000 + 0x80*c + 4*w
//   threshold[c]         0x200000 + 0x1000*c       (0..7)
//   claim/complete[c]    0x200004 + 0x1000*c
// Only the words that cover existing sources and contexts are registers;
// every other offset is a TLM address error.
//
// Behaviour follows the RISC-V PLIC specification:
//  - each source has a level-triggered gateway: an asserted input becomes one
//    request (the pending bit); the gateway forwards nothing more until a
//    completion for that source arrives, and then forwards again at once if
//    the input is still asserted. Lowering the input never retracts a request;
//  - a claim returns the pending, enabled source of highest priority (lowest
//    id on ties; priority 0 never interrupts), clears its pending bit and
//    returns 0 when there is none. Claims ignore the threshold;
//  - a completion (writing an id to claim/complete) reaches the gateway only
//    when that source is enabled for the context; otherwise it is ignored.
//    The id is not checked against the last claim, as the spec says;
//  - context output c (its EIP: meip or seip of a hart) is high while some
//    pending source enabled for c has a priority above c's threshold.
// Input lines are numbered by source id (IrqSink); line 0 and lines past the
// last source are ignored.
#pragma once

#include <cstdint>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "peripherals/register_bank.h"

namespace silica {

class Plic : public sc_core::sc_module, public IrqSink {
 public:
  static constexpr uint64_t kPriorityBase = 0x000000;
  static constexpr uint64_t kPendingBase = 0x001000;
  static constexpr uint64_t kEnableBase = 0x002000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x200000;
  static constexpr uint64_t kContextStride = 0x1000;
  static constexpr uint64_t kClaimOffset = 4;    // from the context's threshold
  static constexpr unsigned kMaxSources = 1024;  // including the absent source 0
  static constexpr unsigned kMaxContexts = 15872;
  static constexpr uint32_t kMaxPriority = 7;

  tlm_utils::simple_target_socket<Plic> socket;
  std::vector<IrqLine> context_irq;  // one per context: its EIP

  // `num_sources` counts source 0, which does not exist (virt: 96, ids 1..95).
  Plic(const sc_core::sc_module_name& name, unsigned num_sources, unsigned num_contexts);

  // Interrupt input from a device: `line` is the source id.
  void set_irq_level(unsigned line, bool level) override;

  unsigned num_sources() const { return m_num_sources; }
  unsigned num_contexts() const { return static_cast<unsigned>(m_threshold.size()); }

  // Power-on state: priorities, enables, thresholds and pending bits zero, no
  // source in service. Inputs still asserted are requested again at once.
  void reset();

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void declare_registers();

  // Bits of enable/pending word `word` that name existing sources.
  uint32_t source_mask(unsigned word) const;
  bool enabled(unsigned context, unsigned source) const { return bit(m_enable[context], source); }
  static bool bit(const std::vector<uint32_t>& words, unsigned index) {
    return ((words[index / 32] >> (index % 32)) & 1U) != 0;
  }
  static void set_bit(std::vector<uint32_t>& words, unsigned index, bool value);

  // The source a claim by `context` would return (0: none), and its priority.
  unsigned best_source(unsigned context, uint32_t* priority = nullptr) const;
  unsigned claim(unsigned context);
  void complete(unsigned context, uint32_t source);
  // The gateway forwards a request if it is free and its input is asserted.
  void forward_request(unsigned source);
  // Drives every context output from the current state.
  void update_outputs();

  unsigned m_num_sources;
  unsigned m_num_words;  // 32-bit words per pending/enable bit array
  RegisterBank m_regs;
  std::vector<uint32_t> m_priority;             // per source
  std::vector<uint32_t> m_threshold;            // per context
  std::vector<std::vector<uint32_t>> m_enable;  // per context, per word
  std::vector<uint32_t> m_pending;              // IP bits
  std::vector<uint32_t> m_level;                // input levels
  std::vector<uint32_t> m_gateway_busy;         // request sent, no completion yet
};

}  // namespace silica

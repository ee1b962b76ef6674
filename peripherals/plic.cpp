#include "peripherals/plic.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace silica {

Plic::Plic(const sc_core::sc_module_name& name, unsigned num_sources, unsigned num_contexts)
    : sc_core::sc_module(name), socket("socket"), m_num_sources(num_sources) {
  if (num_sources < 2 || num_sources > kMaxSources) {
    throw std::invalid_argument("plic: number of sources must be 2.." +
                                std::to_string(kMaxSources) + " (source 0 included)");
  }
  if (num_contexts == 0 || num_contexts > kMaxContexts) {
    throw std::invalid_argument("plic: number of contexts must be 1.." +
                                std::to_string(kMaxContexts));
  }
  m_num_words = (num_sources + 31) / 32;
  context_irq.resize(num_contexts);
  m_priority.assign(num_sources, 0);
  m_threshold.assign(num_contexts, 0);
  m_enable.assign(num_contexts, std::vector<uint32_t>(m_num_words, 0));
  m_pending.assign(m_num_words, 0);
  m_level.assign(m_num_words, 0);
  m_gateway_busy.assign(m_num_words, 0);

  socket.register_b_transport(this, &Plic::b_transport);
  socket.register_transport_dbg(this, &Plic::transport_dbg);
  declare_registers();
}

uint32_t Plic::source_mask(unsigned word) const {
  uint32_t mask = ~uint32_t{0};
  if (word == 0) mask &= ~uint32_t{1};  // source 0 does not exist
  const unsigned first = 32 * word;
  if (m_num_sources - first < 32) mask &= (uint32_t{1} << (m_num_sources - first)) - 1;
  return mask;
}

void Plic::declare_registers() {
  // Source 0 has a priority slot that is hardwired to zero.
  m_regs.add("priority0", kPriorityBase, 4).read_only();
  for (unsigned source = 1; source < m_num_sources; ++source) {
    m_regs.add("priority" + std::to_string(source), kPriorityBase + 4 * uint64_t{source}, 4)
        .writable_bits(kMaxPriority)
        .on_read([this, source] { return m_priority[source]; })
        .on_write([this, source](uint64_t v) {
          m_priority[source] = static_cast<uint32_t>(v);
          update_outputs();
        });
  }
  for (unsigned word = 0; word < m_num_words; ++word) {
    m_regs.add("pending" + std::to_string(word), kPendingBase + 4 * uint64_t{word}, 4)
        .read_only()
        .on_read([this, word] { return m_pending[word]; });
  }
  for (unsigned context = 0; context < num_contexts(); ++context) {
    const std::string ctx = std::to_string(context);
    for (unsigned word = 0; word < m_num_words; ++word) {
      m_regs
          .add("enable" + ctx + "_" + std::to_string(word),
               kEnableBase + kEnableStride * context + 4 * uint64_t{word}, 4)
          .writable_bits(source_mask(word))
          .on_read([this, context, word] { return m_enable[context][word]; })
          .on_write([this, context, word](uint64_t v) {
            m_enable[context][word] = static_cast<uint32_t>(v);
            update_outputs();
          });
    }
    const uint64_t base = kContextBase + kContextStride * context;
    m_regs.add("threshold" + ctx, base, 4)
        .writable_bits(kMaxPriority)
        .on_read([this, context] { return m_threshold[context]; })
        .on_write([this, context](uint64_t v) {
          m_threshold[context] = static_cast<uint32_t>(v);
          update_outputs();
        });
    m_regs.add("claim" + ctx, base + kClaimOffset, 4)
        .on_read([this, context] { return claim(context); })
        .on_peek([this, context] { return best_source(context); })
        .on_write([this, context](uint64_t v) { complete(context, static_cast<uint32_t>(v)); });
  }
}

void Plic::reset() {
  std::fill(m_priority.begin(), m_priority.end(), 0);
  std::fill(m_threshold.begin(), m_threshold.end(), 0);
  for (auto& words : m_enable) std::fill(words.begin(), words.end(), 0);
  std::fill(m_pending.begin(), m_pending.end(), 0);
  std::fill(m_gateway_busy.begin(), m_gateway_busy.end(), 0);
  m_regs.reset();
  for (unsigned source = 1; source < m_num_sources; ++source) forward_request(source);
  update_outputs();
}

void Plic::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  m_regs.access(trans);
}

unsigned Plic::transport_dbg(tlm::tlm_generic_payload& trans) {
  return m_regs.debug_access(trans);
}

void Plic::set_bit(std::vector<uint32_t>& words, unsigned index, bool value) {
  const uint32_t mask = uint32_t{1} << (index % 32);
  if (value) {
    words[index / 32] |= mask;
  } else {
    words[index / 32] &= ~mask;
  }
}

void Plic::set_irq_level(unsigned line, bool level) {
  if (line == 0 || line >= m_num_sources) return;
  set_bit(m_level, line, level);
  // A falling input leaves an accepted request where it is.
  if (!level) return;
  forward_request(line);
  update_outputs();
}

void Plic::forward_request(unsigned source) {
  if (!bit(m_level, source) || bit(m_gateway_busy, source)) return;
  set_bit(m_gateway_busy, source, true);
  set_bit(m_pending, source, true);
}

unsigned Plic::best_source(unsigned context, uint32_t* priority) const {
  unsigned best = 0;
  uint32_t best_priority = 0;  // priority 0 never interrupts
  const std::vector<uint32_t>& enable = m_enable[context];
  for (unsigned word = 0; word < m_num_words; ++word) {
    uint32_t candidates = m_pending[word] & enable[word];
    while (candidates != 0) {
      const unsigned source = 32 * word + static_cast<unsigned>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      // Strictly greater: among equal priorities the lowest id, met first, wins.
      if (m_priority[source] > best_priority) {
        best = source;
        best_priority = m_priority[source];
      }
    }
  }
  if (priority != nullptr) *priority = best_priority;
  return best;
}

unsigned Plic::claim(unsigned context) {
  const unsigned source = best_source(context);
  if (source == 0) return 0;
  set_bit(m_pending, source, false);
  update_outputs();
  return source;
}

void Plic::complete(unsigned context, uint32_t source) {
  if (source == 0 || source >= m_num_sources || !enabled(context, source)) return;
  set_bit(m_gateway_busy, source, false);
  forward_request(source);
  update_outputs();
}

void Plic::update_outputs() {
  for (unsigned context = 0; context < num_contexts(); ++context) {
    uint32_t priority = 0;
    best_source(context, &priority);
    context_irq[context].set(priority > m_threshold[context]);
  }
}

}  // namespace silica

// Level-sensitive interrupt wires between platform components.
//
// A device owns IrqLine outputs; a core or interrupt controller implements
// IrqSink and receives level changes on numbered inputs. Wiring is data: the
// platform builder binds lines to sinks from the platform file.
#pragma once

#include <string>

namespace silica {

class IrqSink {
 public:
  virtual ~IrqSink() = default;
  // Called whenever the level of input `line` changes.
  virtual void set_irq_level(unsigned line, bool level) = 0;
};

class IrqLine {
 public:
  void bind(IrqSink& sink, unsigned line) {
    m_sink = &sink;
    m_line = line;
    if (m_level) m_sink->set_irq_level(m_line, true);
  }
  bool is_bound() const { return m_sink != nullptr; }
  bool level() const { return m_level; }

  // Drives the wire; only changes reach the sink.
  void set(bool level) {
    if (level == m_level) return;
    m_level = level;
    if (m_sink != nullptr) m_sink->set_irq_level(m_line, level);
  }
  void raise() { set(true); }
  void lower() { set(false); }

 private:
  IrqSink* m_sink = nullptr;
  unsigned m_line = 0;
  bool m_level = false;
};

}  // namespace silica

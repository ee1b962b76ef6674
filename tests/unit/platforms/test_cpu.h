// A test double for the core's "riscv_hart" component type: a TLM initiator
// the test drives directly, with the interrupt inputs the real core has (msi
// 3, mti 7, sei 9, mei 11), so platform tests need no core. register_test_cpu() installs it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "interconnect/sim_control.h"
#include "platforms/component.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {

// Test double for the core's "riscv_hart" type: a TLM initiator the test
// drives directly, with interrupt inputs msi (line 3), mti (line 7) and mei
// (line 11), as the real core numbers them.
class TestCpu : public CpuComponent {
 public:
  TestCpu(const std::string& name, uint64_t hart_id) : m_driver(name.c_str()), m_hart_id(hart_id) {}
  tlm::tlm_initiator_socket<>* initiator_socket(std::string_view name) override {
    return name.empty() ? &m_driver.socket : nullptr;
  }
  std::optional<IrqInput> irq_input(std::string_view name) override {
    if (name == "msi") return IrqInput{&m_probe, 3};
    if (name == "mti") return IrqInput{&m_probe, 7};
    if (name == "mei") return IrqInput{&m_probe, 11};
    if (name == "sei") return IrqInput{&m_probe, 9};
    return std::nullopt;
  }
  void set_boot(uint64_t pc, uint64_t dtb_address) override {
    m_pc = pc;
    m_dtb = dtb_address;
  }
  CpuStats stats() const override { return {}; }
  uint64_t hart_id() const override { return m_hart_id; }
  unsigned xlen() const override { return 64; }
  void set_trace_sink(trace::TraceSink*) override {}
  void set_instruction_limit(uint64_t /*limit*/) override {}
  bool instruction_limit_reached() const override { return false; }

  TlmDriver& bus() { return m_driver; }
  uint64_t boot_pc() const { return m_pc; }
  uint64_t boot_dtb() const { return m_dtb; }
  const IrqProbe& irqs() const { return m_probe; }

 private:
  TlmDriver m_driver;
  IrqProbe m_probe;
  uint64_t m_hart_id;
  uint64_t m_pc = 0;
  uint64_t m_dtb = 0;
};

class RecordingSimControl : public SimControl {
 public:
  void request_exit(int exit_code) override { exit_code_ = exit_code; }
  void request_reset() override { ++resets; }
  std::optional<int> exit_code_;
  unsigned resets = 0;
};

inline void register_test_cpu() {
  ComponentRegistry::instance().add("riscv_hart",
                                    [](const std::string& name, const ComponentConfig& config,
                                       BuildContext&) -> std::unique_ptr<Component> {
                                      config.get_string("isa");
                                      return std::make_unique<TestCpu>(name,
                                                                       config.get_u64("hartid", 0));
                                    });
}

}  // namespace silica::test

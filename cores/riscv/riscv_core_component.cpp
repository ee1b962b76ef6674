// The "riscv_hart" component type for platform files:
//   component riscv_hart hart0 isa=rv64imac_zicsr_zifencei hartid=0 clock=1GHz
// Interrupt inputs: msi, mti, mei (machine software, timer, external) and sei
// (supervisor external, e.g. a PLIC's S-mode context).
#include <stdexcept>

#include "cores/riscv/riscv_core.h"
#include "platforms/component.h"

namespace silica::riscv {
namespace {

class RiscvCoreComponent final : public CpuComponent {
 public:
  RiscvCoreComponent(const std::string& name, const CoreParams& params, BuildContext& context)
      : m_core(name.c_str(), params, context.sim_control, context.stop_request) {}

  tlm::tlm_initiator_socket<>* initiator_socket(std::string_view which) override {
    return which.empty() || which == "socket" ? &m_core.socket : nullptr;
  }
  std::optional<IrqInput> irq_input(std::string_view which) override {
    if (which == "msi") return IrqInput{&m_core, 3};
    if (which == "mti") return IrqInput{&m_core, 7};
    if (which == "mei") return IrqInput{&m_core, 11};
    if (which == "sei") return IrqInput{&m_core, 9};
    return std::nullopt;
  }
  void set_boot(uint64_t pc, uint64_t dtb_address) override { m_core.set_boot(pc, dtb_address); }
  CpuStats stats() const override {
    return {m_core.instructions(), m_core.cycles(), m_core.params().clock_hz};
  }
  std::vector<std::pair<std::string, std::string>> engine_statistics() const override {
    return m_core.engine_statistics();
  }
  unsigned xlen() const override { return m_core.params().hart.xlen; }
  uint64_t hart_id() const override { return m_core.params().hart.hart_id; }
  void set_instruction_limit(uint64_t limit) override { m_core.set_instruction_limit(limit); }
  bool instruction_limit_reached() const override { return m_core.instruction_limit_reached(); }
  void set_trace_sink(trace::TraceSink* sink) override { m_core.set_trace_sink(sink); }
  void set_trace_window(uint64_t first, uint64_t last) override {
    m_core.set_trace_window(first, last);
  }
  CpuDebug* debug() override { return &m_core; }
  bool set_replay_recorder(replay::Recorder* recorder) override {
    m_core.set_replay_recorder(recorder);
    return true;
  }
  bool set_replay_source(replay::Source* source) override {
    m_core.set_replay_source(source);
    return true;
  }
  replay::RunEnd replay_run(const replay::RunStart& start, const replay::RunEnd& end) override {
    return m_core.replay_run(start, end);
  }
  void replay_wires(uint64_t mip_wires) override { m_core.replay_wires(mip_wires); }
  RiscvCore& core() { return m_core; }

 private:
  RiscvCore m_core;
};

std::unique_ptr<Component> make_core(const std::string& name, const ComponentConfig& config,
                                     BuildContext& context) {
  CoreParams params;
  std::string isa = config.get_string("isa", "rv64imac_zicsr_zifencei");
  try {
    params.hart = parse_isa_string(isa);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(config.where() + ": " + e.what());
  }
  params.hart.hart_id = config.get_u64("hartid", 0);
  params.clock_hz = config.get_hz("clock", 1'000'000'000);
  params.timebase_hz = config.get_hz("timebase", 10'000'000);
  std::string misaligned = config.get_string("misaligned", "emulate");
  if (misaligned != "emulate" && misaligned != "trap") {
    throw ConfigError(config.where() + ": misaligned must be 'emulate' or 'trap'");
  }
  params.hart.misaligned_traps = misaligned == "trap";
  params.engine = config.get_string("engine", context.engine);
  params.code_pages = context.code_pages;
  params.dbt_hot_runs = unsigned(config.get_u64("dbt_hot_runs", context.dbt_hot_runs));
  if (params.dbt_hot_runs == 0) throw ConfigError(config.where() + ": dbt_hot_runs must be >= 1");
  if (params.engine != "interp" && params.engine != "dbt") {
    throw ConfigError(config.where() + ": engine must be 'interp' or 'dbt'");
  }
  return std::make_unique<RiscvCoreComponent>(name, params, context);
}

}  // namespace

void register_riscv_core_component() {
  ComponentRegistry& registry = ComponentRegistry::instance();
  if (registry.find("riscv_hart") == nullptr) registry.add("riscv_hart", make_core);
}

}  // namespace silica::riscv

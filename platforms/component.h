// What the platform builder knows about a component: its sockets, its
// interrupt pins and its parameters. Models themselves (peripherals/,
// interconnect/, cores/) stay plain SystemC modules; small adapters registered
// in the ComponentRegistry expose them through this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>

#include "cores/engine/replay.h"
#include "interconnect/irq.h"

namespace silica {

namespace trace {
class TraceSink;
}
class CpuDebug;

// A user-facing configuration error (bad platform file, bad ELF, bad option).
// The CLI prints what() as one line and exits with status 2; the message names
// the file, line or address at fault.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The key=value parameters of one `component` line, with typed accessors that
// report errors as "<file>:<line>: <component>: ...".
class ComponentConfig {
 public:
  ComponentConfig(std::string where, std::map<std::string, std::string> values)
      : m_where(std::move(where)), m_values(std::move(values)) {}

  const std::string& where() const { return m_where; }
  bool has(const std::string& key) const { return m_values.count(key) != 0; }
  std::string get_string(const std::string& key, std::optional<std::string> fallback = {}) const;
  // Accepts decimal, 0x hex, and K/M/G (binary) suffixes: "128M", "0x1000", "10".
  uint64_t get_u64(const std::string& key, std::optional<uint64_t> fallback = {}) const;
  // Accepts "1GHz", "100MHz", "10kHz", "50Hz"; returns Hz.
  uint64_t get_hz(const std::string& key, std::optional<uint64_t> fallback = {}) const;
  // Parameters nobody asked for are typos: the builder reports them.
  std::vector<std::string> unused_keys() const;

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  std::string m_where;
  std::map<std::string, std::string> m_values;
  mutable std::map<std::string, bool> m_used;
};

// An interrupt input: a sink and the line number on it.
struct IrqInput {
  IrqSink* sink = nullptr;
  unsigned line = 0;
};

class Component {
 public:
  virtual ~Component() = default;
  // Sockets by name ("" = the component's only/default one); nullptr if none.
  virtual tlm::tlm_target_socket<>* target_socket(std::string_view /*name*/) { return nullptr; }
  virtual tlm::tlm_initiator_socket<>* initiator_socket(std::string_view /*name*/) {
    return nullptr;
  }
  virtual IrqLine* irq_output(std::string_view /*name*/) { return nullptr; }
  virtual std::optional<IrqInput> irq_input(std::string_view /*name*/) { return std::nullopt; }
  // Resets architectural state (machine reset from the guest).
  virtual void reset() {}
};

// A processor: the runner sets where it starts and reads its statistics.
struct CpuStats {
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  uint64_t clock_hz = 0;
};

class CpuComponent : public Component {
 public:
  // Sets the start state: pc, a0 = hart id (set by the core), a1 = device tree.
  virtual void set_boot(uint64_t pc, uint64_t dtb_address) = 0;
  virtual CpuStats stats() const = 0;
  // The execution engine's own figures (name, value), for --stats.
  virtual std::vector<std::pair<std::string, std::string>> engine_statistics() const { return {}; }
  virtual uint64_t hart_id() const = 0;
  // Register width in bits (an ELF must match it).
  virtual unsigned xlen() const = 0;
  // Ends the run (as an exit request) once this many instructions retired.
  virtual void set_instruction_limit(uint64_t limit) = 0;
  virtual bool instruction_limit_reached() const = 0;
  // Reports retired instructions, traps and bus accesses to sink (nullptr: stop).
  virtual void set_trace_sink(trace::TraceSink* sink) = 0;
  // The sink keeps only what this processor retires while its retired count
  // is in [first, last) (a trace window): it may run untraced, and faster,
  // outside that stretch. Processors that cannot ignore it.
  virtual void set_trace_window(uint64_t /*first*/, uint64_t /*last*/) {}
  // Debugger access, or nullptr when the processor cannot be debugged.
  virtual CpuDebug* debug() { return nullptr; }
  // Record and replay (cores/engine/replay.h). A processor that cannot
  // record or replay its runs returns false from both setters.
  virtual bool set_replay_recorder(replay::Recorder* /*recorder*/) { return false; }
  virtual bool set_replay_source(replay::Source* /*source*/) { return false; }
  virtual replay::RunEnd replay_run(const replay::RunStart& /*start*/,
                                    const replay::RunEnd& /*end*/) {
    return {};
  }
  virtual void replay_wires(uint64_t /*mip_wires*/) {}
};

// The environment a factory builds in: the simulation controller, the host
// console and the record of code pages, shared by every component of one
// platform.
class SimControl;
class CharBackend;
class CodePages;
struct BuildContext {
  SimControl* sim_control = nullptr;
  CharBackend* console = nullptr;
  // Which RAM pages hold decoded code: cores record it, memories report the
  // writes that reach them through the bus. The Platform provides one.
  CodePages* code_pages = nullptr;
  // Set when the simulation must end: engines check it between blocks.
  const bool* stop_request = nullptr;
  // The execution engine cores use unless their configuration names one.
  std::string engine = "dbt";
  // The DBT translates a block on its n-th run (DbtEngine::set_hot_runs).
  static constexpr unsigned kDefaultDbtHotRuns = 64;
  unsigned dbt_hot_runs = kDefaultDbtHotRuns;
};

using ComponentFactory = std::function<std::unique_ptr<Component>(
    const std::string& name, const ComponentConfig& config, BuildContext& context)>;

// Maps type names used in platform files ("uart16550") to factories.
class ComponentRegistry {
 public:
  static ComponentRegistry& instance();
  void add(const std::string& type, ComponentFactory factory);
  const ComponentFactory* find(const std::string& type) const;
  std::vector<std::string> types() const;

 private:
  std::map<std::string, ComponentFactory> m_factories;
};

}  // namespace silica

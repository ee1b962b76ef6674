// Adapters between the platform builder and silica's own models: each owns one
// model and exposes its sockets and interrupt pins by name.
#include "platforms/builtin_components.h"

#include <charconv>
#include <memory>
#include <mutex>

#include "interconnect/sim_control.h"
#include "peripherals/clint.h"
#include "peripherals/host_console.h"
#include "peripherals/htif.h"
#include "peripherals/sifive_test.h"
#include "peripherals/uart16550.h"

namespace silica {
namespace {

// A model's single socket answers to "" and to its member name "socket".
bool is_default_socket(std::string_view name) {
  return name.empty() || name == "socket";
}

SimControl& need_sim_control(const ComponentConfig& config, BuildContext& context) {
  if (context.sim_control == nullptr) {
    throw ConfigError(config.where() + ": needs a simulation controller (none in this build)");
  }
  return *context.sim_control;
}

CharBackend& need_console(const ComponentConfig& config, BuildContext& context) {
  if (context.console == nullptr) {
    throw ConfigError(config.where() + ": needs a host console (none in this build)");
  }
  return *context.console;
}

// "msip12" with prefix "msip" -> 12, if below `count`.
std::optional<unsigned> pin_index(std::string_view pin, std::string_view prefix, unsigned count) {
  if (!pin.starts_with(prefix) || pin.size() == prefix.size()) return std::nullopt;
  unsigned index = 0;
  const char* first = pin.data() + prefix.size();
  const char* last = pin.data() + pin.size();
  auto [end, error] = std::from_chars(first, last, index);
  if (error != std::errc() || end != last || index >= count) return std::nullopt;
  if (*first == '0' && last - first > 1) return std::nullopt;  // "msip01" is a typo
  return index;
}

class UartComponent : public Component {
 public:
  UartComponent(const std::string& name, CharBackend& console) : m_uart(name.c_str(), console) {}
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_uart.socket : nullptr;
  }
  IrqLine* irq_output(std::string_view name) override {
    return name.empty() || name == "irq" ? &m_uart.irq : nullptr;
  }
  void reset() override { m_uart.reset(); }

 private:
  Uart16550 m_uart;
};

class ClintComponent : public Component {
 public:
  ClintComponent(const std::string& name, unsigned harts, uint64_t timebase_hz)
      : m_clint(name.c_str(), harts, timebase_hz) {}
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_clint.socket : nullptr;
  }
  // msip<N> and mtip<N>, one per hart.
  IrqLine* irq_output(std::string_view name) override {
    if (auto h = pin_index(name, "msip", m_clint.num_harts())) return &m_clint.msip_irq[*h];
    if (auto h = pin_index(name, "mtip", m_clint.num_harts())) return &m_clint.mtip_irq[*h];
    return nullptr;
  }
  void reset() override { m_clint.reset(); }

 private:
  Clint m_clint;
};

class SifiveTestComponent : public Component {
 public:
  SifiveTestComponent(const std::string& name, SimControl& control)
      : m_test(name.c_str(), control) {}
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_test.socket : nullptr;
  }

 private:
  SifiveTest m_test;
};

class HtifComponent : public Component {
 public:
  HtifComponent(const std::string& name, SimControl& control, CharBackend& console, uint64_t tohost,
                uint64_t fromhost)
      : m_htif(name.c_str(), control, console, tohost, fromhost) {}
  tlm::tlm_initiator_socket<>* initiator_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_htif.socket : nullptr;
  }

 private:
  Htif m_htif;
};

void register_all() {
  ComponentRegistry& registry = ComponentRegistry::instance();
  registry.add("memory",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext&) -> std::unique_ptr<Component> {
                 return std::make_unique<MemoryComponent>(name, config.get_u64("size"));
               });
  registry.add("uart16550",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext& context) -> std::unique_ptr<Component> {
                 return std::make_unique<UartComponent>(name, need_console(config, context));
               });
  registry.add("clint",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext&) -> std::unique_ptr<Component> {
                 const uint64_t harts = config.get_u64("harts", 1);
                 if (harts == 0 || harts > Clint::kMaxHarts) {
                   throw ConfigError(config.where() + ": parameter 'harts': must be 1.." +
                                     std::to_string(Clint::kMaxHarts));
                 }
                 const uint64_t timebase = config.get_hz("timebase", 10'000'000);
                 if (timebase == 0)
                   throw ConfigError(config.where() + ": parameter 'timebase': must not be 0");
                 return std::make_unique<ClintComponent>(name, static_cast<unsigned>(harts),
                                                         timebase);
               });
  registry.add("sifive_test",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext& context) -> std::unique_ptr<Component> {
                 return std::make_unique<SifiveTestComponent>(name,
                                                              need_sim_control(config, context));
               });
  registry.add("htif",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext& context) -> std::unique_ptr<Component> {
                 const uint64_t tohost = config.get_u64("tohost");
                 const uint64_t fromhost = config.get_u64("fromhost", 0);
                 return std::make_unique<HtifComponent>(name, need_sim_control(config, context),
                                                        need_console(config, context), tohost,
                                                        fromhost);
               });
}

}  // namespace

MemoryComponent::MemoryComponent(const std::string& name, uint64_t size)
    : m_memory(name.c_str(), size) {}

tlm::tlm_target_socket<>* MemoryComponent::target_socket(std::string_view name) {
  return is_default_socket(name) ? &m_memory.socket : nullptr;
}

void register_builtin_components() {
  static std::once_flag once;
  std::call_once(once, register_all);
}

}  // namespace silica

// Adapters between the platform builder and silica's own models: each owns one
// model and exposes its sockets and interrupt pins by name.
#include "platforms/builtin_components.h"

#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "interconnect/sim_control.h"
#include "peripherals/clint.h"
#include "peripherals/goldfish_rtc.h"
#include "peripherals/host_console.h"
#include "peripherals/htif.h"
#include "peripherals/plic.h"
#include "peripherals/sifive_test.h"
#include "peripherals/uart16550.h"
#include "platforms/virtio_components.h"

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

// Contexts come in pairs per hart, M-mode then S-mode, as on QEMU's virt.
class PlicComponent : public Component {
 public:
  PlicComponent(const std::string& name, unsigned sources, unsigned harts)
      : m_plic(name.c_str(), sources, 2 * harts), m_harts(harts) {}
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_plic.socket : nullptr;
  }
  // meip<N> and seip<N>, one each per hart.
  IrqLine* irq_output(std::string_view name) override {
    if (auto h = pin_index(name, "meip", m_harts)) return &m_plic.context_irq[2 * *h];
    if (auto h = pin_index(name, "seip", m_harts)) return &m_plic.context_irq[2 * *h + 1];
    return nullptr;
  }
  // irq<N>: interrupt source N (1 .. sources-1; source 0 does not exist).
  std::optional<IrqInput> irq_input(std::string_view name) override {
    auto source = pin_index(name, "irq", m_plic.num_sources());
    if (!source || *source == 0) return std::nullopt;
    return IrqInput{&m_plic, *source};
  }
  void reset() override { m_plic.reset(); }

 private:
  Plic m_plic;
  unsigned m_harts;
};

class GoldfishRtcComponent : public Component {
 public:
  GoldfishRtcComponent(const std::string& name, std::optional<uint64_t> start_ns)
      : m_rtc(name.c_str(), start_ns) {}
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return is_default_socket(name) ? &m_rtc.socket : nullptr;
  }
  IrqLine* irq_output(std::string_view name) override {
    return name.empty() || name == "irq" ? &m_rtc.irq : nullptr;
  }
  void reset() override { m_rtc.reset(); }

 private:
  GoldfishRtc m_rtc;
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
                  BuildContext& context) -> std::unique_ptr<Component> {
                 return std::make_unique<MemoryComponent>(name, config.get_u64("size"), false,
                                                          context.code_pages);
               });
  registry.add("rom",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext& context) -> std::unique_ptr<Component> {
                 return std::make_unique<MemoryComponent>(name, config.get_u64("size"), true,
                                                          context.code_pages);
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
  registry.add("plic",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext&) -> std::unique_ptr<Component> {
                 const uint64_t sources = config.get_u64("sources", 96);
                 if (sources < 2 || sources > Plic::kMaxSources) {
                   throw ConfigError(config.where() + ": parameter 'sources': must be 2.." +
                                     std::to_string(Plic::kMaxSources) + " (source 0 included)");
                 }
                 const uint64_t harts = config.get_u64("harts", 1);
                 if (harts == 0 || harts > Plic::kMaxContexts / 2) {
                   throw ConfigError(config.where() + ": parameter 'harts': must be 1.." +
                                     std::to_string(Plic::kMaxContexts / 2));
                 }
                 return std::make_unique<PlicComponent>(name, static_cast<unsigned>(sources),
                                                        static_cast<unsigned>(harts));
               });
  registry.add("goldfish_rtc",
               [](const std::string& name, const ComponentConfig& config,
                  BuildContext&) -> std::unique_ptr<Component> {
                 // start=SECONDS since 1970 fixes the clock (reproducible
                 // runs); without it the clock starts at the host's time.
                 std::optional<uint64_t> start_ns;
                 if (config.has("start")) {
                   constexpr uint64_t kNsPerSecond = 1'000'000'000;
                   const uint64_t seconds = config.get_u64("start");
                   if (seconds > ~uint64_t{0} / kNsPerSecond) {
                     throw ConfigError(config.where() + ": parameter 'start': must be at most " +
                                       std::to_string(~uint64_t{0} / kNsPerSecond) + " seconds");
                   }
                   start_ns = seconds * kNsPerSecond;
                 }
                 return std::make_unique<GoldfishRtcComponent>(name, start_ns);
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
  register_virtio_components();
}

}  // namespace

MemoryComponent::MemoryComponent(const std::string& name, uint64_t size, bool read_only,
                                 CodePages* code_pages)
    : m_memory(name.c_str(), size, sc_core::SC_ZERO_TIME, read_only) {
  if (code_pages != nullptr) {
    m_memory.add_write_hook(
        [code_pages](const uint8_t* host, uint64_t size) { code_pages->written(host, size); });
  }
}

tlm::tlm_target_socket<>* MemoryComponent::target_socket(std::string_view name) {
  return is_default_socket(name) ? &m_memory.socket : nullptr;
}

void register_builtin_components() {
  static std::once_flag once;
  std::call_once(once, register_all);
}

}  // namespace silica

#include "platforms/platform.h"

#include "cores/engine/code_pages.h"
#include "platforms/device_tree.h"
#include "platforms/platform_file.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace silica {
namespace {

std::string prefix(const std::string& origin) {
  return origin.empty() ? "" : origin + ": ";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

struct Platform::State {
  State(std::string platform_name, const BuildContext& build_context)
      : name(std::move(platform_name)), context(build_context), router("bus") {
    if (context.code_pages == nullptr) context.code_pages = &code_pages;
  }
  std::string name;
  CodePages code_pages;  // unless the builder brought one
  BuildContext context;
  Router router;
  std::vector<Entry> components;
  std::vector<Mapping> mappings;
  std::vector<IrqWire> irqs;
};

Platform::Platform(std::string name, const BuildContext& context)
    : m_state(std::make_unique<State>(std::move(name), context)) {}

Platform::~Platform() {
  // Components first (reverse creation order), then the bus they were bound to.
  if (m_state) {
    while (!m_state->components.empty()) m_state->components.pop_back();
  }
}

Platform::Platform(Platform&&) noexcept = default;
Platform& Platform::operator=(Platform&&) noexcept = default;

const std::string& Platform::name() const {
  return m_state->name;
}
Router& Platform::router() {
  return m_state->router;
}
const Router& Platform::router() const {
  return m_state->router;
}
const std::vector<Platform::Entry>& Platform::components() const {
  return m_state->components;
}
const std::vector<Platform::Mapping>& Platform::mappings() const {
  return m_state->mappings;
}
const std::vector<Platform::IrqWire>& Platform::irqs() const {
  return m_state->irqs;
}

Component* Platform::component(std::string_view name) const {
  for (const Entry& e : m_state->components) {
    if (e.name == name) return e.component.get();
  }
  return nullptr;
}

std::vector<CpuComponent*> Platform::cpus() const {
  std::vector<CpuComponent*> out;
  for (const Entry& e : m_state->components) {
    if (auto* cpu = dynamic_cast<CpuComponent*>(e.component.get())) out.push_back(cpu);
  }
  return out;
}

size_t Platform::index_of(const std::string& name) const {
  for (size_t i = 0; i < m_state->components.size(); ++i) {
    if (m_state->components[i].name == name) return i;
  }
  return m_state->components.size();
}

const Platform::Entry& Platform::entry(const std::string& name, const std::string& origin) const {
  const size_t index = index_of(name);
  if (index == m_state->components.size()) {
    std::vector<std::string> names;
    for (const Entry& e : m_state->components) names.push_back(e.name);
    throw ConfigError(prefix(origin) + "unknown component '" + name +
                      "' (components: " + join(names) + ")");
  }
  return m_state->components[index];
}

Component& Platform::add_component(const std::string& type, const std::string& name,
                                   const std::map<std::string, std::string>& values,
                                   const std::string& origin) {
  const sc_core::sc_status status = sc_core::sc_get_status();
  if (status != sc_core::SC_ELABORATION && status != sc_core::SC_BEFORE_END_OF_ELABORATION) {
    throw ConfigError(prefix(origin) + "cannot add component '" + name +
                      "' once the simulation is elaborated");
  }
  if (!is_identifier(name))
    throw ConfigError(prefix(origin) + "malformed component name '" + name + "'");
  if (name == "bus")
    throw ConfigError(prefix(origin) + "the name 'bus' is reserved for the system bus");
  if (index_of(name) != m_state->components.size()) {
    throw ConfigError(prefix(origin) + "duplicate component name '" + name +
                      "' (first defined at " + m_state->components[index_of(name)].origin + ")");
  }
  const ComponentFactory* factory = ComponentRegistry::instance().find(type);
  if (factory == nullptr) {
    throw ConfigError(prefix(origin) + "unknown component type '" + type +
                      "' (known: " + join(ComponentRegistry::instance().types()) + ")");
  }

  const std::string where = prefix(origin) + name;
  ComponentConfig config(where, values);
  std::unique_ptr<Component> component;
  try {
    component = (*factory)(name, config, m_state->context);
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    // SystemC reports and model constructors: still a configuration problem here.
    throw ConfigError(where + ": " + e.what());
  }
  if (!component) throw ConfigError(where + ": the '" + type + "' factory built nothing");
  // Parameters that only say how the device tree describes the component
  // (a hart's mmu=) are not typos even when the model ignores them.
  std::vector<std::string> unused = config.unused_keys();
  std::erase_if(unused, [&type](const std::string& key) {
    const auto keys = device_tree_parameters(type);
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  });
  if (!unused.empty()) {
    throw ConfigError(where + ": unknown parameter" + (unused.size() > 1 ? "s '" : " '") +
                      join(unused) + "' for " + type);
  }

  // Every initiator talks to the one system bus.
  if (tlm::tlm_initiator_socket<>* socket = component->initiator_socket("")) {
    socket->bind(m_state->router.target_socket);
  }
  m_state->components.push_back({name, type, origin, std::move(component), values});
  return *m_state->components.back().component;
}

void Platform::map(const std::string& component, const std::string& socket, uint64_t base,
                   uint64_t size, const std::string& origin) {
  const Entry& target = entry(component, origin);
  tlm::tlm_target_socket<>* target_socket = target.component->target_socket(socket);
  if (target_socket == nullptr) {
    throw ConfigError(prefix(origin) + "'" + component + "' (" + target.type +
                      ") has no target socket" +
                      (socket.empty() ? std::string() : " '" + socket + "'"));
  }
  const std::string region = socket.empty() ? component : component + "." + socket;
  for (const Mapping& m : m_state->mappings) {
    if (m_state->components[m.component].name == component && m.socket == socket) {
      throw ConfigError(prefix(origin) + "'" + region + "' is already mapped (at " + m.origin +
                        ")");
    }
  }
  try {
    m_state->router.map(*target_socket, base, size, region);
  } catch (const ConfigError& e) {
    throw ConfigError(prefix(origin) + e.what());
  }
  m_state->mappings.push_back({index_of(component), socket, base, size, origin});
}

void Platform::connect_irq(const std::string& source, const std::string& pin,
                           const std::string& sink, const std::string& input,
                           const std::string& origin) {
  const Entry& from = entry(source, origin);
  const Entry& to = entry(sink, origin);
  IrqLine* line = from.component->irq_output(pin);
  if (line == nullptr) {
    throw ConfigError(prefix(origin) + "'" + source + "' (" + from.type +
                      ") has no interrupt output '" + pin + "'");
  }
  std::optional<IrqInput> target = to.component->irq_input(input);
  if (!target || target->sink == nullptr) {
    throw ConfigError(prefix(origin) + "'" + sink + "' (" + to.type + ") has no interrupt input '" +
                      input + "'");
  }
  // One wire per output and per input: IrqLine drives a single sink, and two
  // outputs on one level-sensitive input would overwrite each other.
  for (const IrqWire& w : m_state->irqs) {
    const Entry& other_source = m_state->components[w.source];
    const Entry& other_sink = m_state->components[w.sink];
    if (other_source.name == source && w.pin == pin) {
      throw ConfigError(prefix(origin) + "interrupt output " + source + "." + pin +
                        " is already connected (at " + w.origin + ")");
    }
    std::optional<IrqInput> taken = other_sink.component->irq_input(w.input);
    if (taken && taken->sink == target->sink && taken->line == target->line) {
      throw ConfigError(prefix(origin) + "interrupt input " + sink + "." + input +
                        " is already driven by " + other_source.name + "." + w.pin + " (at " +
                        w.origin + ")");
    }
  }
  line->bind(*target->sink, target->line);
  m_state->irqs.push_back({index_of(source), pin, index_of(sink), input, origin});
}

std::string Platform::describe() const {
  std::string out = "platform " + m_state->name + "\n";
  for (const Entry& e : m_state->components) {
    out += "  component " + e.name + " (" + e.type + ")\n";
  }
  char line[160];
  for (const BusRegion& r : m_state->router.regions()) {
    std::snprintf(line, sizeof line, "  bus 0x%016llx-0x%016llx %s\n",
                  static_cast<unsigned long long>(r.base),
                  static_cast<unsigned long long>(r.base + r.size - 1), r.name.c_str());
    out += line;
  }
  for (const IrqWire& w : m_state->irqs) {
    out += "  irq " + m_state->components[w.source].name + "." + w.pin + " -> " +
           m_state->components[w.sink].name + "." + w.input + "\n";
  }
  return out;
}

void Platform::reset() {
  for (Entry& e : m_state->components) e.component->reset();
}

}  // namespace silica

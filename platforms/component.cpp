#include "platforms/component.h"

#include "platforms/numbers.h"

namespace silica {

std::string ComponentConfig::get_string(const std::string& key,
                                        std::optional<std::string> fallback) const {
  m_used[key] = true;
  auto it = m_values.find(key);
  if (it != m_values.end()) return it->second;
  if (fallback) return *fallback;
  fail(key, "missing (required)");
}

uint64_t ComponentConfig::get_u64(const std::string& key, std::optional<uint64_t> fallback) const {
  m_used[key] = true;
  auto it = m_values.find(key);
  if (it == m_values.end()) {
    if (fallback) return *fallback;
    fail(key, "missing (required)");
  }
  auto value = parse_size(it->second);
  if (!value) fail(key, "'" + it->second + "' is not a number (e.g. 42, 0x1000, 128M)");
  return *value;
}

uint64_t ComponentConfig::get_hz(const std::string& key, std::optional<uint64_t> fallback) const {
  m_used[key] = true;
  auto it = m_values.find(key);
  if (it == m_values.end()) {
    if (fallback) return *fallback;
    fail(key, "missing (required)");
  }
  auto value = parse_hz(it->second);
  if (!value) fail(key, "'" + it->second + "' is not a frequency (e.g. 1GHz, 100MHz, 10kHz)");
  return *value;
}

std::vector<std::string> ComponentConfig::unused_keys() const {
  std::vector<std::string> unused;
  for (const auto& [key, value] : m_values) {
    if (m_used.count(key) == 0) unused.push_back(key);
  }
  return unused;
}

void ComponentConfig::fail(const std::string& key, const std::string& what) const {
  throw ConfigError(m_where + ": parameter '" + key + "': " + what);
}

ComponentRegistry& ComponentRegistry::instance() {
  static ComponentRegistry registry;
  return registry;
}

// A later registration of the same type replaces the earlier one, so tests can
// substitute doubles and repeated registration is harmless.
void ComponentRegistry::add(const std::string& type, ComponentFactory factory) {
  m_factories[type] = std::move(factory);
}

const ComponentFactory* ComponentRegistry::find(const std::string& type) const {
  auto it = m_factories.find(type);
  return it == m_factories.end() ? nullptr : &it->second;
}

std::vector<std::string> ComponentRegistry::types() const {
  std::vector<std::string> names;
  names.reserve(m_factories.size());
  for (const auto& [type, factory] : m_factories) names.push_back(type);
  return names;
}

}  // namespace silica

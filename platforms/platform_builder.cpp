#include "platforms/platform_builder.h"

#include "platforms/numbers.h"

namespace silica {
namespace {

// Parameter values: file defaults in order (a default may use earlier
// parameters), replaced by the overrides given on the command line.
std::map<std::string, std::string> resolve_params(
    const PlatformFile& file, const std::map<std::string, std::string>& overrides) {
  for (const auto& [name, value] : overrides) {
    if (file.find_param(name) != nullptr) continue;
    std::string known;
    for (const auto& p : file.params) known += (known.empty() ? "" : ", ") + p.name;
    throw ConfigError(file.file_name + ": no parameter '" + name +
                      "' to set (parameters: " + (known.empty() ? "none" : known) + ")");
  }
  std::map<std::string, std::string> values;
  for (const PlatformParam& p : file.params) {
    auto it = overrides.find(p.name);
    values[p.name] = it != overrides.end()
                         ? it->second
                         : substitute_params(p.value, values, file.location(p.line));
  }
  return values;
}

uint64_t number(const std::string& raw, const std::map<std::string, std::string>& params,
                const std::string& where, const char* what) {
  const std::string text = substitute_params(raw, params, where);
  auto value = parse_size(text);
  if (!value) {
    throw ConfigError(where + ": " + what + " '" + text + "' is not a number (e.g. 0x1000, 128M)");
  }
  return *value;
}

}  // namespace

Platform build_platform(const PlatformFile& parsed,
                        const std::map<std::string, std::string>& param_overrides,
                        BuildContext& context) {
  // foreach ranges may depend on the overridden parameters (harts=): expand
  // the loops again with them.
  const PlatformFile file = parsed.has_loops && !param_overrides.empty()
                                ? parse_platform(parsed.text, parsed.file_name, param_overrides)
                                : parsed;
  const std::map<std::string, std::string> params = resolve_params(file, param_overrides);
  Platform platform(file.name, context);

  for (const PlatformComponent& c : file.components) {
    const std::string where = file.location(c.line);
    std::map<std::string, std::string> values;
    for (const auto& [key, raw] : c.values) values[key] = substitute_params(raw, params, where);
    platform.add_component(c.type, c.name, values, where);
  }
  for (const PlatformMapping& m : file.mappings) {
    const std::string where = file.location(m.line);
    platform.map(m.component, m.socket, number(m.base, params, where, "base"),
                 number(m.size, params, where, "size"), where);
  }
  for (const PlatformIrq& i : file.irqs) {
    platform.connect_irq(i.source, i.source_pin, i.sink, i.sink_input, file.location(i.line));
  }
  platform.check();
  return platform;
}

}  // namespace silica

// Turns a parsed platform file into a Platform.
#pragma once

#include <map>
#include <string>

#include "platforms/component.h"
#include "platforms/platform.h"
#include "platforms/platform_file.h"

namespace silica {

// Resolves parameters (defaults overridden by param_overrides, e.g. {"memory",
// "512M"} from -m), creates every component through the ComponentRegistry,
// binds initiators to the bus, maps targets, wires interrupts and runs
// Platform::check(). Every error is a ConfigError naming "<file>:<line>".
// The component types must be registered first (register_builtin_components()
// plus the core's own types).
Platform build_platform(const PlatformFile& file,
                        const std::map<std::string, std::string>& param_overrides,
                        BuildContext& context);

}  // namespace silica

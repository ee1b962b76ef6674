// The platform files built into the binary (generated at build time from
// platforms/*.platform, so the simulator works from any directory).
#pragma once

#include <cstddef>
#include <string_view>

namespace silica::detail {

struct EmbeddedPlatform {
  std::string_view name;  // "virt"
  std::string_view text;
};

extern const EmbeddedPlatform kEmbeddedPlatforms[];
extern const size_t kEmbeddedPlatformCount;

}  // namespace silica::detail

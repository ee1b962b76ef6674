// Reading guest images (firmware, kernels, ELFs, DTBs) from the host.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace silica {

// The whole regular file at `path`. Throws ConfigError naming the file when
// it cannot be opened or read, or is not a regular file.
std::vector<uint8_t> read_whole_file(const std::string& path);

}  // namespace silica

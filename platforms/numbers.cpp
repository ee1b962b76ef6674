#include "platforms/numbers.h"

#include <cctype>

namespace silica {
namespace {

// value = value * factor, false on overflow.
bool scale(uint64_t& value, uint64_t factor) {
  if (value != 0 && factor > UINT64_MAX / value) return false;
  value *= factor;
  return true;
}

std::optional<uint64_t> parse_integer(std::string_view text) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c == '_') continue;
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) {
      digit = static_cast<unsigned>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    } else {
      return std::nullopt;
    }
    if (!scale(value, base) || value > UINT64_MAX - digit) return std::nullopt;
    value += digit;
  }
  return value;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t factor = 1;
  // Binary multipliers K, M, G, T. ('B' is no suffix: it is a hex digit.)
  constexpr std::string_view kSuffixes = "KMGT";
  if (!text.empty()) {
    const auto suffix =
        kSuffixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text.back()))));
    if (suffix != std::string_view::npos) {
      factor = uint64_t{1} << (10 * (suffix + 1));
      text.remove_suffix(1);
    }
  }
  auto value = parse_integer(text);
  if (!value || !scale(*value, factor)) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_hz(std::string_view text) {
  auto ends_with_nocase = [&](std::string_view suffix) {
    if (text.size() < suffix.size()) return false;
    std::string_view tail = text.substr(text.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
    }
    return true;
  };
  uint64_t factor = 1;
  if (ends_with_nocase("ghz")) {
    factor = 1'000'000'000;
  } else if (ends_with_nocase("mhz")) {
    factor = 1'000'000;
  } else if (ends_with_nocase("khz")) {
    factor = 1'000;
  }
  if (factor != 1) {
    text.remove_suffix(3);
  } else if (ends_with_nocase("hz")) {
    text.remove_suffix(2);
  }
  auto value = parse_integer(text);
  if (!value || !scale(*value, factor)) return std::nullopt;
  return value;
}

}  // namespace silica

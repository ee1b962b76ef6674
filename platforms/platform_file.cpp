#include "platforms/platform_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "platforms/builtin_platforms.h"
#include "platforms/component.h"
#include "platforms/numbers.h"

namespace silica {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// "uart0.socket" -> {"uart0", "socket"}; "uart0" -> {"uart0", ""}.
std::pair<std::string, std::string> split_dotted(const std::string& text) {
  auto dot = text.find('.');
  if (dot == std::string::npos) return {text, ""};
  return {text.substr(0, dot), text.substr(dot + 1)};
}

std::string base_name(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const std::string suffix = ".platform";
  if (name.size() > suffix.size() && name.ends_with(suffix))
    name.resize(name.size() - suffix.size());
  return name;
}

// Parses one file, line by line; each statement handler throws with the line.
// Replaces ${name} for the names in `values` only; other references stay for
// the parameter check.
std::string substitute_known(std::string_view text,
                             const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto close = text.compare(i, 2, "${") == 0 ? text.find('}', i + 2) : std::string_view::npos;
    if (close != std::string_view::npos) {
      auto it = values.find(std::string(text.substr(i + 2, close - i - 2)));
      if (it != values.end()) {
        out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

constexpr int64_t kMaxIterations = 4096;

struct Line {
  unsigned number;
  std::string text;  // comment removed, trimmed
};

class Parser {
 public:
  Parser(const std::string& file_name, const std::map<std::string, std::string>& overrides)
      : m_overrides(overrides) {
    m_file.file_name = file_name;
    m_file.name = base_name(file_name);
  }

  PlatformFile parse(std::string_view text) {
    std::vector<Line> lines;
    const std::string_view source = text;
    unsigned line_number = 0;
    while (!text.empty()) {
      ++line_number;
      auto end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      lines.push_back({line_number, std::string(trim(line.substr(0, line.find('#'))))});
    }
    block(lines, 0, lines.size(), {});
    if (m_file.has_loops) m_file.text = source;
    check_references();
    if (m_file.components.empty()) {
      throw ConfigError(m_file.file_name + ": defines no components");
    }
    return std::move(m_file);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(m_file.location(m_line) + ": " + what);
  }
  [[noreturn]] void fail_at(unsigned line, const std::string& what) const {
    throw ConfigError(m_file.location(line) + ": " + what);
  }

  // Runs lines [begin, end) with the loop variables `vars` in scope.
  void block(const std::vector<Line>& lines, size_t begin, size_t end,
             const std::map<std::string, std::string>& vars) {
    for (size_t i = begin; i < end; ++i) {
      m_line = lines[i].number;
      const std::string& text = lines[i].text;
      if (text == "}") fail("'}' without a foreach");
      if (!text.starts_with("foreach") || (text.size() > 7 && !std::isspace(uint8_t(text[7])))) {
        if (!vars.empty() && text.starts_with("param") &&
            (text.size() == 5 || std::isspace(uint8_t(text[5])))) {
          fail("param inside a foreach (parameters are declared once, before use)");
        }
        statement(substitute_known(text, vars));
        continue;
      }
      const size_t close = matching_close(lines, i, end);
      loop(lines, i, close, vars);
      i = close;
    }
  }

  // The line of the '}' closing the foreach at `open`.
  size_t matching_close(const std::vector<Line>& lines, size_t open, size_t end) const {
    unsigned depth = 0;
    for (size_t i = open; i < end; ++i) {
      const std::string& text = lines[i].text;
      if (text.starts_with("foreach") && text.ends_with("{")) ++depth;
      if (text == "}" && --depth == 0) return i;
    }
    fail_at(lines[open].number, "foreach has no closing '}' (a line holding only '}')");
  }

  void loop(const std::vector<Line>& lines, size_t open, size_t close,
            const std::map<std::string, std::string>& vars) {
    m_file.has_loops = true;
    const std::vector<std::string> words = split_words(substitute_known(lines[open].text, vars));
    const auto dots = words.size() == 5 ? words[3].find("..") : std::string::npos;
    if (words.size() != 5 || words[2] != "in" || words[4] != "{" || dots == std::string::npos) {
      fail("malformed foreach (expected: foreach VAR in FIRST..LAST {)");
    }
    const std::string& var = words[1];
    if (!is_identifier(var)) fail("malformed loop variable '" + var + "'");
    if (m_defaults.count(var) != 0 || vars.count(var) != 0) {
      fail("loop variable '" + var + "' hides a parameter or an enclosing loop's variable");
    }
    const int64_t first = bound(words[3].substr(0, dots));
    const int64_t last = bound(words[3].substr(dots + 2));
    if (last >= first && last - first >= kMaxIterations) {
      fail("foreach runs " + std::to_string(last - first + 1) + " times (at most " +
           std::to_string(kMaxIterations) + ")");
    }
    std::map<std::string, std::string> inner = vars;
    for (int64_t i = first; i <= last; ++i) {
      inner[var] = std::to_string(i);
      block(lines, open + 1, close, inner);
    }
  }

  // A range bound: numbers and ${params} joined by + and -.
  int64_t bound(const std::string& raw) const {
    const std::string text = check_value(raw);
    int64_t total = 0;
    size_t i = 0;
    char sign = '+';
    while (true) {
      size_t next = text.find_first_of("+-", i);
      const std::string term =
          text.substr(i, next == std::string::npos ? std::string::npos : next - i);
      auto value = parse_size(term);
      if (!value || *value > uint64_t(kMaxIterations) * 1024) {
        fail("foreach bound '" + raw + "' is not a number or a sum of numbers (e.g. " +
             "0..${harts}-1)");
      }
      total += sign == '+' ? int64_t(*value) : -int64_t(*value);
      if (next == std::string::npos) return total;
      sign = text[next];
      i = next + 1;
    }
  }

  void statement(std::string_view line) {
    line = trim(line);
    if (line.empty()) return;
    const std::string keyword(line.substr(0, line.find_first_of(" \t")));
    const std::string_view rest = trim(line.substr(keyword.size()));
    if (keyword == "param") {
      param(rest);
    } else if (keyword == "component") {
      component(split_words(rest));
    } else if (keyword == "map") {
      mapping(split_words(rest));
    } else if (keyword == "irq") {
      std::string spaced;
      for (size_t i = 0; i < rest.size(); ++i) {
        if (rest.compare(i, 2, "->") == 0) {
          spaced += " -> ";
          ++i;
        } else {
          spaced += rest[i];
        }
      }
      irq(split_words(spaced));
    } else {
      fail("unknown statement '" + keyword + "' (expected param, component, map, irq or foreach)");
    }
  }

  // Validates ${...} references against the parameters declared so far and
  // returns the value with their defaults.
  std::string check_value(const std::string& value) const {
    return substitute_params(value, m_defaults, m_file.location(m_line));
  }

  void param(std::string_view rest) {
    auto equals = rest.find('=');
    if (equals == std::string_view::npos) fail("malformed param (expected: param NAME = VALUE)");
    const std::string name(trim(rest.substr(0, equals)));
    const std::string value(trim(rest.substr(equals + 1)));
    if (!is_identifier(name)) fail("malformed parameter name '" + name + "'");
    if (value.empty() || value.find_first_of(" \t") != std::string::npos) {
      fail("malformed value for parameter '" + name + "' (expected one word)");
    }
    if (const PlatformParam* previous = m_file.find_param(name)) {
      fail("duplicate parameter '" + name + "' (first declared at line " +
           std::to_string(previous->line) + ")");
    }
    auto override = m_overrides.find(name);
    m_defaults[name] = override != m_overrides.end() ? override->second : check_value(value);
    m_file.params.push_back({name, value, m_line});
  }

  void component(const std::vector<std::string>& words) {
    if (words.size() < 2)
      fail("malformed component (expected: component TYPE NAME [key=value...])");
    PlatformComponent component{words[0], words[1], {}, m_line};
    if (!is_identifier(component.type)) fail("malformed component type '" + component.type + "'");
    if (!is_identifier(component.name)) fail("malformed component name '" + component.name + "'");
    if (component.name == "bus") fail("the name 'bus' is reserved for the system bus");
    if (const PlatformComponent* previous = m_file.find_component(component.name)) {
      fail("duplicate component name '" + component.name + "' (first defined at line " +
           std::to_string(previous->line) + ")");
    }
    for (size_t i = 2; i < words.size(); ++i) {
      auto equals = words[i].find('=');
      if (equals == std::string::npos || equals == 0 || equals + 1 == words[i].size()) {
        fail("malformed parameter '" + words[i] + "' for " + component.name +
             " (expected key=value, no spaces)");
      }
      const std::string key = words[i].substr(0, equals);
      if (!is_identifier(key)) fail("malformed parameter name '" + key + "'");
      if (!component.values.emplace(key, words[i].substr(equals + 1)).second) {
        fail("parameter '" + key + "' given twice for " + component.name);
      }
      check_value(words[i].substr(equals + 1));
    }
    m_file.components.push_back(std::move(component));
  }

  void mapping(const std::vector<std::string>& words) {
    if (words.size() != 3) fail("malformed map (expected: map NAME[.SOCKET] BASE SIZE)");
    auto [name, socket] = split_dotted(words[0]);
    if (!is_identifier(name) || (!socket.empty() && !is_identifier(socket))) {
      fail("malformed map target '" + words[0] + "'");
    }
    for (const std::string& number : {words[1], words[2]}) {
      if (!parse_size(check_value(number))) {
        fail("'" + number + "' is not a number (e.g. 0x10000000, 4096, 128M)");
      }
    }
    for (const auto& m : m_file.mappings) {
      if (m.component == name && m.socket == socket) {
        fail("'" + words[0] + "' is already mapped at line " + std::to_string(m.line));
      }
    }
    m_file.mappings.push_back({name, socket, words[1], words[2], m_line});
  }

  void irq(const std::vector<std::string>& words) {
    if (words.size() != 3 || words[1] != "->") {
      fail("malformed irq (expected: irq SOURCE.PIN -> SINK.INPUT)");
    }
    auto [source, pin] = split_dotted(words[0]);
    auto [sink, input] = split_dotted(words[2]);
    for (const auto& [component, port, text] :
         {std::tuple{source, pin, words[0]}, std::tuple{sink, input, words[2]}}) {
      if (!is_identifier(component) || port.empty() || !is_identifier(port)) {
        fail("malformed interrupt endpoint '" + text + "' (expected COMPONENT.PIN)");
      }
    }
    m_file.irqs.push_back({source, pin, sink, input, m_line});
  }

  // Maps and irqs may name components declared further down, so names are
  // resolved once the whole file is read.
  void check_references() const {
    auto check = [this](const std::string& name, unsigned line, const char* statement) {
      if (m_file.find_component(name) != nullptr) return;
      std::vector<std::string> names;
      for (const auto& c : m_file.components) names.push_back(c.name);
      fail_at(line, "unknown component '" + name + "' in " + statement +
                        " (components: " + join(names) + ")");
    };
    for (const auto& m : m_file.mappings) check(m.component, m.line, "map");
    for (const auto& i : m_file.irqs) {
      check(i.source, i.line, "irq");
      check(i.sink, i.line, "irq");
    }
  }

  PlatformFile m_file;
  const std::map<std::string, std::string>& m_overrides;
  std::map<std::string, std::string> m_defaults;  // parameters resolved (defaults or overrides)
  unsigned m_line = 0;
};

}  // namespace

const PlatformParam* PlatformFile::find_param(const std::string& param) const {
  for (const auto& p : params) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

const PlatformComponent* PlatformFile::find_component(const std::string& component) const {
  for (const auto& c : components) {
    if (c.name == component) return &c;
  }
  return nullptr;
}

std::string substitute_params(std::string_view text,
                              const std::map<std::string, std::string>& values,
                              const std::string& where) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw ConfigError(where + ": unterminated '${' in '" + std::string(text) + "'");
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    auto it = values.find(name);
    if (it == values.end()) {
      std::vector<std::string> names;
      names.reserve(values.size());
      for (const auto& [key, value] : values) names.push_back(key);
      throw ConfigError(where + ": unknown parameter '${" + name + "}'" +
                        (names.empty() ? std::string(" (no parameters declared before)")
                                       : " (declared: " + join(names) + ")"));
    }
    out += it->second;
    i = close + 1;
  }
  return out;
}

PlatformFile parse_platform(std::string_view text, const std::string& file_name,
                            const std::map<std::string, std::string>& overrides) {
  return Parser(file_name, overrides).parse(text);
}

PlatformFile read_platform_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open platform file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read platform file");
  return parse_platform(text.str(), path);
}

bool is_platform_path(const std::string& name_or_path) {
  return name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".platform");
}

PlatformFile find_platform(const std::string& name_or_path) {
  if (is_platform_path(name_or_path)) {
    return read_platform_file(name_or_path);
  }
  for (size_t i = 0; i < detail::kEmbeddedPlatformCount; ++i) {
    const auto& embedded = detail::kEmbeddedPlatforms[i];
    if (embedded.name == name_or_path) {
      return parse_platform(embedded.text, name_or_path + ".platform");
    }
  }
  throw ConfigError("unknown platform '" + name_or_path + "' (built-in: " +
                    join(builtin_platform_names()) + "; or give a path to a .platform file)");
}

std::vector<std::string> builtin_platform_names() {
  std::vector<std::string> names;
  for (size_t i = 0; i < detail::kEmbeddedPlatformCount; ++i) {
    names.emplace_back(detail::kEmbeddedPlatforms[i].name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_identifier(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace silica

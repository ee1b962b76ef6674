// Platform description files: which components a machine has, where they sit
// on the bus and how their interrupts are wired. One statement per line; '#'
// starts a comment; words are separated by blanks:
//
//   param NAME = VALUE               a default, overridable at build time (-m => memory);
//                                    VALUE is one word and may use earlier ${params}
//   component TYPE NAME [KEY=VALUE]  TYPE from the ComponentRegistry; NAME a C identifier
//                                    ("bus" is reserved); no blanks around '='
//   map NAME[.SOCKET] BASE SIZE      puts a target socket on the system bus
//   irq SOURCE.PIN -> SINK.INPUT     a level-sensitive interrupt wire
//   foreach VAR in FIRST..LAST {     repeats the lines up to a line holding only
//   ...                              '}' for VAR = FIRST..LAST (inclusive; none
//   }                                when LAST < FIRST), ${VAR} replaced in them;
//                                    bounds are numbers or ${params} joined by
//                                    + and -, e.g. 0..${harts}-1. May nest.
//
// ${param} is substituted in component values, map bases and sizes. Numbers
// are decimal or 0x hex, '_' allowed, with optional K/M/G/T binary suffixes.
// Initiator sockets are bound to the bus automatically. maps and irqs may name
// components declared further down. Errors name "<file>:<line>".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace silica {

struct PlatformParam {
  std::string name;
  std::string value;  // default, may reference earlier parameters
  unsigned line = 0;
};

struct PlatformComponent {
  std::string type;
  std::string name;
  std::map<std::string, std::string> values;  // raw: ${param} not yet substituted
  unsigned line = 0;
};

struct PlatformMapping {
  std::string component;
  std::string socket;  // "" = the component's default target socket
  std::string base;    // raw expressions, substituted and parsed by the builder
  std::string size;
  unsigned line = 0;
};

struct PlatformIrq {
  std::string source;  // component driving the line
  std::string source_pin;
  std::string sink;  // component receiving it
  std::string sink_input;
  unsigned line = 0;
};

struct PlatformFile {
  std::string file_name;  // as shown in messages: "virt.platform", or the path given
  std::string name;       // "virt"
  // The source, kept when it has foreach loops: their ranges depend on
  // parameters, so the builder expands them again with its overrides.
  std::string text;
  bool has_loops = false;
  std::vector<PlatformParam> params;
  std::vector<PlatformComponent> components;
  std::vector<PlatformMapping> mappings;
  std::vector<PlatformIrq> irqs;

  std::string location(unsigned line) const { return file_name + ":" + std::to_string(line); }
  const PlatformParam* find_param(const std::string& param) const;
  const PlatformComponent* find_component(const std::string& component) const;
};

// Parses platform text; file_name is used in messages. Checks syntax, names,
// duplicates and references; component types are checked by the builder.
// foreach ranges use the parameters' defaults, replaced by `overrides`.
PlatformFile parse_platform(std::string_view text, const std::string& file_name,
                            const std::map<std::string, std::string>& overrides = {});

// Names in platform files: a letter or '_', then letters, digits and '_'.
bool is_identifier(std::string_view text);

// Reads a platform file from disk.
PlatformFile read_platform_file(const std::string& path);

// "virt" finds the platform built into the binary; a name containing '/' or
// ending in ".platform" (is_platform_path) is read from disk.
PlatformFile find_platform(const std::string& name_or_path);
bool is_platform_path(const std::string& name_or_path);

// Names of the platforms built into the binary, sorted.
std::vector<std::string> builtin_platform_names();

// Replaces every ${name} with values[name]; throws ConfigError prefixed with
// `where` when a name is unknown or a reference is unterminated.
std::string substitute_params(std::string_view text,
                              const std::map<std::string, std::string>& values,
                              const std::string& where);

}  // namespace silica

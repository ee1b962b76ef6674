// A built machine: its components, the system bus and how they are wired.
//
// Platform owns every model. It is filled by build_platform() from a platform
// file; the runner may then add components (e.g. HTIF for an ELF that defines
// tohost) before elaboration, and calls check() once it is done.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "interconnect/router.h"
#include "platforms/component.h"

namespace silica {

class Platform {
 public:
  struct Entry {
    std::string name;
    std::string type;
    std::string origin;  // where it was declared, for messages: "virt.platform:7"
    std::unique_ptr<Component> component;
    // Its parameters with ${params} substituted: the device tree reads them.
    std::map<std::string, std::string> values;
  };
  struct Mapping {
    size_t component;    // index into components()
    std::string socket;  // "" = default target socket
    uint64_t base;
    uint64_t size;
    std::string origin;
  };
  struct IrqWire {
    size_t source;
    std::string pin;
    size_t sink;
    std::string input;
    std::string origin;
  };

  // `name` appears in dumps; `context` is copied and handed to every factory.
  Platform(std::string name, const BuildContext& context);
  ~Platform();
  Platform(Platform&&) noexcept;
  Platform& operator=(Platform&&) noexcept;

  const std::string& name() const;
  Router& router();
  const Router& router() const;

  // Components in creation order.
  const std::vector<Entry>& components() const;
  // nullptr when no component has that name.
  Component* component(std::string_view name) const;
  // Every CpuComponent, in creation order.
  std::vector<CpuComponent*> cpus() const;
  const std::vector<Mapping>& mappings() const;
  const std::vector<IrqWire>& irqs() const;

  // Creates a component through the ComponentRegistry and binds its default
  // initiator socket (if any) to the bus. `origin` prefixes error messages
  // ("virt.platform:7", "prog.elf"). Only before elaboration. Throws
  // ConfigError on an unknown type, a duplicate or malformed name, or a
  // parameter the factory did not use.
  Component& add_component(const std::string& type, const std::string& name,
                           const std::map<std::string, std::string>& values,
                           const std::string& origin = "");
  // Maps a component's target socket ("" = default) at [base, base+size).
  void map(const std::string& component, const std::string& socket, uint64_t base, uint64_t size,
           const std::string& origin = "");
  // Wires output `pin` of `source` to input `input` of `sink`.
  void connect_irq(const std::string& source, const std::string& pin, const std::string& sink,
                   const std::string& input, const std::string& origin = "");

  // Whole-platform checks: every target component is mapped and every
  // initiator reaches a memory through the bus. Throws ConfigError.
  void check() const;
  // GraphViz description of the components and their connections.
  std::string to_dot() const;
  // Human-readable dump: components and the bus address map.
  std::string describe() const;
  // Machine reset: resets every component, in creation order.
  void reset();

 private:
  struct State;
  const Entry& entry(const std::string& name, const std::string& origin) const;
  size_t index_of(const std::string& name) const;
  std::unique_ptr<State> m_state;  // stable address for models across moves
};

}  // namespace silica

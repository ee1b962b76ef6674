// The flattened device tree (DTB) a platform hands its guest in a1, built with
// libfdt in the shape QEMU's `virt` machine produces: /cpus with one cpu@N and
// its interrupt controller per hart, /memory@BASE, /soc with the devices, the
// finisher's poweroff/reboot syscon nodes, and /chosen.
//
// Nobody here knows every device. Each component *type* has an entry in the
// table in device_tree_nodes.cpp: a function that adds the component's nodes
// (DtNode helps with names, reg and interrupts), and, for interrupt
// controllers, how an input of theirs is named in an interrupt specifier.
// Interrupt properties come from the platform's `irq` wires: a device wired to
// plic.irq10 gets interrupt-parent = <&plic> and interrupts = <10>. Types
// without an entry (the reset ROM, HTIF) add nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platforms/platform.h"

namespace silica {

// A tree under construction. Nodes are named by path ("/soc/serial@10000000"):
// libfdt offsets move whenever a node or property is inserted before them.
class DeviceTree {
 public:
  DeviceTree();
  // "/cpus", "/soc" and "/chosen" exist from the start, as on QEMU's virt.
  static constexpr const char* kCpus = "/cpus";
  static constexpr const char* kSoc = "/soc";
  static constexpr const char* kChosen = "/chosen";
  // Adds a child node (or finds the existing one) and returns its path.
  std::string node(const std::string& parent, const std::string& name);
  // "name@hex", as device tree unit addresses are written.
  std::string node_at(const std::string& parent, const std::string& name, uint64_t unit_address);
  bool has_property(const std::string& node, const char* name) const;
  void set_string(const std::string& node, const char* name, const std::string& value);
  void set_strings(const std::string& node, const char* name,
                   const std::vector<std::string>& values);
  void set_u32(const std::string& node, const char* name, uint32_t value);
  void set_cells(const std::string& node, const char* name, const std::vector<uint32_t>& cells);
  void set_empty(const std::string& node, const char* name);
  // reg = <base size> with two address and two size cells (root and /soc).
  void set_reg(const std::string& node, uint64_t base, uint64_t size);
  // The phandle of `key` (a component name, or "hart0/intc"), allocated on
  // first use so references may come before the node that defines it.
  uint32_t phandle(const std::string& key);
  // Gives `node` the phandle of `key`.
  void define_phandle(const std::string& node, const std::string& key);
  // Harts register their cpu node for /cpus/cpu-map, in order.
  void add_cpu(const std::string& key) { m_cpus.push_back(key); }
  // Adds cpu-map, checks every referenced phandle has a node, packs.
  std::vector<uint8_t> finish();

 private:
  int path_offset(const std::string& node) const;
  void set_raw(const std::string& node, const char* name, const void* data, size_t size);

  std::vector<uint8_t> m_blob;
  std::map<std::string, uint32_t> m_phandles;
  std::map<std::string, std::string> m_defined;  // phandle key -> node path
  std::vector<std::string> m_cpus;
};

// One interrupt as a specifier: the controller's phandle and its cells.
struct DtInterrupt {
  uint32_t phandle = 0;
  std::vector<uint32_t> cells;
};

class DtNode;

// How one component type appears in the tree.
struct DtDescription {
  // Adds the component's nodes.
  std::function<void(DtNode&)> describe;
  // For interrupt controllers: the specifier for input `input` of the
  // component (nullopt: that input cannot be described).
  std::function<std::optional<DtInterrupt>(DtNode&, std::string_view input)> interrupt;
  // Parameters the description reads that the model may ignore (a hart's
  // mmu=): the builder does not reject them as typos.
  std::vector<std::string> parameters;
};

// What a description sees of its component and of the tree.
class DtNode {
 public:
  DtNode(const Platform& platform, size_t index, DeviceTree& tree);
  DeviceTree& tree() { return m_tree; }
  const std::string& name() const;
  const std::string& type() const;
  // A parameter from the platform file (substituted), or the fallback.
  std::string value(const std::string& key, const std::string& fallback) const;
  uint64_t number(const std::string& key, uint64_t fallback) const;
  // The component's bus mapping (the default socket's, else the first one).
  // Throws when the component is not mapped.
  const Platform::Mapping& mapping() const;
  // Adds "name@base" under /soc with reg = <base size>; returns its path.
  std::string add_soc_node(const std::string& node_name);
  // The specifier of the wire leaving output `pin`; nullopt when the pin is
  // not wired or its sink cannot be described.
  std::optional<DtInterrupt> interrupt_of(const std::string& pin);
  // The specifier for input `input` of component `sink` (by its type's entry).
  std::optional<DtInterrupt> interrupt_into(const std::string& sink, std::string_view input);
  // The component that output `pin` is wired to, or "".
  std::string sink_of(const std::string& pin) const;
  // interrupts for these pins: interrupt-parent + interrupts when they share
  // one controller, interrupts-extended otherwise; nothing when none is wired.
  void set_interrupts(const std::string& node, const std::vector<std::string>& pins);
  // interrupts-extended from specifiers, in order (CLINT, PLIC contexts).
  void set_interrupts_extended(const std::string& node, const std::vector<DtInterrupt>& specifiers);
  [[noreturn]] void fail(const std::string& what) const;

 private:
  const Platform& m_platform;
  size_t m_index;
  DeviceTree& m_tree;
};

// The table, keyed by component type (device_tree_nodes.cpp).
const std::map<std::string, DtDescription>& device_tree_descriptions();
// The description-only parameters of `type` (empty for unknown types).
std::vector<std::string> device_tree_parameters(const std::string& type);

// Builds the DTB for a platform: every component, in creation order, through
// its type's description. Throws ConfigError naming the component at fault.
std::vector<uint8_t> build_device_tree(const Platform& platform);

// Checks a user DTB (--dtb FILE): header, version, size against the file.
// Throws ConfigError "<file>: ..." when it is not a usable DTB.
void check_device_tree(const std::vector<uint8_t>& blob, const std::string& file);

// Sets /chosen bootargs and linux,initrd-start/end (each when given) in a
// DTB, creating /chosen if needed; the blob grows as needed.
struct ChosenSettings {
  std::optional<std::string> bootargs;
  std::optional<std::pair<uint64_t, uint64_t>> initrd;  // [start, end)
};
void set_chosen(std::vector<uint8_t>& blob, const ChosenSettings& chosen);

}  // namespace silica

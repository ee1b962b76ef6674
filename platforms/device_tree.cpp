#include "platforms/device_tree.h"

extern "C" {
#include <libfdt.h>
}

#include <algorithm>
#include <cstdio>

#include "platforms/numbers.h"

namespace silica {
namespace {

constexpr size_t kInitialSize = 16 * 1024;

std::string fdt_error(int error) {
  return fdt_strerror(error);
}

// Grows `blob` (a valid tree) by at least `extra` bytes of free space.
void grow(std::vector<uint8_t>& blob, size_t extra) {
  std::vector<uint8_t> bigger(blob.size() + std::max(extra, blob.size()));
  const int error = fdt_open_into(blob.data(), bigger.data(), static_cast<int>(bigger.size()));
  if (error != 0) throw ConfigError("device tree: cannot grow the tree: " + fdt_error(error));
  blob = std::move(bigger);
}

// Runs a libfdt write on `blob`, growing it while libfdt says it is full.
template <typename Write>
void write_growing(std::vector<uint8_t>& blob, const std::string& what, Write&& write) {
  for (;;) {
    const int result = write(blob.data());
    if (result >= 0) return;
    if (result != -FDT_ERR_NOSPACE) {
      throw ConfigError("device tree: " + what + ": " + fdt_error(result));
    }
    grow(blob, 4096);
  }
}

std::vector<uint8_t> big_endian_cells(const std::vector<uint32_t>& cells) {
  std::vector<uint8_t> bytes;
  bytes.reserve(cells.size() * 4);
  for (uint32_t cell : cells) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(uint8_t(cell >> shift));
  }
  return bytes;
}

}  // namespace

DeviceTree::DeviceTree() : m_blob(kInitialSize) {
  const int error = fdt_create_empty_tree(m_blob.data(), static_cast<int>(m_blob.size()));
  if (error != 0) throw ConfigError("device tree: cannot create a tree: " + fdt_error(error));
  set_u32("/", "#address-cells", 2);
  set_u32("/", "#size-cells", 2);
  set_string("/", "compatible", "riscv-virtio");
  set_string("/", "model", "riscv-virtio,qemu");
  node("/", "chosen");
  node("/", "cpus");
  set_u32(kCpus, "#address-cells", 1);
  set_u32(kCpus, "#size-cells", 0);
  node("/", "soc");
  set_u32(kSoc, "#address-cells", 2);
  set_u32(kSoc, "#size-cells", 2);
  set_string(kSoc, "compatible", "simple-bus");
  set_empty(kSoc, "ranges");
}

int DeviceTree::path_offset(const std::string& node) const {
  const int offset = fdt_path_offset(m_blob.data(), node.c_str());
  if (offset < 0) throw ConfigError("device tree: no node " + node + ": " + fdt_error(offset));
  return offset;
}

std::string DeviceTree::node(const std::string& parent, const std::string& name) {
  const std::string path = (parent == "/" ? "" : parent) + "/" + name;
  if (fdt_path_offset(m_blob.data(), path.c_str()) >= 0) return path;
  write_growing(m_blob, "adding " + path,
                [&](void* fdt) { return fdt_add_subnode(fdt, path_offset(parent), name.c_str()); });
  return path;
}

std::string DeviceTree::node_at(const std::string& parent, const std::string& name,
                                uint64_t unit_address) {
  char text[32];
  std::snprintf(text, sizeof text, "@%llx", static_cast<unsigned long long>(unit_address));
  return node(parent, name + text);
}

bool DeviceTree::has_property(const std::string& node, const char* name) const {
  return fdt_getprop(m_blob.data(), path_offset(node), name, nullptr) != nullptr;
}

void DeviceTree::set_raw(const std::string& node, const char* name, const void* data, size_t size) {
  write_growing(m_blob, node + " " + name, [&](void* fdt) {
    return fdt_setprop(fdt, path_offset(node), name, data, static_cast<int>(size));
  });
}

void DeviceTree::set_string(const std::string& node, const char* name, const std::string& value) {
  set_raw(node, name, value.c_str(), value.size() + 1);
}

void DeviceTree::set_strings(const std::string& node, const char* name,
                             const std::vector<std::string>& values) {
  std::string list;
  for (const std::string& value : values) list.append(value).push_back('\0');
  set_raw(node, name, list.data(), list.size());
}

void DeviceTree::set_u32(const std::string& node, const char* name, uint32_t value) {
  set_cells(node, name, {value});
}

void DeviceTree::set_cells(const std::string& node, const char* name,
                           const std::vector<uint32_t>& cells) {
  const std::vector<uint8_t> bytes = big_endian_cells(cells);
  set_raw(node, name, bytes.data(), bytes.size());
}

void DeviceTree::set_empty(const std::string& node, const char* name) {
  set_raw(node, name, nullptr, 0);
}

void DeviceTree::set_reg(const std::string& node, uint64_t base, uint64_t size) {
  set_cells(node, "reg",
            {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)});
}

uint32_t DeviceTree::phandle(const std::string& key) {
  auto [it, inserted] = m_phandles.emplace(key, uint32_t(m_phandles.size() + 1));
  return it->second;
}

void DeviceTree::define_phandle(const std::string& node, const std::string& key) {
  auto [it, inserted] = m_defined.emplace(key, node);
  if (!inserted) {
    throw ConfigError("device tree: two nodes claim the phandle of '" + key + "' (" + it->second +
                      ", " + node + ")");
  }
  set_u32(node, "phandle", phandle(key));
}

std::vector<uint8_t> DeviceTree::finish() {
  if (!m_cpus.empty()) {
    const std::string cluster = node(node(kCpus, "cpu-map"), "cluster0");
    for (size_t i = 0; i < m_cpus.size(); ++i) {
      set_u32(node(cluster, "core" + std::to_string(i)), "cpu", phandle(m_cpus[i]));
    }
  }
  for (const auto& [key, value] : m_phandles) {
    if (m_defined.count(key) == 0) {
      throw ConfigError("device tree: '" + key +
                        "' is referenced (an interrupt or cpu) but no node describes it");
    }
  }
  std::vector<uint8_t> blob = m_blob;
  fdt_pack(blob.data());
  blob.resize(fdt_totalsize(blob.data()));
  return blob;
}

DtNode::DtNode(const Platform& platform, size_t index, DeviceTree& tree)
    : m_platform(platform), m_index(index), m_tree(tree) {}

const std::string& DtNode::name() const {
  return m_platform.components()[m_index].name;
}

const std::string& DtNode::type() const {
  return m_platform.components()[m_index].type;
}

std::string DtNode::value(const std::string& key, const std::string& fallback) const {
  const auto& values = m_platform.components()[m_index].values;
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

uint64_t DtNode::number(const std::string& key, uint64_t fallback) const {
  const auto& values = m_platform.components()[m_index].values;
  auto it = values.find(key);
  if (it == values.end()) return fallback;
  auto parsed = parse_size(it->second);
  if (!parsed) fail("parameter '" + key + "': '" + it->second + "' is not a number");
  return *parsed;
}

const Platform::Mapping& DtNode::mapping() const {
  const Platform::Mapping* found = nullptr;
  for (const Platform::Mapping& m : m_platform.mappings()) {
    if (m.component != m_index) continue;
    if (m.socket.empty() || m.socket == "socket") return m;
    if (found == nullptr) found = &m;
  }
  if (found == nullptr) fail("is not mapped on the bus, so the device tree cannot place it");
  return *found;
}

std::string DtNode::add_soc_node(const std::string& node_name) {
  const Platform::Mapping& m = mapping();
  const std::string path = m_tree.node_at(DeviceTree::kSoc, node_name, m.base);
  m_tree.set_reg(path, m.base, m.size);
  return path;
}

std::string DtNode::sink_of(const std::string& pin) const {
  for (const Platform::IrqWire& w : m_platform.irqs()) {
    if (w.source == m_index && w.pin == pin) return m_platform.components()[w.sink].name;
  }
  return "";
}

std::optional<DtInterrupt> DtNode::interrupt_into(const std::string& sink, std::string_view input) {
  const auto& components = m_platform.components();
  for (size_t i = 0; i < components.size(); ++i) {
    if (components[i].name != sink) continue;
    const auto& table = device_tree_descriptions();
    auto it = table.find(components[i].type);
    if (it == table.end() || !it->second.interrupt) return std::nullopt;
    DtNode controller(m_platform, i, m_tree);
    return it->second.interrupt(controller, input);
  }
  return std::nullopt;
}

std::optional<DtInterrupt> DtNode::interrupt_of(const std::string& pin) {
  for (const Platform::IrqWire& w : m_platform.irqs()) {
    if (w.source == m_index && w.pin == pin) {
      return interrupt_into(m_platform.components()[w.sink].name, w.input);
    }
  }
  return std::nullopt;
}

void DtNode::set_interrupts(const std::string& node, const std::vector<std::string>& pins) {
  std::vector<DtInterrupt> specifiers;
  for (const std::string& pin : pins) {
    if (auto s = interrupt_of(pin)) specifiers.push_back(*s);
  }
  if (specifiers.empty()) return;
  const bool one_parent =
      std::all_of(specifiers.begin(), specifiers.end(),
                  [&](const DtInterrupt& s) { return s.phandle == specifiers[0].phandle; });
  if (!one_parent) {
    set_interrupts_extended(node, specifiers);
    return;
  }
  std::vector<uint32_t> cells;
  for (const DtInterrupt& s : specifiers) cells.insert(cells.end(), s.cells.begin(), s.cells.end());
  m_tree.set_cells(node, "interrupts", cells);
  m_tree.set_u32(node, "interrupt-parent", specifiers[0].phandle);
}

void DtNode::set_interrupts_extended(const std::string& node,
                                     const std::vector<DtInterrupt>& specifiers) {
  if (specifiers.empty()) return;
  std::vector<uint32_t> cells;
  for (const DtInterrupt& s : specifiers) {
    cells.push_back(s.phandle);
    cells.insert(cells.end(), s.cells.begin(), s.cells.end());
  }
  m_tree.set_cells(node, "interrupts-extended", cells);
}

void DtNode::fail(const std::string& what) const {
  const Platform::Entry& entry = m_platform.components()[m_index];
  throw ConfigError((entry.origin.empty() ? "" : entry.origin + ": ") + entry.name + ": " + what);
}

std::vector<std::string> device_tree_parameters(const std::string& type) {
  const auto& table = device_tree_descriptions();
  auto it = table.find(type);
  return it == table.end() ? std::vector<std::string>{} : it->second.parameters;
}

std::vector<uint8_t> build_device_tree(const Platform& platform) {
  DeviceTree tree;
  const auto& table = device_tree_descriptions();
  for (size_t i = 0; i < platform.components().size(); ++i) {
    auto it = table.find(platform.components()[i].type);
    if (it == table.end() || !it->second.describe) continue;
    DtNode node(platform, i, tree);
    it->second.describe(node);
  }
  return tree.finish();
}

void check_device_tree(const std::vector<uint8_t>& blob, const std::string& file) {
  if (blob.size() < sizeof(fdt_header)) {
    throw ConfigError(file + ": not a device tree blob (" + std::to_string(blob.size()) +
                      " bytes, shorter than a DTB header)");
  }
  const int error = fdt_check_header(blob.data());
  if (error != 0) throw ConfigError(file + ": not a usable device tree blob: " + fdt_error(error));
  if (fdt_totalsize(blob.data()) > blob.size()) {
    throw ConfigError(file + ": truncated device tree blob (header says " +
                      std::to_string(fdt_totalsize(blob.data())) + " bytes, the file has " +
                      std::to_string(blob.size()) + ")");
  }
}

void set_chosen(std::vector<uint8_t>& blob, const ChosenSettings& chosen) {
  // Room for the new properties, then work in place.
  grow(blob, 4096 + (chosen.bootargs ? chosen.bootargs->size() : 0));
  int node = fdt_path_offset(blob.data(), "/chosen");
  if (node < 0) {
    write_growing(blob, "adding /chosen", [&](void* fdt) {
      node = fdt_add_subnode(fdt, 0, "chosen");
      return node;
    });
  }
  auto chosen_offset = [&] { return fdt_path_offset(blob.data(), "/chosen"); };
  if (chosen.bootargs) {
    write_growing(blob, "/chosen bootargs", [&](void* fdt) {
      return fdt_setprop_string(fdt, chosen_offset(), "bootargs", chosen.bootargs->c_str());
    });
  }
  if (chosen.initrd) {
    write_growing(blob, "/chosen linux,initrd-start", [&](void* fdt) {
      return fdt_setprop_u64(fdt, chosen_offset(), "linux,initrd-start", chosen.initrd->first);
    });
    write_growing(blob, "/chosen linux,initrd-end", [&](void* fdt) {
      return fdt_setprop_u64(fdt, chosen_offset(), "linux,initrd-end", chosen.initrd->second);
    });
  }
  fdt_pack(blob.data());
  blob.resize(fdt_totalsize(blob.data()));
}

}  // namespace silica

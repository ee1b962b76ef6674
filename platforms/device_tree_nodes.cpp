// How each component type appears in the device tree: one entry per type,
// names and properties as QEMU's `virt` machine writes them (so guests' and
// firmware's drivers find what they expect). A new device type adds its entry
// here; see device_tree.h for the helpers.
#include <algorithm>
#include <cctype>

#include "platforms/device_tree.h"

namespace silica {
namespace {

constexpr uint32_t kUartClockHz = 3686400;  // QEMU's virt: the 16550's input clock
constexpr uint32_t kDefaultTimebaseHz = 10'000'000;

// The hart's local interrupt controller: mip bit numbers by input name.
std::optional<DtInterrupt> hart_interrupt(DtNode& hart, std::string_view input) {
  static const std::map<std::string_view, uint32_t> kCauses = {{"ssi", 1}, {"msi", 3}, {"sti", 5},
                                                               {"mti", 7}, {"sei", 9}, {"mei", 11}};
  auto it = kCauses.find(input);
  if (it == kCauses.end()) return std::nullopt;
  return DtInterrupt{hart.tree().phandle(hart.name() + "/intc"), {it->second}};
}

// mmu= on a hart: the widest translation mode it implements.
std::string mmu_type(DtNode& hart, const std::string& isa) {
  std::string mmu = hart.value("mmu", "");
  if (mmu.empty() || mmu == "none" || mmu == "bare") return "";
  const bool rv32 = isa.starts_with("rv32");
  static const std::vector<std::string> kRv64 = {"sv39", "sv48", "sv57"};
  if (rv32 ? mmu != "sv32" : std::find(kRv64.begin(), kRv64.end(), mmu) == kRv64.end()) {
    hart.fail("parameter 'mmu': '" + mmu + "' is not a translation mode of an rv" +
              (rv32 ? "32 hart (sv32 or none)" : "64 hart (sv39, sv48, sv57 or none)"));
  }
  return "riscv," + mmu;
}

void describe_hart(DtNode& hart) {
  DeviceTree& tree = hart.tree();
  std::string isa = hart.value("isa", "rv64imac_zicsr_zifencei");  // the factory's default
  std::transform(isa.begin(), isa.end(), isa.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  const uint64_t hartid = hart.number("hartid", 0);
  if (hartid > 0xffffffffu) hart.fail("hartid does not fit a device tree cell");
  const uint64_t timebase = hart.number("timebase", kDefaultTimebaseHz);
  // One value for all harts (Linux reads it from /cpus); virt's harts agree.
  tree.set_u32(DeviceTree::kCpus, "timebase-frequency", uint32_t(timebase));
  const std::string cpu = tree.node_at(DeviceTree::kCpus, "cpu", hartid);
  tree.define_phandle(cpu, hart.name());
  tree.set_string(cpu, "device_type", "cpu");
  tree.set_u32(cpu, "reg", uint32_t(hartid));
  tree.set_string(cpu, "status", "okay");
  tree.set_string(cpu, "compatible", "riscv");
  tree.set_string(cpu, "riscv,isa", isa);
  if (const std::string mmu = mmu_type(hart, isa); !mmu.empty()) {
    tree.set_string(cpu, "mmu-type", mmu);
  }
  const std::string intc = tree.node(cpu, "interrupt-controller");
  tree.set_u32(intc, "#interrupt-cells", 1);
  tree.set_empty(intc, "interrupt-controller");
  tree.set_string(intc, "compatible", "riscv,cpu-intc");
  tree.define_phandle(intc, hart.name() + "/intc");
  tree.add_cpu(hart.name());
}

void describe_memory(DtNode& ram) {
  const Platform::Mapping& m = ram.mapping();
  const std::string node = ram.tree().node_at("/", "memory", m.base);
  ram.tree().set_string(node, "device_type", "memory");
  ram.tree().set_reg(node, m.base, m.size);
}

void describe_uart(DtNode& uart) {
  DeviceTree& tree = uart.tree();
  const std::string node = uart.add_soc_node("serial");
  tree.set_string(node, "compatible", "ns16550a");
  tree.set_u32(node, "clock-frequency", kUartClockHz);
  uart.set_interrupts(node, {"irq"});
  // The first UART is the console, as QEMU's virt says.
  if (!tree.has_property(DeviceTree::kChosen, "stdout-path")) {
    tree.set_string(DeviceTree::kChosen, "stdout-path", node);
  }
}

// msip and mtip of every hart, in hart order: interrupts-extended.
void describe_clint(DtNode& clint) {
  const std::string node = clint.add_soc_node("clint");
  clint.tree().set_strings(node, "compatible", {"sifive,clint0", "riscv,clint0"});
  std::vector<DtInterrupt> specifiers;
  for (uint64_t h = 0, harts = clint.number("harts", 1); h < harts; ++h) {
    for (const char* pin : {"msip", "mtip"}) {
      if (auto s = clint.interrupt_of(pin + std::to_string(h))) specifiers.push_back(*s);
    }
  }
  clint.set_interrupts_extended(node, specifiers);
}

// Contexts in the model's order (hart h: M-mode context 2h, S-mode 2h+1);
// Linux and OpenSBI take a context's number from its position in
// interrupts-extended, so the list stops before the first context that cannot
// be described (an unwired M-mode output). An S-mode context whose wire is
// missing (a hart without an sei input) is still described, on the hart its
// M-mode context is wired to.
void describe_plic(DtNode& plic) {
  DeviceTree& tree = plic.tree();
  const std::string node = plic.add_soc_node("plic");
  tree.define_phandle(node, plic.name());
  tree.set_u32(node, "#address-cells", 0);
  tree.set_u32(node, "#interrupt-cells", 1);
  tree.set_empty(node, "interrupt-controller");
  tree.set_strings(node, "compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  // `sources` counts the absent source 0: ids 1..sources-1 exist. (QEMU
  // writes its source count here, one more than the highest id; silica's
  // PLIC faults on the registers of a source it does not have.)
  tree.set_u32(node, "riscv,ndev", uint32_t(plic.number("sources", 96) - 1));
  std::vector<DtInterrupt> specifiers;
  for (uint64_t h = 0, harts = plic.number("harts", 1); h < harts; ++h) {
    const std::string m_pin = "meip" + std::to_string(h);
    const std::string s_pin = "seip" + std::to_string(h);
    std::optional<DtInterrupt> m_context = plic.interrupt_of(m_pin);
    std::optional<DtInterrupt> s_context = plic.interrupt_of(s_pin);
    if (!s_context && plic.sink_of(s_pin).empty() && !plic.sink_of(m_pin).empty()) {
      s_context = plic.interrupt_into(plic.sink_of(m_pin), "sei");
    }
    if (!m_context || !s_context) break;
    specifiers.push_back(*m_context);
    specifiers.push_back(*s_context);
  }
  plic.set_interrupts_extended(node, specifiers);
}

std::optional<DtInterrupt> plic_interrupt(DtNode& plic, std::string_view input) {
  if (!input.starts_with("irq")) return std::nullopt;
  uint32_t source = 0;
  for (char c : input.substr(3)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    source = source * 10 + uint32_t(c - '0');
  }
  return DtInterrupt{plic.tree().phandle(plic.name()), {source}};
}

void describe_rtc(DtNode& rtc) {
  const std::string node = rtc.add_soc_node("rtc");
  rtc.tree().set_string(node, "compatible", "google,goldfish-rtc");
  rtc.set_interrupts(node, {"irq"});
}

// The finisher is also the syscon that poweroff and reboot write (OpenSBI's
// and Linux's reset drivers find it this way).
void describe_finisher(DtNode& test) {
  DeviceTree& tree = test.tree();
  const std::string node = test.add_soc_node("test");
  tree.set_strings(node, "compatible", {"sifive,test1", "sifive,test0", "syscon"});
  tree.define_phandle(node, test.name());
  const struct {
    const char* name;
    const char* compatible;
    uint32_t value;
  } actions[] = {{"poweroff", "syscon-poweroff", 0x5555}, {"reboot", "syscon-reboot", 0x7777}};
  for (const auto& action : actions) {
    // Several finishers would need distinct names; virt has one.
    const std::string path = tree.node("/", action.name);
    tree.set_string(path, "compatible", action.compatible);
    tree.set_u32(path, "regmap", tree.phandle(test.name()));
    tree.set_u32(path, "offset", 0);
    tree.set_u32(path, "value", action.value);
  }
}

void describe_virtio_mmio(DtNode& virtio) {
  const std::string node = virtio.add_soc_node("virtio_mmio");
  virtio.tree().set_string(node, "compatible", "virtio,mmio");
  virtio.set_interrupts(node, {"irq"});
}

}  // namespace

const std::map<std::string, DtDescription>& device_tree_descriptions() {
  static const std::map<std::string, DtDescription> table = {
      {"riscv_hart", {describe_hart, hart_interrupt, {"mmu"}}},
      {"memory", {describe_memory, nullptr, {}}},
      {"uart16550", {describe_uart, nullptr, {}}},
      {"clint", {describe_clint, nullptr, {}}},
      {"plic", {describe_plic, plic_interrupt, {}}},
      {"goldfish_rtc", {describe_rtc, nullptr, {}}},
      {"sifive_test", {describe_finisher, nullptr, {}}},
      {"virtio_mmio", {describe_virtio_mmio, nullptr, {}}},
  };
  return table;
}

}  // namespace silica

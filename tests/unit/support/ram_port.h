// A hart's memory for engine tests without a platform: one RAM array at
// RamPort::kBase; every other address fails, so accesses there fault.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "cores/engine/memory_port.h"

namespace silica::test {

class RamPort : public MemoryPort {
 public:
  static constexpr uint64_t kBase = 0x80000000;

  std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024);
  unsigned bus_reads = 0;  // reads that took the bus, not DMI

  bool in_ram(uint64_t addr, unsigned len) const {
    return addr >= kBase && addr - kBase <= ram.size() && len <= ram.size() - (addr - kBase);
  }
  bool bus_read(uint64_t addr, void* data, unsigned len) override {
    ++bus_reads;
    if (!in_ram(addr, len)) return false;
    std::memcpy(data, &ram[addr - kBase], len);
    return true;
  }
  bool bus_write(uint64_t addr, const void* data, unsigned len) override {
    if (!in_ram(addr, len)) return false;
    std::memcpy(&ram[addr - kBase], data, len);
    return true;
  }
  bool dmi_for(uint64_t addr, DmiRegion& out) override {
    if (!in_ram(addr, 1)) return false;
    out = {ram.data(), kBase, kBase + ram.size() - 1, true, true};
    return true;
  }
  // No timer unless a test supplies one.
  uint64_t timer_ticks() override { return 0; }

  template <class T>
  void put(uint64_t addr, T value) {
    std::memcpy(&ram[addr - kBase], &value, sizeof value);
  }
  template <class T>
  T get(uint64_t addr) const {
    T value;
    std::memcpy(&value, &ram[addr - kBase], sizeof value);
    return value;
  }
};

}  // namespace silica::test

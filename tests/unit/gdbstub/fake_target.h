// A small DebugTarget for the gdbstub's tests and fuzzer: registers and
// memory (at kMemBase, 64 KiB unless asked otherwise) in arrays, breakpoints in a list, and a
// "machine" whose running is moving pc forward by 4 until it meets a breakpoint, the exit address,
// a scripted event, a Ctrl-C from the hooks, or its step budget.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cores/engine/debug_target.h"

namespace silica::gdb::testing {

class FakeTarget : public DebugTarget {
 public:
  static constexpr uint64_t kMemBase = 0x80000000;
  static constexpr size_t kDefaultMemSize = 64 * 1024;
  static constexpr unsigned kPc = 32;
  static constexpr unsigned kCsrBase = 65;
  static constexpr unsigned kMstatus = kCsrBase + 0x300;

  struct BreakpointEntry {
    BreakpointKind kind;
    uint64_t addr;
    uint64_t length;
    bool operator==(const BreakpointEntry&) const = default;
  };

  explicit FakeTarget(unsigned harts = 2, unsigned xlen = 64, size_t mem_size = kDefaultMemSize)
      : regs(harts), memory(mem_size), m_harts(harts), m_xlen(xlen) {
    for (unsigned h = 0; h < harts; ++h) {
      regs[h].fill(0);
      regs[h][kPc] = kMemBase;
      regs[h][10] = h;  // a0 = hart id, as at reset
    }
    for (size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<uint8_t>(i * 7);
  }

  // --- what tests set up and inspect ---
  DebugHooks* hooks = nullptr;
  std::vector<std::array<uint64_t, 33>> regs;
  std::map<unsigned, uint64_t> csrs{{kMstatus, 0x1800}};
  std::vector<uint8_t> memory;
  std::vector<BreakpointEntry> breakpoints;
  std::deque<StopEvent> scripted;   // returned by resume() first, in order
  std::optional<uint64_t> exit_pc;  // running to this pc exits with exit_code
  int exit_code = 0;
  size_t run_budget = SIZE_MAX;     // pc moves per resume before a forced kInterrupt
  bool sleep_while_running = true;  // be gentle to the CPU in socket tests
  bool accept_watchpoints = true;
  // When set, running "executes" an access to the first watchpoint after
  // this many pc moves (a write bumps the watched byte, so gdb sees a
  // change) and stops with kWatchpoint.
  std::optional<size_t> watch_hit_after;
  std::vector<std::optional<unsigned>> resumes;  // every resume() argument
  std::vector<std::string> monitor_commands;
  size_t big_output_size = 40000;  // "monitor big": more than one 'O' packet holds
  std::string xml =
      "<?xml version=\"1.0\"?><target><architecture>riscv:rv64</architecture></target>";

  // --- DebugTarget ---
  unsigned hart_count() const override { return m_harts; }
  unsigned xlen() const override { return m_xlen; }
  std::string target_xml() const override { return xml; }

  std::optional<uint64_t> read_register(unsigned hart, unsigned regno) override {
    if (hart >= m_harts) return std::nullopt;
    if (regno <= kPc) return regno == 0 ? 0 : truncate(regs[hart][regno]);
    const auto it = csrs.find(regno);
    if (it == csrs.end()) return std::nullopt;
    return truncate(it->second);
  }

  bool write_register(unsigned hart, unsigned regno, uint64_t value) override {
    if (hart >= m_harts) return false;
    if (regno <= kPc) {
      if (regno != 0) regs[hart][regno] = truncate(value);
      return true;
    }
    const auto it = csrs.find(regno);
    if (it == csrs.end()) return false;
    it->second = truncate(value);
    return true;
  }

  size_t read_memory(unsigned hart, uint64_t addr, uint8_t* data, size_t len) override {
    const size_t n = accessible(addr, len);
    if (n > 0) std::memcpy(data, &memory[addr - kMemBase], n);
    return n;
  }

  size_t write_memory(unsigned hart, uint64_t addr, const uint8_t* data, size_t len) override {
    const size_t n = accessible(addr, len);
    if (n > 0) std::memcpy(&memory[addr - kMemBase], data, n);
    return n;
  }

  bool insert_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) override {
    const bool watch = kind != BreakpointKind::kSoftware && kind != BreakpointKind::kHardware;
    if (watch && !accept_watchpoints) return false;
    breakpoints.push_back({kind, addr, length});
    return true;
  }

  bool remove_breakpoint(BreakpointKind kind, uint64_t addr, uint64_t length) override {
    const auto it =
        std::find(breakpoints.begin(), breakpoints.end(), BreakpointEntry{kind, addr, length});
    if (it == breakpoints.end()) return false;
    breakpoints.erase(it);
    return true;
  }

  StopEvent resume(std::optional<unsigned> step_hart) override {
    resumes.push_back(step_hart);
    if (!scripted.empty()) {
      const StopEvent event = scripted.front();
      scripted.pop_front();
      return event;
    }
    if (step_hart) {
      const unsigned hart = *step_hart < m_harts ? *step_hart : 0;
      regs[hart][kPc] = truncate(regs[hart][kPc] + 4);
      return event_at(hart, StopEvent::Reason::kStep);
    }
    for (size_t moved = 0; moved < run_budget; ++moved) {
      uint64_t& pc = regs[0][kPc];
      pc = truncate(pc + 4);
      if (exit_pc && pc == *exit_pc) {
        StopEvent event = event_at(0, StopEvent::Reason::kExited);
        event.exit_code = exit_code;
        return event;
      }
      if (has_code_breakpoint(pc)) return event_at(0, StopEvent::Reason::kBreakpoint);
      if (watch_hit_after && moved + 1 >= *watch_hit_after) {
        if (const auto hit = first_watchpoint()) return *hit;
      }
      if (hooks != nullptr && hooks->poll_interrupt()) {
        return event_at(0, StopEvent::Reason::kInterrupt);
      }
      if (sleep_while_running) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return event_at(0, StopEvent::Reason::kInterrupt);
  }

  std::optional<std::string> monitor(const std::string& command) override {
    monitor_commands.push_back(command);
    if (command == "help") return std::string("reset stats quit\n");
    if (command == "silent") return std::string();
    if (command == "big") return std::string(big_output_size, 'z');
    return std::nullopt;
  }

 private:
  uint64_t truncate(uint64_t value) const { return m_xlen == 32 ? value & 0xffffffffull : value; }
  size_t accessible(uint64_t addr, size_t len) const {
    if (addr < kMemBase || addr - kMemBase >= memory.size()) return 0;
    return std::min<uint64_t>(len, memory.size() - (addr - kMemBase));
  }
  bool has_code_breakpoint(uint64_t pc) const {
    return std::any_of(breakpoints.begin(), breakpoints.end(), [&](const BreakpointEntry& b) {
      return (b.kind == BreakpointKind::kSoftware || b.kind == BreakpointKind::kHardware) &&
             b.addr == pc;
    });
  }
  std::optional<StopEvent> first_watchpoint() {
    for (const BreakpointEntry& b : breakpoints) {
      if (b.kind == BreakpointKind::kSoftware || b.kind == BreakpointKind::kHardware) continue;
      if (b.kind != BreakpointKind::kReadWatch && accessible(b.addr, 1) == 1) {
        ++memory[b.addr - kMemBase];
      }
      StopEvent event = event_at(0, StopEvent::Reason::kWatchpoint);
      event.watch_kind = b.kind;
      event.watch_addr = b.addr;
      return event;
    }
    return std::nullopt;
  }
  static StopEvent event_at(unsigned hart, StopEvent::Reason reason) {
    StopEvent event;
    event.reason = reason;
    event.hart = hart;
    return event;
  }

  unsigned m_harts;
  unsigned m_xlen;
};

}  // namespace silica::gdb::testing

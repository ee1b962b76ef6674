// Declared memory-mapped registers.
//
// A device declares its registers once (name, offset, size, reset value,
// access kind, callbacks) and hands every TLM payload to the bank, which finds
// the register, handles accesses narrower than the register, and rejects bad
// accesses with the proper TLM response. No device decodes offsets by hand.
//
//   m_regs.add("LSR", 5, 1).read_only().on_read([this] { return read_lsr(); });
//   m_regs.add("SCR", 7, 1);  // plain storage, kept by the bank
//
// Callbacks are bound once at elaboration; the per-access path is a binary
// search over registers sorted by offset plus at most two callback calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tlm>

namespace silica {

enum class RegAccess : uint8_t {
  kReadWrite,
  kReadOnly,      // writes are ignored (no error: that is what hardware does)
  kWriteOnly,     // reads return 0
  kWrite1ToClear  // writing 1 to a bit clears it; writing 0 leaves it
};

class RegisterBank {
 public:
  using ReadFn = std::function<uint64_t()>;
  using WriteFn = std::function<void(uint64_t)>;

 private:
  struct Register {
    std::string name;
    uint64_t offset = 0;
    unsigned size = 0;  // bytes: 1, 2, 4 or 8
    uint64_t reset_value = 0;
    uint64_t writable = ~uint64_t{0};
    RegAccess access = RegAccess::kReadWrite;
    uint64_t stored = 0;  // the value when no read callback supplies one
    ReadFn read;          // guest read; may have side effects (pop a FIFO)
    ReadFn peek;          // side-effect-free read for debuggers and merges
    WriteFn write;        // receives the complete new register value
  };

 public:
  // Returned by add(): refines the declaration in a chain. It points at the
  // register itself, which never moves, so the chain stays valid.
  class Builder {
   public:
    Builder& reset_value(uint64_t value);
    Builder& access(RegAccess access);
    Builder& read_only() { return access(RegAccess::kReadOnly); }
    Builder& write_only() { return access(RegAccess::kWriteOnly); }
    Builder& write_1_to_clear() { return access(RegAccess::kWrite1ToClear); }
    // Bits outside the mask keep their value on writes (reserved bits, or
    // msip where only bit 0 exists).
    Builder& writable_bits(uint64_t mask);
    // Supplies the value of guest reads instead of the stored value.
    Builder& on_read(ReadFn fn);
    // Supplies the value of debug reads and of the read-modify-write done for
    // partial writes. Needed only when on_read has side effects; otherwise the
    // read callback serves both.
    Builder& on_peek(ReadFn fn);
    // Called after every non-ignored write with the complete new value.
    Builder& on_write(WriteFn fn);

   private:
    friend class RegisterBank;
    explicit Builder(Register& reg) : m_reg(&reg) {}
    Register* m_reg;
  };

  RegisterBank() = default;
  RegisterBank(const RegisterBank&) = delete;
  RegisterBank& operator=(const RegisterBank&) = delete;

  // Declares a register. Throws std::invalid_argument on a bad size or an
  // overlap with an earlier declaration: both are bugs in the device model.
  Builder add(std::string name, uint64_t offset, unsigned size_bytes);

  // Serves a payload whose address is relative to the device base. Sets the
  // response status (and clears the DMI hint: registers are never DMI).
  void access(tlm::tlm_generic_payload& trans) { serve(trans, false); }
  // The same for transport_dbg: reads use the side-effect-free path. Returns
  // the number of bytes transferred (0 on error).
  unsigned debug_access(tlm::tlm_generic_payload& trans) { return serve(trans, true); }

  // Restores each register's stored value to its reset value. State that a
  // device keeps in its own members (behind callbacks) is the device's to reset.
  void reset();

  std::size_t size() const { return m_regs.size(); }
  // Name of the register covering `offset`, or nullptr (diagnostics, tests).
  const std::string* name_at(uint64_t offset) const;

 private:
  unsigned serve(tlm::tlm_generic_payload& trans, bool debug);
  Register* find(uint64_t offset, uint64_t length) const;
  static uint64_t read_value(Register& reg, bool debug);
  static uint64_t peek_value(const Register& reg);
  static void write_value(Register& reg, uint64_t data, uint64_t lane_mask);

  // Sorted by offset; unique_ptr keeps Builder pointers valid across inserts.
  std::vector<std::unique_ptr<Register>> m_regs;
};

}  // namespace silica

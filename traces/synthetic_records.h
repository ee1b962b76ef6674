// A deterministic stream of trace records shaped like a running program, for
// the writer benchmark and the tests: a fixed "program" of basic blocks (so
// pcs and encodings repeat as in real loops), 4- and 2-byte instructions,
// register writes, loads and stores, a trap every few thousand instructions
// and MMIO bus accesses. It needs no simulator.
#pragma once

#include <cstdint>
#include <vector>

#include "riscv_isa.h"
#include "traces/trace_record.h"

namespace silica::trace {

class SyntheticProgram {
 public:
  struct Options {
    uint64_t seed = 1;
    unsigned xlen = 64;
    unsigned harts = 1;
    unsigned blocks = 48;            // static basic blocks in the program
    uint64_t trap_every = 5000;      // 0: never
    uint64_t bus_every = 3000;       // 0: never
    uint64_t hart_switch_every = 0;  // instructions per hart between switches; 0: never
  };

  explicit SyntheticProgram(Options options)
      : m_opt(options), m_rng(options.seed * 2654435761u + 1) {
    build();
    m_harts.resize(m_opt.harts);
    for (HartRun& h : m_harts) h.block = 0;
  }

  // Emits `n` retired instructions (plus traps and bus accesses) to `sink`.
  void run(TraceSink& sink, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) step(sink);
  }

 private:
  struct Insn {
    uint32_t raw;
    uint8_t len;
    uint8_t insn_class;
    uint8_t rd;  // 0: writes no register
    bool load, store;
  };
  struct Block {
    uint64_t pc;
    std::vector<Insn> insns;
    unsigned taken;     // successor when the final branch is taken
    unsigned fallthru;  // the next block
  };
  struct HartRun {
    unsigned block = 0;
    unsigned index = 0;
    uint64_t instret = 0;
    uint64_t regs[32] = {};
    uint8_t priv = 3;
    uint64_t since_switch = 0;
  };

  uint64_t next_random() {  // xorshift64*
    m_rng ^= m_rng >> 12;
    m_rng ^= m_rng << 25;
    m_rng ^= m_rng >> 27;
    return m_rng * 0x2545F4914F6CDD1DULL;
  }

  static uint8_t cls(riscv::InsnClass c) { return uint8_t(c); }

  void build() {
    const uint64_t base = 0x80000000u;  // RAM on virt, for both XLENs
    uint64_t pc = base;
    for (unsigned b = 0; b < m_opt.blocks; ++b) {
      Block block;
      block.pc = pc;
      unsigned n = 2 + unsigned(next_random() % 9);
      for (unsigned i = 0; i < n; ++i) {
        Insn insn{};
        uint64_t kind = next_random() % 100;
        uint8_t rd = uint8_t(5 + next_random() % 11);
        if (kind < 25) {  // c.addi rd, 1
          insn = Insn{uint32_t(0x0005u | rd << 7), 2, cls(riscv::InsnClass::alu), rd, false, false};
        } else if (kind < 60) {  // addi rd, rd, 3
          insn = Insn{uint32_t(0x00300013u | rd << 7 | rd << 15),
                      4,
                      cls(riscv::InsnClass::alu),
                      rd,
                      false,
                      false};
        } else if (kind < 80) {  // ld/lw rd, 8(x10)
          uint32_t funct3 = m_opt.xlen == 32 ? 2 : 3;
          insn = Insn{uint32_t(0x00853003u | funct3 << 12 | rd << 7),
                      4,
                      cls(riscv::InsnClass::load),
                      rd,
                      true,
                      false};
        } else if (kind < 95) {  // sw rd, 16(x10)
          insn = Insn{
              uint32_t(0x00052823u | rd << 20), 4, cls(riscv::InsnClass::store), 0, false, true};
        } else {  // mul rd, rd, rd
          insn = Insn{uint32_t(0x02000033u | rd << 7 | rd << 15 | rd << 20),
                      4,
                      cls(riscv::InsnClass::mul),
                      rd,
                      false,
                      false};
        }
        block.insns.push_back(insn);
        pc += insn.len;
      }
      // bne x5, x6, <somewhere>: ends the block
      block.insns.push_back(Insn{0x00629063u, 4, cls(riscv::InsnClass::branch), 0, false, false});
      pc += 4;
      block.taken = unsigned(next_random() % m_opt.blocks);
      block.fallthru = (b + 1) % m_opt.blocks;
      m_blocks.push_back(block);
    }
    // The last block's fall-through wraps to the start: make it a jump.
    m_blocks.back().insns.back() =
        Insn{0x0000006fu, 4, cls(riscv::InsnClass::jump), 0, false, false};
    m_handler = pc + 0x100;
  }

  void step(TraceSink& sink) {
    if (m_opt.hart_switch_every != 0 && m_opt.harts > 1 &&
        ++m_harts[m_hart].since_switch >= m_opt.hart_switch_every) {
      m_harts[m_hart].since_switch = 0;
      m_hart = (m_hart + 1) % m_opt.harts;
    }
    HartRun& h = m_harts[m_hart];
    const Block& block = m_blocks[h.block];
    const Insn& insn = block.insns[h.index];
    uint64_t pc = block.pc;
    for (unsigned i = 0; i < h.index; ++i) pc += block.insns[i].len;

    ++m_count;
    if (m_opt.trap_every != 0 && m_count % m_opt.trap_every == 0) {
      // An interrupt before this instruction: the handler runs one
      // instruction (mret) and execution resumes here.
      Trap t;
      t.instret = h.instret;
      t.epc = pc;
      t.cause = (uint64_t(1) << (m_opt.xlen - 1)) | 7;
      t.handler = m_handler;
      t.hart = uint16_t(m_hart);
      t.interrupt = true;
      sink.trap(t);
      Retired mret;
      mret.instret = h.instret++;
      mret.pc = m_handler;
      mret.raw = 0x30200073u;
      mret.hart = uint16_t(m_hart);
      mret.xlen = uint8_t(m_opt.xlen);
      mret.insn_class = cls(riscv::InsnClass::system);
      sink.retired(mret);
    }
    if (m_opt.bus_every != 0 && m_count % m_opt.bus_every == 0) {
      BusAccess b;
      b.time_ps = m_count * 1000;
      b.addr = 0x10000000;
      b.value = 'a' + m_count % 26;
      b.size = 1;
      b.write = true;
      b.initiator = uint16_t(m_hart);
      sink.bus(b);
    }

    Retired r;
    r.instret = h.instret++;
    r.pc = pc;
    r.raw = insn.raw;
    r.hart = uint16_t(m_hart);
    r.priv = h.priv;
    r.len = insn.len;
    r.xlen = uint8_t(m_opt.xlen);
    r.insn_class = insn.insn_class;
    const uint64_t mask = m_opt.xlen == 32 ? 0xffffffffu : ~uint64_t(0);
    const uint64_t data_addr = 0x80100000u + (next_random() % 512) * 8;
    if (insn.load) {
      uint64_t value = next_random() % 5 == 0 ? next_random() & mask : next_random() % 1000;
      h.regs[insn.rd] = value;
      r.n_writes = 1;
      r.writes[0] = RegWrite{0, insn.rd, value};
      r.n_mem = 1;
      r.mem[0] = MemAccess{data_addr, m_opt.xlen == 32 ? value & 0xffffffffu : value,
                           uint8_t(m_opt.xlen / 8), false};
    } else if (insn.store) {
      r.n_mem = 1;
      r.mem[0] = MemAccess{data_addr, h.regs[6] & 0xffffffffu, 4, true};
    } else if (insn.rd != 0) {
      h.regs[insn.rd] = (h.regs[insn.rd] + 3) & mask;
      r.n_writes = 1;
      r.writes[0] = RegWrite{0, insn.rd, h.regs[insn.rd]};
    }
    sink.retired(r);

    if (++h.index == block.insns.size()) {
      h.index = 0;
      h.block = next_random() % 4 == 0 ? block.fallthru : block.taken;
      if (insn.insn_class == cls(riscv::InsnClass::jump)) h.block = 0;
    }
  }

  Options m_opt;
  uint64_t m_rng;
  std::vector<Block> m_blocks;
  std::vector<HartRun> m_harts;
  unsigned m_hart = 0;
  uint64_t m_count = 0;
  uint64_t m_handler = 0;
};

}  // namespace silica::trace

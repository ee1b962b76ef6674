#include "traces/binary_trace_writer.h"

#include <stdexcept>
#include <utility>

namespace silica::trace {

using namespace format;

namespace {

std::vector<uint8_t> encode_header(const BinaryTraceHeader& header) {
  std::vector<uint8_t> fields;
  fields.push_back(uint8_t(header.xlen));
  fields.push_back(kCompressionZstd);
  put_string(fields, header.isa);
  put_varint(fields, header.class_names.size());
  for (const std::string& name : header.class_names) put_string(fields, name);
  return file_header(kMagic, kVersionMajor, kVersionMinor, fields);
}

}  // namespace

BinaryTraceWriter::BinaryTraceWriter(const std::string& path, const BinaryTraceHeader& header,
                                     int zstd_level)
    : m_xlen(uint8_t(header.xlen)),
      m_out(path, BlockWriter::Encoding::kZstdFrames, kWriterBlockBytes, 4, zstd_level) {
  std::vector<uint8_t> bytes = encode_header(header);
  m_out.write_now(bytes.data(), bytes.size());
  m_buffer = m_out.first_buffer();
  m_pos = m_buffer.data.get();
  m_limit = m_pos + m_buffer.capacity;
  m_state.reset(m_xlen);
}

BinaryTraceWriter::~BinaryTraceWriter() {
  if (!m_finished) {
    try {
      finish();
    } catch (const std::exception&) {
      // Reported by finish() when the owner calls it.
    }
  }
}

void BinaryTraceWriter::next_block() {
  if (m_finished) {
    m_pos = m_discard;
    m_limit = m_discard + sizeof m_discard;
    return;
  }
  m_buffer.size = size_t(m_pos - m_buffer.data.get());
  m_buffer = m_out.swap(std::move(m_buffer));
  m_pos = m_buffer.data.get();
  m_limit = m_pos + m_buffer.capacity;
  // Every block starts from a fresh model, so blocks decode independently.
  m_state.reset(m_xlen);
}

uint8_t* BinaryTraceWriter::select_hart(uint8_t* p, uint16_t hart) {
  *p++ = tag::kHart;
  p = put_varint(p, hart);
  m_state.select(hart);
  return p;
}

void BinaryTraceWriter::retired(const Retired& r) {
  uint8_t* p = reserve();
  if (r.hart != m_state.hart_id) [[unlikely]] {
    p = select_hart(p, r.hart);
  }
  HartState& h = *m_state.hart;
  const unsigned n_writes = r.n_writes > 2 ? 2 : r.n_writes;
  const unsigned n_mem = r.n_mem > 2 ? 2 : r.n_mem;
  uint8_t* tag_at = p++;
  uint8_t t = uint8_t(n_writes << tag::kRetiredWritesShift | n_mem << tag::kRetiredMemShift);

  const bool instret_jump = r.instret != h.next_instret;
  const bool mode = r.priv != h.priv || r.xlen != h.xlen;
  if (instret_jump || mode) [[unlikely]] {
    t |= tag::kRetiredExtended;
    *p++ = uint8_t((instret_jump ? ext::kInstretJump : 0) | (mode ? ext::kMode : 0));
    if (instret_jump) p = put_varint(p, zigzag(r.instret - h.next_instret));
    if (mode) {
      *p++ = h.priv = r.priv;
      *p++ = h.xlen = r.xlen;
    }
  }
  if (r.pc != h.next_pc) {
    t |= tag::kRetiredPcJump;
    p = put_varint(p, zigzag(r.pc - h.next_pc));
  }
  InsnCacheEntry& e = m_state.cache[insn_cache_index(r.pc)];
  const uint64_t key = insn_key(r.raw, r.len, r.insn_class);
  if (e.pc != r.pc || e.key != key) {
    t |= tag::kRetiredNewInsn;
    *p++ = r.len;
    *p++ = r.insn_class;
    p = put_varint(p, r.raw);
    e.pc = r.pc;
    e.key = key;
  }
  for (unsigned i = 0; i < n_writes; ++i) {
    const RegWrite& w = r.writes[i];
    if (w.file < 7 && w.index < 32) [[likely]] {
      *p++ = uint8_t(w.file << 5 | w.index);
      if (w.file < kShadowFiles) {
        uint64_t& shadow = h.regs[w.file][w.index];
        p = put_varint(p, zigzag(w.value - shadow));
        shadow = w.value;
      } else {
        p = put_varint(p, w.value);
      }
    } else {
      *p++ = kRegEscape;
      *p++ = w.file;
      *p++ = w.index;
      p = put_varint(p, w.value);
    }
  }
  for (unsigned i = 0; i < n_mem; ++i) {
    const MemAccess& m = r.mem[i];
    const unsigned size = m.size > kMaxMemSize ? kMaxMemSize : m.size;
    // A load's value is usually the low bytes of the register it wrote.
    const bool elide = n_writes > 0 && truncate_to_size(r.writes[0].value, size) == m.value;
    *p++ = uint8_t((m.write ? kMemWrite : 0) | (elide ? kMemValueFromWrite : 0) |
                   size << kMemSizeShift);
    p = put_varint(p, zigzag(m.addr - h.last_mem_addr));
    h.last_mem_addr = m.addr;
    if (!elide) p = put_varint(p, m.value);
  }
  *tag_at = t;
  h.next_pc = r.pc + r.len;
  h.next_instret = r.instret + 1;
  m_pos = p;
  ++m_retired;
}

void BinaryTraceWriter::trap(const Trap& r) {
  uint8_t* p = reserve();
  if (r.hart != m_state.hart_id) p = select_hart(p, r.hart);
  HartState& h = *m_state.hart;
  *p++ = tag::kTrap;
  *p++ = uint8_t((r.interrupt ? 1 : 0) | (r.from_priv & 3) << 1 | (r.to_priv & 3) << 3);
  p = put_varint(p, zigzag(r.instret - h.next_instret));
  p = put_varint(p, zigzag(r.epc - h.next_pc));
  p = put_varint(p, r.cause);
  p = put_varint(p, r.tval);
  p = put_varint(p, zigzag(r.handler - r.epc));
  h.next_pc = r.handler;  // so the handler's first instruction is no jump
  m_pos = p;
  ++m_traps;
}

void BinaryTraceWriter::bus(const BusAccess& r) {
  uint8_t* p = reserve();
  *p++ = tag::kBus;
  *p++ = uint8_t((r.write ? 1 : 0) | (r.ok ? 2 : 0));
  *p++ = r.size;
  p = put_varint(p, r.initiator);
  p = put_varint(p, zigzag(r.time_ps - m_state.last_bus_time));
  m_state.last_bus_time = r.time_ps;
  p = put_varint(p, r.addr);
  p = put_varint(p, r.value);
  m_pos = p;
  ++m_bus;
}

void BinaryTraceWriter::finish() {
  if (m_finished) return;
  uint8_t* p = reserve();
  *p++ = tag::kEnd;
  p = put_varint(p, m_retired);
  p = put_varint(p, m_traps);
  p = put_varint(p, m_bus);
  m_buffer.size = size_t(p - m_buffer.data.get());
  m_finished = true;
  m_pos = m_limit = nullptr;  // later records land in m_discard
  m_out.close(std::move(m_buffer));
}

}  // namespace silica::trace

#include "traces/trace_reader.h"

#include <cstdio>

namespace silica::trace {

using namespace format;

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string TraceHeader::class_name(unsigned insn_class) const {
  if (insn_class < class_names.size()) return class_names[insn_class];
  return "class" + std::to_string(insn_class);
}

TraceReader::TraceReader(const std::string& path)
    : m_file(path, kMagic, "silica binary trace", kVersionMajor) {
  m_header.version_major = m_file.version_major();
  m_header.version_minor = m_file.version_minor();
  // Newer minor versions append fields; what follows the known ones is skipped.
  const std::vector<uint8_t>& fields = m_file.fields();
  FieldCursor c{fields.data(), fields.data() + fields.size()};
  m_header.xlen = c.u8();
  uint8_t compression = c.u8();
  m_header.isa = c.string();
  uint64_t n_classes = c.varint();
  for (uint64_t i = 0; c.ok && i < n_classes && i < 256; ++i) {
    m_header.class_names.push_back(c.string());
  }
  if (!c.ok || n_classes > 256 || (m_header.xlen != 32 && m_header.xlen != 64) ||
      compression != kCompressionZstd) {
    throw TraceError(path + ": corrupt file header");
  }
  m_state.reset(uint8_t(m_header.xlen));
}

TraceReader::~TraceReader() = default;

void TraceReader::corrupt(const std::string& what) const {
  m_file.corrupt(what);
}

bool TraceReader::load_block() {
  if (!m_file.next_block(m_block)) return false;
  m_pos = m_block.data();
  m_end = m_pos + m_block.size();
  m_state.reset(uint8_t(m_header.xlen));
  return true;
}

uint8_t TraceReader::get_u8() {
  if (m_pos >= m_end) corrupt("record runs past the end of the block");
  return *m_pos++;
}

uint64_t TraceReader::get_varint() {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    uint8_t b = get_u8();
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  corrupt("overlong number");
}

bool TraceReader::next(TraceRecord& record) {
  if (m_done) return false;
  for (;;) {
    while (m_pos == m_end) {
      if (!load_block()) {
        throw TraceError(m_file.path() + ": truncated: no end record after " +
                         std::to_string(m_counted.retired) +
                         " instructions (the run did not finish writing the trace)");
      }
    }
    uint8_t tag = get_u8();
    if (tag < tag::kTrap) {
      record.kind = TraceRecord::kRetired;
      decode_retired(tag, record.retired);
      ++m_counted.retired;
      return true;
    }
    switch (tag) {
      case tag::kTrap:
        record.kind = TraceRecord::kTrap;
        decode_trap(record.trap);
        ++m_counted.traps;
        return true;
      case tag::kBus:
        record.kind = TraceRecord::kBus;
        decode_bus(record.bus);
        ++m_counted.bus;
        return true;
      case tag::kHart: {
        uint64_t hart = get_varint();
        if (hart > 0xffff) corrupt("hart id " + std::to_string(hart));
        m_state.select(uint16_t(hart));
        continue;
      }
      case tag::kEnd:
        decode_end();
        return false;
      default:
        if (tag >= tag::kFirstExtension) {  // a later minor version's record: skip it
          uint64_t n = get_varint();
          if (n > uint64_t(m_end - m_pos)) corrupt("extension record runs past the block");
          m_pos += n;
          continue;
        }
        corrupt("unknown record tag " + hex(tag));
    }
  }
}

void TraceReader::decode_retired(uint8_t tag, Retired& r) {
  const unsigned n_writes = (tag >> tag::kRetiredWritesShift) & 3;
  const unsigned n_mem = (tag >> tag::kRetiredMemShift) & 3;
  if (n_writes > 2 || n_mem > 2) corrupt("retired record with more than 2 writes or accesses");
  HartState& h = *m_state.hart;
  if (tag & tag::kRetiredExtended) {
    uint8_t e = get_u8();
    if (e & ~(ext::kInstretJump | ext::kMode)) corrupt("unknown retired-record flags " + hex(e));
    if (e & ext::kInstretJump) h.next_instret += unzigzag(get_varint());
    if (e & ext::kMode) {
      h.priv = get_u8();
      h.xlen = get_u8();
    }
  }
  r.hart = m_state.hart_id;
  r.instret = h.next_instret;
  r.priv = h.priv;
  r.xlen = h.xlen;
  r.pc = h.next_pc;
  if (tag & tag::kRetiredPcJump) r.pc += unzigzag(get_varint());
  InsnCacheEntry& e = m_state.cache[insn_cache_index(r.pc)];
  if (tag & tag::kRetiredNewInsn) {
    uint8_t len = get_u8();
    uint8_t insn_class = get_u8();
    uint64_t raw = get_varint();
    if (raw > 0xffffffffu) corrupt("instruction encoding wider than 32 bits");
    e.pc = r.pc;
    e.key = insn_key(uint32_t(raw), len, insn_class);
  } else if (e.pc != r.pc) {
    corrupt("instruction at " + hex(r.pc) + " refers to an encoding never given");
  }
  r.raw = uint32_t(e.key);
  r.len = uint8_t(e.key >> 32);
  r.insn_class = uint8_t(e.key >> 40);

  r.n_writes = uint8_t(n_writes);
  for (unsigned i = 0; i < n_writes; ++i) {
    RegWrite& w = r.writes[i];
    uint8_t b = get_u8();
    if (b == kRegEscape) {
      w.file = get_u8();
      w.index = get_u8();
      w.value = get_varint();
    } else if (b > kRegEscape) {
      corrupt("register byte " + hex(b));
    } else {
      w.file = b >> 5;
      w.index = b & 31;
      if (w.file < kShadowFiles) {
        uint64_t& shadow = h.regs[w.file][w.index];
        shadow += unzigzag(get_varint());
        w.value = shadow;
      } else {
        w.value = get_varint();
      }
    }
  }
  for (unsigned i = n_writes; i < 2; ++i) r.writes[i] = RegWrite{};

  r.n_mem = uint8_t(n_mem);
  for (unsigned i = 0; i < n_mem; ++i) {
    MemAccess& m = r.mem[i];
    uint8_t flags = get_u8();
    m.write = flags & kMemWrite;
    m.size = flags >> kMemSizeShift;
    h.last_mem_addr += unzigzag(get_varint());
    m.addr = h.last_mem_addr;
    if (flags & kMemValueFromWrite) {
      if (n_writes == 0) corrupt("memory value refers to a register write that is not there");
      m.value = truncate_to_size(r.writes[0].value, m.size);
    } else {
      m.value = get_varint();
    }
  }
  for (unsigned i = n_mem; i < 2; ++i) r.mem[i] = MemAccess{};

  h.next_pc = r.pc + r.len;
  h.next_instret = r.instret + 1;
}

void TraceReader::decode_trap(Trap& t) {
  HartState& h = *m_state.hart;
  uint8_t flags = get_u8();
  if (flags >> 5) corrupt("unknown trap flags " + hex(flags));
  t.hart = m_state.hart_id;
  t.interrupt = flags & 1;
  t.from_priv = (flags >> 1) & 3;
  t.to_priv = (flags >> 3) & 3;
  t.instret = h.next_instret + unzigzag(get_varint());
  t.epc = h.next_pc + unzigzag(get_varint());
  t.cause = get_varint();
  t.tval = get_varint();
  t.handler = t.epc + unzigzag(get_varint());
  h.next_pc = t.handler;
}

void TraceReader::decode_bus(BusAccess& b) {
  uint8_t flags = get_u8();
  if (flags >> 2) corrupt("unknown bus flags " + hex(flags));
  b.write = flags & 1;
  b.ok = flags & 2;
  b.size = get_u8();
  uint64_t initiator = get_varint();
  if (initiator > 0xffff) corrupt("bus initiator " + std::to_string(initiator));
  b.initiator = uint16_t(initiator);
  m_state.last_bus_time += unzigzag(get_varint());
  b.time_ps = m_state.last_bus_time;
  b.addr = get_varint();
  b.value = get_varint();
}

void TraceReader::decode_end() {
  m_totals.retired = get_varint();
  m_totals.traps = get_varint();
  m_totals.bus = get_varint();
  if (m_pos != m_end) corrupt("data after the end record");
  m_file.expect_end_of_file();
  if (m_totals.retired != m_counted.retired || m_totals.traps != m_counted.traps ||
      m_totals.bus != m_counted.bus) {
    corrupt("the end record counts " + std::to_string(m_totals.retired) + " instructions, " +
            std::to_string(m_counted.retired) + " were read");
  }
  m_done = true;
}

}  // namespace silica::trace

#include "traces/replay_log.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "traces/binary_format.h"

namespace silica::trace {

using format::put_string;
using format::put_varint;

namespace {

constexpr uint16_t kReplayVersionMajor = 1;
constexpr uint16_t kReplayVersionMinor = 1;  // 1.1: machine reset records
// Records may span blocks (a run's inputs can be long); a block is only a
// unit of compression here.
constexpr size_t kReplayBlockBytes = 256 * 1024;
// No single record's length is trusted beyond this.
constexpr uint64_t kMaxRecordBytes = uint64_t(1) << 30;

// Record tags (REPLAY.md).
namespace tag {
constexpr uint8_t kRun = 0x01;
constexpr uint8_t kMemoryWrite = 0x02;
constexpr uint8_t kUnsupported = 0x03;  // read only: format 1.0's machine reset
constexpr uint8_t kEnd = 0x04;
constexpr uint8_t kMachineReset = 0x05;
// Inputs within a run.
constexpr uint8_t kBus = 0x10;
constexpr uint8_t kTimer = 0x11;
constexpr uint8_t kCycleCounter = 0x12;
constexpr uint8_t kWires = 0x13;
}  // namespace tag

constexpr uint8_t kBusWrite = 0x01;
constexpr uint8_t kBusOk = 0x02;
constexpr uint8_t kStartSstcPending = 0x01;
constexpr uint8_t kStartWfi = 0x02;

std::vector<uint8_t> encode_header(const ReplayHeader& header) {
  std::vector<uint8_t> fields;
  put_varint(fields, header.args.size());
  for (const std::string& arg : header.args) put_string(fields, arg);
  put_string(fields, header.cwd);
  put_varint(fields, header.inputs.size());
  for (const ReplayInputFile& input : header.inputs) {
    put_string(fields, input.path);
    put_varint(fields, input.size);
    put_varint(fields, input.fingerprint);
  }

  return format::file_header(format::kReplayMagic, kReplayVersionMajor, kReplayVersionMinor,
                             fields);
}

}  // namespace

ReplayLogWriter::ReplayLogWriter(const std::string& path, const ReplayHeader& header)
    : m_out(path, BlockWriter::Encoding::kZstdFrames, kReplayBlockBytes) {
  std::vector<uint8_t> bytes = encode_header(header);
  m_out.write_now(bytes.data(), bytes.size());
  m_buffer = m_out.first_buffer();
}

ReplayLogWriter::~ReplayLogWriter() {
  if (!m_finished) {
    try {
      finish(0);
    } catch (const std::exception&) {
      // Reported by finish() when the owner calls it.
    }
  }
}

void ReplayLogWriter::put(const uint8_t* data, size_t size) {
  while (size > 0 && !m_finished) {
    const size_t room = m_buffer.capacity - m_buffer.size;
    const size_t n = std::min(room, size);
    std::memcpy(m_buffer.data.get() + m_buffer.size, data, n);
    m_buffer.size += n;
    data += n;
    size -= n;
    if (m_buffer.size == m_buffer.capacity) m_buffer = m_out.swap(std::move(m_buffer));
  }
}

void ReplayLogWriter::flush_scratch() {
  put(m_scratch.data(), m_scratch.size());
  m_scratch.clear();
}

void ReplayLogWriter::run_begin(uint64_t hart_id, const replay::RunStart& start) {
  m_in_run = true;
  m_hart = hart_id;
  m_start = start;
  m_run_events.clear();
}

void ReplayLogWriter::run_end(const replay::RunEnd& end) {
  m_in_run = false;
  m_scratch.push_back(tag::kRun);
  put_varint(m_scratch, m_hart);
  put_varint(m_scratch, m_start.cycles);
  put_varint(m_scratch, m_start.mip_wires);
  m_scratch.push_back(
      uint8_t((m_start.sstc_pending ? kStartSstcPending : 0) | (m_start.wfi ? kStartWfi : 0)));
  put_varint(m_scratch, end.instret);
  put_varint(m_scratch, end.pc);
  put_varint(m_scratch, m_run_events.size());
  flush_scratch();
  put(m_run_events.data(), m_run_events.size());
  ++m_runs;
}

void ReplayLogWriter::access_begin() {
  m_access_at = m_run_events.size();
}

void ReplayLogWriter::bus(const replay::BusEvent& e) {
  const size_t end = m_run_events.size();
  m_run_events.push_back(tag::kBus);
  m_run_events.push_back(uint8_t((e.write ? kBusWrite : 0) | (e.ok ? kBusOk : 0)));
  m_run_events.push_back(e.size);
  put_varint(m_run_events, e.addr);
  put_varint(m_run_events, e.value);
  put_varint(m_run_events, e.time_ps);
  // Ahead of what the access caused while under way.
  const auto begin = m_run_events.begin();
  std::rotate(begin + ptrdiff_t(std::min(m_access_at, end)), begin + ptrdiff_t(end),
              m_run_events.end());
}

void ReplayLogWriter::input(uint8_t input_tag, uint64_t value) {
  m_run_events.push_back(input_tag);
  put_varint(m_run_events, value);
}

void ReplayLogWriter::timer(uint64_t ticks) {
  input(tag::kTimer, ticks);
}

void ReplayLogWriter::cycle_counter(uint64_t cycles) {
  input(tag::kCycleCounter, cycles);
}

void ReplayLogWriter::wires(uint64_t mip_wires) {
  input(tag::kWires, mip_wires);
}

void ReplayLogWriter::memory_write(unsigned memory, uint64_t offset, const uint8_t* data,
                                   uint64_t size) {
  std::vector<uint8_t>& out = m_in_run ? m_run_events : m_scratch;
  out.push_back(tag::kMemoryWrite);
  put_varint(out, memory);
  put_varint(out, offset);
  put_varint(out, size);
  if (m_in_run) {
    out.insert(out.end(), data, data + size);
  } else {
    flush_scratch();
    put(data, size_t(size));
  }
}

void ReplayLogWriter::machine_reset() {
  m_scratch.push_back(tag::kMachineReset);
  flush_scratch();
}

void ReplayLogWriter::finish(int exit_status) {
  if (m_finished) return;
  m_scratch.push_back(tag::kEnd);
  put_varint(m_scratch, m_runs);
  put_varint(m_scratch, format::zigzag(uint64_t(int64_t(exit_status))));
  flush_scratch();
  m_finished = true;
  m_out.close(std::move(m_buffer));
}

ReplayLogReader::ReplayLogReader(const std::string& path)
    : m_file(path, format::kReplayMagic, "silica replay log", kReplayVersionMajor) {
  m_header.version_major = m_file.version_major();
  m_header.version_minor = m_file.version_minor();
  const std::vector<uint8_t>& fields = m_file.fields();
  FieldCursor c{fields.data(), fields.data() + fields.size()};
  const uint64_t n_args = c.varint();
  for (uint64_t i = 0; c.ok && i < n_args; ++i) m_header.args.push_back(c.string());
  m_header.cwd = c.string();
  const uint64_t n_inputs = c.varint();
  for (uint64_t i = 0; c.ok && i < n_inputs; ++i) {
    ReplayInputFile input;
    input.path = c.string();
    input.size = c.varint();
    input.fingerprint = c.varint();
    m_header.inputs.push_back(std::move(input));
  }
  if (!c.ok || n_args == 0) throw TraceError(path + ": corrupt file header");
}

ReplayInputFile file_fingerprint(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw TraceError(path + ": cannot read: " + std::strerror(errno));
  ReplayInputFile result;
  result.path = path;
  // FNV-1a over 8-byte words (the tail zero-padded), then the size.
  uint64_t hash = 0xcbf29ce484222325;
  std::vector<uint8_t> buffer(1 << 20);
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) {
    result.size += got;
    std::fill(buffer.begin() + ptrdiff_t(got), buffer.begin() + ptrdiff_t((got + 7) & ~size_t(7)),
              0);
    for (size_t i = 0; i < got; i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, buffer.data() + i, 8);
      hash = (hash ^ word) * 0x100000001b3;
    }
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw TraceError(path + ": cannot read: " + std::strerror(errno));
  result.fingerprint = (hash ^ result.size) * 0x100000001b3;
  return result;
}

uint8_t ReplayLogReader::u8() {
  while (m_pos == m_block.size()) {
    if (!m_file.next_block(m_block)) {
      throw TraceError(m_file.path() + ": truncated: no end record after " +
                       std::to_string(m_runs) +
                       " runs (the recording did not finish writing the log)");
    }
    m_pos = 0;
  }
  return m_block[m_pos++];
}

uint64_t ReplayLogReader::varint() {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    const uint8_t b = u8();
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  m_file.corrupt("overlong number");
}

void ReplayLogReader::bytes(std::vector<uint8_t>& out, uint64_t n) {
  if (n > kMaxRecordBytes) m_file.corrupt("a record of " + std::to_string(n) + " bytes");
  out.resize(size_t(n));
  size_t done = 0;
  while (done < n) {
    if (m_pos == m_block.size()) {
      out[done++] = u8();  // loads the next block
      continue;
    }
    const size_t take = std::min(size_t(n) - done, m_block.size() - m_pos);
    std::memcpy(out.data() + done, m_block.data() + m_pos, take);
    m_pos += take;
    done += take;
  }
}

ReplayLogReader::Item ReplayLogReader::next(ReplayRun& run, ReplayMemoryWrite& write,
                                            std::string& what) {
  if (m_done) return Item::kEnd;
  const uint8_t t = u8();
  switch (t) {
    case tag::kRun: {
      run.hart_id = varint();
      run.start.cycles = varint();
      run.start.mip_wires = varint();
      const uint8_t flags = u8();
      run.start.sstc_pending = (flags & kStartSstcPending) != 0;
      run.start.wfi = (flags & kStartWfi) != 0;
      run.end.instret = varint();
      run.end.pc = varint();
      bytes(run.events, varint());
      ++m_runs;
      return Item::kRun;
    }
    case tag::kMemoryWrite:
      write.memory = unsigned(varint());
      write.offset = varint();
      bytes(write.data, varint());
      return Item::kMemoryWrite;
    case tag::kMachineReset:
      return Item::kMachineReset;
    case tag::kUnsupported: {
      std::vector<uint8_t> text;
      bytes(text, varint());
      what.assign(text.begin(), text.end());
      return Item::kUnsupported;
    }
    case tag::kEnd: {
      const uint64_t runs = varint();
      m_exit_status = int(int64_t(format::unzigzag(varint())));
      if (runs != m_runs) {
        m_file.corrupt("the end record counts " + std::to_string(runs) + " runs, " +
                       std::to_string(m_runs) + " were read");
      }
      if (m_pos != m_block.size()) m_file.corrupt("data after the end record");
      m_file.expect_end_of_file();
      m_done = true;
      return Item::kEnd;
    }
    default:
      m_file.corrupt("unknown record tag " + std::to_string(t));
  }
}

bool ReplayLogReader::next_input(FieldCursor& c, ReplayInput& input) const {
  if (c.pos == c.end) return false;
  const uint8_t t = c.u8();
  switch (t) {
    case tag::kBus: {
      input.kind = ReplayInput::kBus;
      const uint8_t flags = c.u8();
      input.bus.write = (flags & kBusWrite) != 0;
      input.bus.ok = (flags & kBusOk) != 0;
      input.bus.size = c.u8();
      input.bus.addr = c.varint();
      input.bus.value = c.varint();
      input.bus.time_ps = c.varint();
      break;
    }
    case tag::kTimer:
    case tag::kCycleCounter:
    case tag::kWires:
      input.kind = t == tag::kTimer          ? ReplayInput::kTimer
                   : t == tag::kCycleCounter ? ReplayInput::kCycleCounter
                                             : ReplayInput::kWires;
      input.value = c.varint();
      break;
    case tag::kMemoryWrite: {
      input.kind = ReplayInput::kMemoryWrite;
      input.memory.memory = unsigned(c.varint());
      input.memory.offset = c.varint();
      const uint64_t n = c.varint();
      const uint8_t* data = c.bytes(n);
      if (data != nullptr) input.memory.data.assign(data, data + n);
      break;
    }
    default:
      m_file.corrupt("unknown input tag " + std::to_string(t) + " in a run");
  }
  if (!c.ok) m_file.corrupt("an input runs past the end of its run");
  return true;
}

}  // namespace silica::trace

// The replay log (REPLAY.md): what `silica run --trace-format replay` writes
// and `silica replay` reads. The writer is the machine's replay::Recorder;
// it encodes on the harts' thread into buffers that a background thread
// compresses (block_writer.h), like the binary trace. The reader hands back
// the recorded runs and memory writes in order, and the inputs within a run
// one at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cores/engine/replay.h"
#include "traces/block_file_reader.h"
#include "traces/block_writer.h"

namespace silica::trace {

// A file the recorded machine was loaded from, so that a replay can tell
// when it changed.
struct ReplayInputFile {
  std::string path;  // as the command line named it
  uint64_t size = 0;
  uint64_t fingerprint = 0;  // file_fingerprint()
};

struct ReplayHeader {
  unsigned version_major = 0;
  unsigned version_minor = 0;
  // The recorded run's command line after `silica` (`run ...`), and the
  // directory its relative paths are relative to.
  std::vector<std::string> args;
  std::string cwd;
  std::vector<ReplayInputFile> inputs;
};

// Size and a 64-bit hash of a file's bytes; throws TraceError naming the
// file when it cannot be read.
ReplayInputFile file_fingerprint(const std::string& path);

class ReplayLogWriter final : public replay::Recorder {
 public:
  // Creates the file and writes its header; throws std::runtime_error
  // naming the file when it cannot.
  ReplayLogWriter(const std::string& path, const ReplayHeader& header);
  ~ReplayLogWriter() override;

  void run_begin(uint64_t hart_id, const replay::RunStart& start) override;
  void run_end(const replay::RunEnd& end) override;
  void access_begin() override;
  void bus(const replay::BusEvent& event) override;
  void timer(uint64_t ticks) override;
  void cycle_counter(uint64_t cycles) override;
  void wires(uint64_t mip_wires) override;
  void memory_write(unsigned memory, uint64_t offset, const uint8_t* data, uint64_t size) override;
  void machine_reset() override;

  // Writes the end record (with the run's exit status) and everything
  // buffered, and closes the file. Throws std::runtime_error naming the file
  // if a write failed.
  void finish(int exit_status);
  uint64_t runs() const { return m_runs; }

 private:
  // An input of the run under way that is one varint.
  void input(uint8_t input_tag, uint64_t value);
  void flush_scratch();
  void put(const uint8_t* data, size_t size);

  BlockWriter m_out;
  BlockBuffer m_buffer;
  bool m_in_run = false;
  bool m_finished = false;
  uint64_t m_hart = 0;
  replay::RunStart m_start;
  std::vector<uint8_t> m_run_events;  // inputs of the run under way
  size_t m_access_at = 0;             // where the access under way goes in them
  std::vector<uint8_t> m_scratch;     // a record between runs, before it is put
  uint64_t m_runs = 0;
};

// One recorded slice of a hart's execution, with its inputs still encoded.
struct ReplayRun {
  uint64_t hart_id = 0;
  replay::RunStart start;
  replay::RunEnd end;
  std::vector<uint8_t> events;
};

struct ReplayMemoryWrite {
  unsigned memory = 0;  // index among the platform's memories, in creation order
  uint64_t offset = 0;
  std::vector<uint8_t> data;
};

// An input within a run.
struct ReplayInput {
  enum Kind { kBus, kTimer, kCycleCounter, kWires, kMemoryWrite };
  Kind kind = kBus;
  replay::BusEvent bus;
  uint64_t value = 0;  // kTimer, kCycleCounter, kWires
  ReplayMemoryWrite memory;
};

class ReplayLogReader {
 public:
  // kUnsupported: only in format 1.0 logs, which marked a machine reset so
  // (`what` says why the replay stops there).
  enum class Item { kRun, kMemoryWrite, kMachineReset, kUnsupported, kEnd };

  // Opens the file and reads its header. Throws TraceError.
  explicit ReplayLogReader(const std::string& path);
  const ReplayHeader& header() const { return m_header; }
  const std::string& path() const { return m_file.path(); }

  // The next item; fills `run`, `write` or `what` by its kind. After kEnd,
  // exit_status() and runs() are valid. Throws TraceError when the file is
  // truncated or corrupt.
  Item next(ReplayRun& run, ReplayMemoryWrite& write, std::string& what);
  int exit_status() const { return m_exit_status; }
  uint64_t runs() const { return m_runs; }

  // Decodes the next input of a run from `cursor` (over ReplayRun::events);
  // false at its end. Throws TraceError on a malformed input.
  bool next_input(FieldCursor& cursor, ReplayInput& input) const;

 private:
  uint8_t u8();
  uint64_t varint();
  void bytes(std::vector<uint8_t>& out, uint64_t n);

  BlockFileReader m_file;
  ReplayHeader m_header;
  std::vector<uint8_t> m_block;
  size_t m_pos = 0;
  bool m_done = false;
  int m_exit_status = 0;
  uint64_t m_runs = 0;  // run records read
};

}  // namespace silica::trace

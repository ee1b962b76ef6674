// Replays a recorded run (traces/REPLAY.md) on a machine built as the
// recording's was: the driver walks the log's runs in their recorded order,
// lets each hart retire exactly the instructions it retired then, and
// serves the hart's MMIO, timer and cycle reads, its wire changes and the
// devices' writes into RAM from the log. Attach a trace sink to the harts
// first, and the replay writes the full trace of the recorded run.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cores/engine/replay.h"
#include "traces/replay_log.h"

namespace silica {

class Platform;
class CpuComponent;
class Memory;

// The replay left the recorded run: a message naming the log, the run and
// what differed.
class ReplayDivergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ReplayDriver final : public replay::Source {
 public:
  // Opens the log (throws trace::TraceError) and puts every hart of the
  // platform in replay mode. `reset_machine` resets the machine as the
  // recorded run did where the log says it was reset.
  ReplayDriver(const std::string& log_path, Platform& platform, std::vector<Memory*> memories,
               std::function<void()> reset_machine);

  // Replays to the end of the log and returns the recorded run's exit
  // status. Throws ReplayDivergence, or trace::TraceError for a damaged log.
  int run();
  uint64_t runs() const { return m_reader.runs(); }

  bool bus(bool write, uint64_t addr, void* data, unsigned len, uint64_t& time_ps) override;
  uint64_t timer() override;
  uint64_t cycle_counter() override;

 private:
  // The next input of the current run, which must be `wanted`'s kind (and
  // for a bus access, its direction, address and size). Messages are built
  // only when it is not.
  const trace::ReplayInput& expect(const trace::ReplayInput& wanted);
  // Applies the wire changes and RAM writes the last access caused.
  void apply_consequences();
  void apply(const trace::ReplayMemoryWrite& write);
  [[noreturn]] void diverged(const std::string& what) const;

  trace::ReplayLogReader m_reader;
  std::vector<CpuComponent*> m_cpus;
  std::vector<Memory*> m_memories;
  std::function<void()> m_reset_machine;
  // The run being replayed.
  trace::ReplayRun m_run;
  CpuComponent* m_cpu = nullptr;
  trace::FieldCursor m_inputs{nullptr, nullptr};
  trace::ReplayInput m_input;
};

}  // namespace silica

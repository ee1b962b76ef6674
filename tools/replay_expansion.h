// Lets silica-trace read a replay log (traces/REPLAY.md) as if it were the
// binary trace it stands for: the log is expanded by `silica replay LOG
// --trace TMP --trace-format bin` into a temporary file, read like any
// trace, and removed afterwards. The analyses may read a trace twice, so a
// file, not a pipe.
#pragma once

#include <string>

namespace silica::trace {

// True when `path` starts with the replay log's magic (false when it
// cannot be read: the trace reader then says why).
bool is_replay_log(const std::string& path);

class ExpandedReplay {
 public:
  // Runs `silica` (the program next to this one, else the one on PATH) to
  // replay `log`. Throws std::runtime_error naming the log when the replay
  // fails; its own messages (a divergence, a changed input) went to stderr.
  explicit ExpandedReplay(const std::string& log);
  ~ExpandedReplay();
  ExpandedReplay(const ExpandedReplay&) = delete;
  ExpandedReplay& operator=(const ExpandedReplay&) = delete;

  // The binary trace the replay wrote.
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace silica::trace

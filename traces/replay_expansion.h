// Reads a replay log (REPLAY.md) as the binary trace it stands for: the log
// is expanded by `silica replay LOG --trace TMP --trace-format bin` into a
// temporary file, read like any trace, and removed afterwards (a file, not a
// pipe: the analyses read a trace twice). silica-trace uses it; so can any
// TraceReader user:
//
//   std::optional<ExpandedReplay> expanded;
//   std::string path = "run.replay";
//   if (is_replay_log(path)) path = expanded.emplace(path).path();
//   TraceReader reader(path);
#pragma once

#include <string>

namespace silica::trace {

// True when `path` starts with the replay log's magic (false when it
// cannot be read: the trace reader then says why).
bool is_replay_log(const std::string& path);

class ExpandedReplay {
 public:
  // Runs `silica` ($SILICA, else the program next to this one, else the
  // one on PATH) to replay `log`. Throws std::runtime_error naming the log when the replay
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

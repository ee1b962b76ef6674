#include "traces/replay_expansion.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "traces/binary_format.h"

extern char** environ;

namespace silica::trace {

namespace {

// $SILICA, else `silica` installed next to this program (build/silica
// beside build/silica-trace), else whatever PATH finds.
std::string silica_program() {
  if (const char* chosen = std::getenv("SILICA"); chosen != nullptr && *chosen != '\0') {
    return chosen;
  }
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path sibling = self.parent_path() / "silica";
    if (std::filesystem::exists(sibling, error)) return sibling.string();
  }
  return "silica";
}

std::string temporary_trace() {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/silica-replay-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) {
    throw std::runtime_error(pattern + ": cannot create a temporary file: " + std::strerror(errno));
  }
  close(fd);
  return pattern;
}

// Runs argv with stdin and stdout on /dev/null (the replayed guest's console
// is no business of ours, and must not take over a terminal) and stderr
// shared; returns its wait status.
int run_quietly(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(spawned));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waiting for " + argv[0] + " failed");
  }
  return status;
}

}  // namespace

bool is_replay_log(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char magic[sizeof format::kReplayMagic] = {};
  const bool replay = std::fread(magic, 1, sizeof magic, f) == sizeof magic &&
                      std::memcmp(magic, format::kReplayMagic, sizeof magic) == 0;
  std::fclose(f);
  return replay;
}

ExpandedReplay::ExpandedReplay(const std::string& log) : m_path(temporary_trace()) {
  const std::string silica = silica_program();
  int status = 0;
  try {
    status = run_quietly({silica, "replay", log, "--trace", m_path, "--trace-format", "bin"});
  } catch (const std::runtime_error& e) {
    std::remove(m_path.c_str());
    throw std::runtime_error(log + ": " + e.what());
  }
  // The replayed guest's exit status is its own business; 2 is silica's
  // (a divergence, a changed input, a damaged log), and a signal a crash.
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) == 2;
  if (failed) {
    std::remove(m_path.c_str());
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    throw std::runtime_error(log + ": '" + silica + " replay' could not expand the log (" + how +
                             ")");
  }
}

ExpandedReplay::~ExpandedReplay() {
  std::remove(m_path.c_str());
}

}  // namespace silica::trace

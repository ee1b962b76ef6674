#include "peripherals/host_console.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace silica {

namespace {

// Output is written in one system call per line, or per this many bytes when
// a guest prints long runs without newlines.
constexpr std::size_t kOutputFlushThreshold = 4096;
// The reader stops pulling from the host when the guest lags this far behind,
// so piping a huge file into stdin does not fill memory.
constexpr std::size_t kInputQueueLimit = 64 * 1024;
// Bounds how long the destructor waits for the reader thread to notice m_stop.
constexpr int kReaderPollMs = 50;

// Terminal state shared with the atexit and signal handlers, which can only see
// globals. Only lock-free atomics and async-signal-safe calls are used there.
struct TerminalState {
  std::atomic<bool> raw{false};  // the terminal is currently in our raw mode
  int fd = -1;
  termios saved{};
  termios raw_settings{};
};
TerminalState g_terminal;
std::atomic<StdioConsole*> g_active_console{nullptr};

constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous_actions[NSIG];

// Returns true if the terminal was raw (and is now restored).
bool restore_terminal() noexcept {
  if (!g_terminal.raw.exchange(false)) return false;
  tcsetattr(g_terminal.fd, TCSANOW, &g_terminal.saved);
  return true;
}

void apply_raw_terminal() noexcept {
  if (tcsetattr(g_terminal.fd, TCSANOW, &g_terminal.raw_settings) == 0) g_terminal.raw = true;
}

void on_exit_handler() {
  if (StdioConsole* console = g_active_console.load()) console->flush();
  restore_terminal();
}

void register_exit_handler_once() {
  static bool registered = false;
  if (registered) return;
  registered = true;
  std::atexit(on_exit_handler);
}

void on_fatal_signal(int sig, siginfo_t* info, void* context) {
  restore_terminal();
  // Chain to whatever was installed before us (the runner may stop the
  // simulation gracefully); with the default action, die from the signal as
  // the shell expects. The signal is blocked while we run, so the re-raise
  // takes effect when this handler returns.
  const struct sigaction& previous = g_previous_actions[sig];
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    previous.sa_sigaction(sig, info, context);
  } else if (previous.sa_handler == SIG_DFL) {
    signal(sig, SIG_DFL);
    raise(sig);
  } else if (previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
  }
}

// Ctrl-Z: give the shell a sane terminal while stopped, and take raw mode back
// when continued in the foreground.
void on_stop_signal(int /*sig*/) {
  const int saved_errno = errno;
  const bool was_raw = restore_terminal();
  signal(SIGTSTP, SIG_DFL);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, SIGTSTP);
  pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  raise(SIGTSTP);  // the process stops here until SIGCONT
  signal(SIGTSTP, on_stop_signal);
  const pid_t foreground = tcgetpgrp(g_terminal.fd);
  if (was_raw && (foreground == -1 || foreground == getpgrp())) apply_raw_terminal();
  errno = saved_errno;
}

// Only installed once a terminal is switched to raw mode: without a terminal
// to repair, signal dispositions stay exactly as the runner left them.
void install_signal_handlers_once() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  for (int sig : kFatalSignals) {
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, &g_previous_actions[sig]);
    // Respect a deliberate "ignore" (nohup) instead of overriding it.
    if (g_previous_actions[sig].sa_handler == SIG_IGN) {
      sigaction(sig, &g_previous_actions[sig], nullptr);
    }
  }
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  struct sigaction previous_stop {};
  sigaction(SIGTSTP, &stop, &previous_stop);
  if (previous_stop.sa_handler == SIG_IGN) sigaction(SIGTSTP, &previous_stop, nullptr);
}

// Switches terminal `fd` to raw-ish mode, unless it is our controlling
// terminal and we run in the background (the change would stop us: SIGTTOU).
void enter_raw_mode(int fd) {
  if (g_terminal.raw || !isatty(fd)) return;
  const pid_t foreground = tcgetpgrp(fd);
  if (foreground != -1 && foreground != getpgrp()) return;
  termios settings{};
  if (tcgetattr(fd, &settings) != 0) return;
  g_terminal.fd = fd;
  g_terminal.saved = settings;
  // Bytes reach the guest as typed: no CR->NL mapping, no flow control, no
  // line editing or echo (the guest echoes). ISIG stays so Ctrl-C/Ctrl-Z work;
  // output processing stays so host newlines still render.
  settings.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  settings.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
  settings.c_cflag &= ~(CSIZE | PARENB);
  settings.c_cflag |= CS8;
  settings.c_cc[VMIN] = 1;
  settings.c_cc[VTIME] = 0;
  g_terminal.raw_settings = settings;
  register_exit_handler_once();
  install_signal_handlers_once();
  apply_raw_terminal();
}

}  // namespace

StdioConsole::StdioConsole(int input_fd, int output_fd)
    : m_input_fd(input_fd), m_output_fd(output_fd) {
  m_output.reserve(kOutputFlushThreshold);
  // Output must survive exit() paths that skip destructors.
  register_exit_handler_once();
  g_active_console = this;
  if (m_input_fd < 0) {
    m_input_eof = true;
    return;
  }
  enter_raw_mode(m_input_fd);
  m_reader = std::thread([this] { reader_loop(); });
}

StdioConsole::~StdioConsole() {
  m_stop = true;
  if (m_reader.joinable()) m_reader.join();
  flush();
  StdioConsole* self = this;
  g_active_console.compare_exchange_strong(self, nullptr);
  if (g_terminal.fd == m_input_fd) restore_terminal();
}

void StdioConsole::write_char(uint8_t c) {
  m_output.push_back(static_cast<char>(c));
  if (c == '\n' || m_output.size() >= kOutputFlushThreshold) flush();
}

void StdioConsole::flush() {
  std::size_t done = 0;
  while (done < m_output.size()) {
    ssize_t n = ::write(m_output_fd, m_output.data() + done, m_output.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (errno == EAGAIN) {
        pollfd p{m_output_fd, POLLOUT, 0};
        poll(&p, 1, kReaderPollMs);
      }
    } else {
      break;  // closed or broken output: drop it rather than spin
    }
  }
  m_output.clear();
}

bool StdioConsole::read_char(uint8_t& out) {
  std::lock_guard<std::mutex> lock(m_input_mutex);
  if (m_input.empty()) return false;
  out = m_input.front();
  m_input.pop_front();
  return true;
}

bool StdioConsole::input_closed() const {
  std::lock_guard<std::mutex> lock(m_input_mutex);
  return m_input_eof && m_input.empty();
}

bool StdioConsole::input_backlogged() const {
  std::lock_guard<std::mutex> lock(m_input_mutex);
  return m_input.size() >= kInputQueueLimit;
}

void StdioConsole::reader_loop() {
  unsigned char buffer[256];
  // poll() with a timeout instead of a blocking read(): the thread checks
  // m_stop regularly, so destruction never waits on the host typing.
  while (!m_stop) {
    if (input_backlogged()) {
      poll(nullptr, 0, kReaderPollMs);  // let the guest catch up
      continue;
    }
    pollfd p{m_input_fd, POLLIN, 0};
    int ready = poll(&p, 1, kReaderPollMs);
    if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    ssize_t n = -1;  // poll() failure or a closed descriptor count as end of input
    if (ready > 0 && (p.revents & POLLNVAL) == 0) {
      n = ::read(m_input_fd, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    }
    std::lock_guard<std::mutex> lock(m_input_mutex);
    if (n <= 0) {
      m_input_eof = true;  // end of file, hang-up or an unusable descriptor
      return;
    }
    m_input.insert(m_input.end(), buffer, buffer + n);
  }
}

bool BufferConsole::read_char(uint8_t& out) {
  if (m_read_pos >= m_input.size()) return false;
  out = static_cast<uint8_t>(m_input[m_read_pos++]);
  return true;
}

}  // namespace silica

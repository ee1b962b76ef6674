// StdioConsole on pipes and pseudo-terminals, and BufferConsole.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "peripherals/host_console.h"

namespace silica::test {
namespace {

using namespace std::chrono_literals;

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe(fds) == 0) {
      read_end = fds[0];
      write_end = fds[1];
    }
    fcntl(read_end, F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) close(write_end);
    write_end = -1;
  }
  std::string drain() const {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = read(read_end, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
};

// Collects input until `count` bytes arrived or a second passed.
std::string read_input(CharBackend& console, size_t count) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    uint8_t c;
    if (console.read_char(c)) {
      got.push_back(static_cast<char>(c));
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  return got;
}

bool wait_closed(const CharBackend& console) {
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (!console.input_closed() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  return console.input_closed();
}

TEST(StdioConsole, OutputIsLineBufferedAndFlushable) {
  Pipe out;
  {
    StdioConsole console(-1, out.write_end);
    console.write_char('a');
    console.write_char('b');
    EXPECT_EQ(out.drain(), "");
    console.write_char('\n');
    EXPECT_EQ(out.drain(), "ab\n");
    console.write_char('c');
    console.flush();
    EXPECT_EQ(out.drain(), "c");
    console.write_char('d');
  }
  EXPECT_EQ(out.drain(), "d");  // the destructor flushes
}

TEST(StdioConsole, LongRunsWithoutNewlineAreFlushedInBlocks) {
  Pipe out;
  StdioConsole console(-1, out.write_end);
  for (int i = 0; i < 5000; ++i) console.write_char('x');
  EXPECT_GE(out.drain().size(), 4096u);
}

TEST(StdioConsole, InputIsQueuedUntilEndOfFile) {
  Pipe in, out;
  ASSERT_EQ(write(in.write_end, "xyz", 3), 3);
  StdioConsole console(in.read_end, out.write_end);
  EXPECT_EQ(read_input(console, 3), "xyz");
  EXPECT_FALSE(console.input_closed());  // the writer may still send more
  ASSERT_EQ(write(in.write_end, "!", 1), 1);
  in.close_write();
  EXPECT_EQ(read_input(console, 1), "!");
  EXPECT_TRUE(wait_closed(console));
  uint8_t c;
  EXPECT_FALSE(console.read_char(c));
}

TEST(StdioConsole, ClosedOnlyOnceQueuedInputIsRead) {
  Pipe in, out;
  ASSERT_EQ(write(in.write_end, "q", 1), 1);
  in.close_write();
  StdioConsole console(in.read_end, out.write_end);
  std::this_thread::sleep_for(100ms);  // EOF seen by now, 'q' still queued
  EXPECT_FALSE(console.input_closed());
  EXPECT_EQ(read_input(console, 1), "q");
  EXPECT_TRUE(console.input_closed());
}

TEST(StdioConsole, NoInputMeansClosed) {
  Pipe out;
  StdioConsole console(-1, out.write_end);
  EXPECT_TRUE(console.input_closed());
}

TEST(StdioConsole, DestructionDoesNotWaitForInput) {
  Pipe in, out;  // the write end stays open: no EOF ever comes
  const auto start = std::chrono::steady_clock::now();
  {
    StdioConsole console(in.read_end, out.write_end);
    uint8_t c;
    EXPECT_FALSE(console.read_char(c));
    EXPECT_FALSE(console.input_closed());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(StdioConsole, ExitWithoutDestructorStillFlushes) {
  Pipe out;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto* console = new StdioConsole(-1, out.write_end);  // never destroyed
    for (char c : std::string("no newline")) console->write_char(static_cast<uint8_t>(c));
    std::exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(out.drain(), "no newline");
}

// A pseudo-terminal stands in for the user's terminal.
struct Pty {
  int master = -1;
  int slave = -1;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return;
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  }
  ~Pty() {
    if (slave >= 0) close(slave);
    if (master >= 0) close(master);
  }
  termios settings() const {
    termios t{};
    tcgetattr(slave, &t);
    return t;
  }
};

TEST(StdioConsole, TerminalIsRawWhileOwnedAndRestoredAfter) {
  Pty pty;
  ASSERT_GE(pty.slave, 0);
  const termios before = pty.settings();
  ASSERT_NE(before.c_lflag & ICANON, 0u);
  Pipe out;
  {
    StdioConsole console(pty.slave, out.write_end);
    const termios raw = pty.settings();
    EXPECT_EQ(raw.c_lflag & (ICANON | ECHO), 0u);
    EXPECT_NE(raw.c_lflag & ISIG, 0u);  // Ctrl-C still stops the simulator
    EXPECT_EQ(raw.c_iflag & ICRNL, 0u);
    ASSERT_EQ(write(pty.master, "k", 1), 1);
    EXPECT_EQ(read_input(console, 1), "k");  // no newline needed
  }
  const termios after = pty.settings();
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
}

TEST(StdioConsole, FatalSignalRestoresTheTerminal) {
  Pty pty;
  ASSERT_GE(pty.slave, 0);
  const termios before = pty.settings();
  Pipe out;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    new StdioConsole(pty.slave, out.write_end);
    raise(SIGTERM);
    std::_Exit(3);  // not reached: SIGTERM's default action ends the process
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(pty.settings().c_lflag, before.c_lflag);
}

TEST(BufferConsole, PresetInputCapturedOutput) {
  BufferConsole console("hi");
  EXPECT_FALSE(console.input_closed());
  uint8_t c = 0;
  ASSERT_TRUE(console.read_char(c));
  EXPECT_EQ(c, 'h');
  ASSERT_TRUE(console.read_char(c));
  EXPECT_EQ(c, 'i');
  EXPECT_FALSE(console.read_char(c));
  EXPECT_TRUE(console.input_closed());
  console.write_char('o');
  console.write_char('k');
  console.flush();
  EXPECT_EQ(console.output(), "ok");
  EXPECT_EQ(console.flush_count(), 1u);
}

TEST(BufferConsole, OpenInputAcceptsMoreUntilClosed) {
  BufferConsole console("", false);
  EXPECT_FALSE(console.input_closed());
  console.push_input("a");
  uint8_t c = 0;
  ASSERT_TRUE(console.read_char(c));
  EXPECT_EQ(c, 'a');
  EXPECT_FALSE(console.input_closed());
  console.close_input();
  EXPECT_TRUE(console.input_closed());
}

}  // namespace
}  // namespace silica::test

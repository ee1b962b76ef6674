// Where guest console bytes go and come from.
//
// Serial devices (UART, HTIF console) talk to a CharBackend, never to file
// descriptors: the simulator uses StdioConsole, unit tests use BufferConsole.
// All calls come from the SystemC thread and never block it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace silica {

class CharBackend {
 public:
  virtual ~CharBackend() = default;
  // Queues one byte of guest output.
  virtual void write_char(uint8_t c) = 0;
  // Non-blocking: returns false when no input byte is available right now.
  virtual bool read_char(uint8_t& out) = 0;
  // True once no byte will ever be returned again (end of input reached and
  // every byte read), so pollers can stop.
  virtual bool input_closed() const = 0;
  // Pushes buffered output to its destination.
  virtual void flush() {}
};

// The host terminal: guest output to a file descriptor (stdout), guest input
// from another (stdin) read by a background thread so the simulation never
// blocks on the host.
//
// When the input is a terminal it is switched to raw-ish mode (no echo, no line
// editing, bytes passed as typed, but ISIG kept so Ctrl-C still stops the
// simulator). The previous settings come back in the destructor, at exit()
// and on fatal signals. Only one StdioConsole should own a terminal at a time.
class StdioConsole final : public CharBackend {
 public:
  // input_fd < 0 means no input (input_closed() is true at once).
  explicit StdioConsole(int input_fd = 0, int output_fd = 1);
  ~StdioConsole() override;
  StdioConsole(const StdioConsole&) = delete;
  StdioConsole& operator=(const StdioConsole&) = delete;

  void write_char(uint8_t c) override;
  bool read_char(uint8_t& out) override;
  bool input_closed() const override;
  void flush() override;

 private:
  void reader_loop();
  bool input_backlogged() const;

  int m_input_fd;
  int m_output_fd;
  // Output is only touched by the simulation thread (and atexit): no lock.
  std::string m_output;
  mutable std::mutex m_input_mutex;
  std::deque<uint8_t> m_input;  // guarded by m_input_mutex
  bool m_input_eof = false;     // guarded by m_input_mutex
  std::atomic<bool> m_stop{false};
  std::thread m_reader;
};

// In-memory console for tests: preset input, captured output.
class BufferConsole final : public CharBackend {
 public:
  // With close_when_drained, input_closed() turns true once `input` (and
  // anything pushed later) has been read; otherwise input stays open until
  // close_input().
  explicit BufferConsole(std::string input = {}, bool close_when_drained = true)
      : m_input(std::move(input)), m_closed(close_when_drained) {}

  void write_char(uint8_t c) override { m_output.push_back(static_cast<char>(c)); }
  bool read_char(uint8_t& out) override;
  bool input_closed() const override { return m_closed && m_read_pos >= m_input.size(); }
  void flush() override { ++m_flush_count; }

  void push_input(std::string_view more) { m_input.append(more); }
  void close_input() { m_closed = true; }
  const std::string& output() const { return m_output; }
  void clear_output() { m_output.clear(); }
  unsigned flush_count() const { return m_flush_count; }

 private:
  std::string m_input;
  std::size_t m_read_pos = 0;
  bool m_closed;
  std::string m_output;
  unsigned m_flush_count = 0;
};

}  // namespace silica
